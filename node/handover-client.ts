/**
 * Source side of the handover protocol (protocols/handover): PREPARE ->
 * PREPARED, COMMIT -> READY, GO -> RUNNING on one stream, and RESOLVE on
 * new streams when the answer to GO was lost. Every wait is bounded by the
 * stall deadline; dials too.
 */
import type { Stream } from '@libp2p/interface'
import { HandoverChannel } from '../protocols/handover/channel.js'
import { HANDOVER_PROTOCOL, RESOLVE_ATTEMPTS, RESOLVE_BACKOFF_MS, type HandoverMessage, type Outcome } from '../protocols/handover/index.js'
import { streamDuplex } from '../protocols/libp2p-duplex.js'
import { StallError } from '../protocols/stall.js'
import { withDeadline } from './deadline.js'
import type { GateNode } from './node.js'

export type PrepareRequest = Omit<Extract<HandoverMessage, { type: 'prepare' }>, 'type'>

export interface StallOptions {
  stallMs: number
  signal?: AbortSignal
}

/** Open a stream; a dial that makes no progress within the stall deadline is a StallError. */
export async function dialGuarded (node: GateNode, peer: string, protocol: string, opts: StallOptions): Promise<Stream> {
  opts.signal?.throwIfAborted()
  const stalled = (): Error => new StallError(`opening ${protocol} to ${peer}`, opts.stallMs)
  return await withDeadline(opts.stallMs, stalled, opts.signal, async signal => {
    try {
      return await node.dial(peer, protocol, { signal })
    } catch (err) {
      opts.signal?.throwIfAborted()
      // not the caller's abort, so the deadline's
      if (signal.aborted) throw signal.reason as Error
      throw err
    }
  })
}

export class Handover {
  /** COMMIT was (or may have been) sent: the target may hold a READY copy. */
  committed = false
  /** GO was (or may have been) sent: the target may run it. The source's point of no return. */
  wentAhead = false
  leaseMs = 0

  private constructor (private readonly ch: HandoverChannel, readonly id: string) {}

  /** Dial, PREPARE, wait for PREPARED (the target verifies and compiles meanwhile, with keepalives). */
  static async prepare (node: GateNode, peer: string, req: PrepareRequest, opts: StallOptions): Promise<Handover> {
    const s = await dialGuarded(node, peer, HANDOVER_PROTOCOL, opts)
    const ch = new HandoverChannel(streamDuplex(s), { stallMs: opts.stallMs, what: `handover to ${peer}`, signal: opts.signal })
    try {
      await ch.send({ type: 'prepare', ...req })
      const p = await ch.expect('prepared')
      const ho = new Handover(ch, req.id)
      ho.leaseMs = p.leaseMs
      return ho
    } catch (err) {
      ch.abort()
      throw err
    }
  }

  /** Keep the target's stall clock from running while we suspend and push (until the returned function is called). */
  keepAlive (): () => void { return this.ch.keepAlive() }

  /** COMMIT with the final snapshot's root (empty: the prepared one); resolves on READY. */
  async commit (root: string): Promise<void> {
    this.committed = true
    await this.ch.send({ type: 'commit', root })
    await this.ch.expect('ready')
  }

  /** GO; the instance ID on the target once it runs. Any error here leaves the outcome unknown: resolve(). */
  async go (): Promise<string> {
    this.wentAhead = true
    await this.ch.send({ type: 'go' })
    const r = await this.ch.expect('running')
    await this.ch.close().catch(() => {})
    return r.instance
  }

  /** Before GO: tell the target to drop what it prepared (best effort), and close. */
  abort (reason: string): void {
    if (this.wentAhead) { this.ch.abort(); return }
    void this.ch.send({ type: 'abort', reason }).then(async () => { await this.ch.close() }).catch(() => { this.ch.abort() })
  }
}

export interface Resolution { outcome: Outcome, instance: string }

/**
 * Ask the target what became of handover `id` (after GO). The target
 * answers truthfully and, if GO has not reached it, makes sure it never
 * will count: the answer is then 'aborted'. Undefined if no answer came
 * within `attempts` tries.
 */
export async function resolveHandover (node: GateNode, peer: string, id: string, instance: string, opts: StallOptions & { attempts?: number, onError?: (err: Error) => void }): Promise<Resolution | undefined> {
  const attempts = opts.attempts ?? RESOLVE_ATTEMPTS
  for (let n = 1; n <= attempts; n++) {
    opts.signal?.throwIfAborted()
    try {
      const s = await dialGuarded(node, peer, HANDOVER_PROTOCOL, opts)
      const ch = new HandoverChannel(streamDuplex(s), { stallMs: opts.stallMs, what: `handover resolve at ${peer}`, signal: opts.signal })
      try {
        await ch.send({ type: 'resolve', id, instance })
        const r = await ch.expect('resolved')
        await ch.close().catch(() => {})
        return { outcome: r.outcome, instance: r.instance }
      } catch (err) {
        ch.abort()
        throw err
      }
    } catch (err) {
      opts.onError?.(err as Error)
      if (n < attempts) await new Promise(resolve => setTimeout(resolve, RESOLVE_BACKOFF_MS * n))
    }
  }
  return undefined
}
