/**
 * The full-node signal. A node is full when it cannot take a default-size
 * remote deploy: its memory budget has less free than the remote
 * per-instance cap, or it runs its maximum number of instances. While full
 * it pauses its executor names in the DHT directory (not re-announced, not
 * listed for itself); when it has room again it announces them at once.
 *
 * Provider records cannot be withdrawn: ones put out before the node filled
 * up stay in the DHT until they expire. So /gate/capacity/1.0.0 answers
 * whether the node has room (a MessageAck: OK, or RESOURCE_EXHAUSTED with
 * the figures), and lookups of executor names ask every provider they found
 * and leave out the full ones.
 */
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { MessageChannel } from '../protocols/channel.js'
import { streamDuplex } from '../protocols/libp2p-duplex.js'
import { MAX_CONTROL_FRAME } from '../protocols/ids.js'
import { ErrorCode, MessageAck } from '../protocols/pb/gate.js'
import type { Provider, ServiceDirectory } from './directory.js'

export const CAPACITY_PROTOCOL = '/gate/capacity/1.0.0'
/** How long a lookup waits for a provider's answer; no answer counts as room (the deploy finds out). */
export const CAPACITY_PROBE_MS = 3000

export interface CapacityState {
  full: boolean
  /** Why, with the figures (empty when not full). */
  reason: string
}

export interface CapacityInit {
  libp2p: Libp2p
  directory: ServiceDirectory
  /** The executor names to pause while full. */
  names: string[]
  /** Whether the node can take a default-size deploy now. */
  state: () => CapacityState
  log: (fmt: string, ...args: unknown[]) => void
}

export class Capacity {
  private full = false
  private last: CapacityState = { full: false, reason: '' }

  constructor (private readonly init: CapacityInit) {}

  get isFull (): boolean { return this.full }
  get reason (): string { return this.last.reason }

  async start (): Promise<void> {
    const { libp2p, directory } = this.init
    await libp2p.handle(CAPACITY_PROTOCOL, (s) => { void this.answer(s) }, { maxInboundStreams: 8, runOnLimitedConnection: false })
    directory.excludeProvider = async (_name, p, signal) => !(await probe(libp2p, p, signal)).room
    this.update()
  }

  /** Re-evaluate (after a deploy, an exit, a suspend, a move): pause or resume the executor names on a change. */
  update (): void {
    const s = this.init.state()
    this.last = s
    if (s.full === this.full) return
    this.full = s.full
    if (s.full) {
      this.init.log('full (%s): executor records paused', s.reason)
      this.init.directory.pause(this.init.names)
    } else {
      this.init.log('room again: executor records re-announced')
      void this.init.directory.unpause(this.init.names)
    }
  }

  private async answer (stream: Stream): Promise<void> {
    const ch = new MessageChannel(streamDuplex(stream), { maxFrame: MAX_CONTROL_FRAME })
    try {
      const s = this.init.state()
      await ch.write(MessageAck, { code: s.full ? ErrorCode.RESOURCE_EXHAUSTED : ErrorCode.OK, error: s.reason })
      await ch.close()
    } catch {
      ch.abort()
    }
  }
}

/** Ask a provider whether it has room. Nodes without the protocol, and ones that do not answer in time, count as having room. */
export async function probe (libp2p: Libp2p, p: Provider | PeerId, signal?: AbortSignal): Promise<{ room: boolean, reason: string }> {
  const id = 'id' in p && (p as Provider).multiaddrs != null ? (p as Provider).id : p as PeerId
  const timeout = AbortSignal.timeout(CAPACITY_PROBE_MS)
  const sig = signal != null ? AbortSignal.any([signal, timeout]) : timeout
  let stream: Stream
  try {
    stream = await libp2p.dialProtocol(id, CAPACITY_PROTOCOL, { signal: sig })
  } catch {
    return { room: true, reason: '' }
  }
  const ch = new MessageChannel(streamDuplex(stream), { maxFrame: MAX_CONTROL_FRAME })
  try {
    const ack = await ch.read(MessageAck, { timeoutMs: CAPACITY_PROBE_MS, signal: sig, what: 'capacity answer' })
    return ack?.code === ErrorCode.RESOURCE_EXHAUSTED ? { room: false, reason: ack.error } : { room: true, reason: '' }
  } catch {
    return { room: true, reason: '' }
  } finally {
    ch.abort()
  }
}
