/**
 * Source side of a migration or clone (doc/node.md). Migration with
 * pre-copy: snapshot while running and push every block the target lacks;
 * suspend; push only what changed since; the target prepares (verifies and
 * compiles) and, on our commit, resumes and confirms. Until it confirms,
 * the suspended original stays here and is resumed on any failure: never
 * zero copies. A clone needs no suspension: a snapshot of the running
 * instance is pushed and started there with a new ID and new randomness.
 */
import type { CID } from 'multiformats/cid'
import { encodeSnapshot } from '../executor/snapshot/index.js'
import type { InstanceSnapshot } from '../executor/index.js'
import { MessageChannel } from '../protocols/channel.js'
import { RemoteError, RequestError } from '../protocols/errors.js'
import { MAX_CONTROL_FRAME, MIGRATE_PROTOCOL, SNAPSHOT_PUSH_PROTOCOL } from '../protocols/ids.js'
import { streamDuplex } from '../protocols/libp2p-duplex.js'
import { ErrorCode, MigrateCommit, MigrateReply, MigrateRequest } from '../protocols/pb/gate.js'
import { pushSnapshot } from '../protocols/snapshot-push/index.js'
import type { Managed } from './instances.js'
import type { GateNode } from './node.js'

export interface MigrateOptions {
  clone?: boolean
  /** Copy while running first (default true for migration). */
  precopy?: boolean
  signal?: AbortSignal
  onProgress?: (e: { phase: 'precopy' | 'final' | 'clone', sentBytes: number, sentBlocks: number }) => void
}

export interface MigrateResult {
  /** Instance ID on the target (a clone's is new). */
  instance: string
  peer: string
  /** Bytes pushed while the instance still ran, and after it was suspended. */
  precopyBytes: number
  finalBytes: number
  /** Suspend to confirmed running on the target (0 for a clone). */
  downtimeMs: number
  totalMs: number
}

export async function migrateInstance (node: GateNode, m: Managed, peer: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const t0 = performance.now()
  const inst = m.instance
  if (inst == null) throw new RequestError(ErrorCode.CONFLICT, `instance ${m.id} is ${m.status.state}, not running`)
  const moduleBytes = await node.modules.get(m.moduleHash)
  if (moduleBytes == null) throw new RequestError(ErrorCode.INTERNAL, `module ${m.moduleHash} is missing here`)
  // the pre-copy snapshot: the final one re-hashes only chunks that changed since
  let previous: { memory: Uint8Array, chunks: Array<CID | null> } | undefined
  const encode = async (s: InstanceSnapshot): Promise<CID> => {
    const r = await encodeSnapshot(s, node.snapshots, { moduleBytes, previous })
    previous = { memory: s.memory, chunks: r.chunks }
    return r.root
  }
  const push = async (root: CID, phase: 'precopy' | 'final' | 'clone'): Promise<number> => {
    const s = await node.dial(peer, SNAPSHOT_PUSH_PROTOCOL, { signal: opts.signal })
    const r = await pushSnapshot(streamDuplex(s), root, node.snapshots, { signal: opts.signal })
    opts.onProgress?.({ phase, sentBytes: r.sentBytes, sentBlocks: r.sentBlocks })
    return r.sentBytes
  }

  if (opts.clone === true) {
    const { snapshot } = await inst.snapshot({ then: 'continue', signal: opts.signal })
    const root = await encode(snapshot)
    const bytes = await push(root, 'clone')
    const ho = await Handover.prepare(node, peer, { root: root.toString(), clone: true, owner: m.owner, instance: m.id, transient: false }, opts.signal)
    const id = await ho.commit('', opts.signal)
    return { instance: id, peer, precopyBytes: bytes, finalBytes: 0, downtimeMs: 0, totalMs: performance.now() - t0 }
  }

  let precopyBytes = 0
  let ho: Handover | undefined
  if (opts.precopy !== false) {
    const { snapshot } = await inst.snapshot({ then: 'continue', signal: opts.signal })
    const root = await encode(snapshot)
    precopyBytes = await push(root, 'precopy')
    // the target verifies and compiles while the program still runs here
    ho = await Handover.prepare(node, peer, { root: root.toString(), clone: false, owner: m.owner, instance: m.id, transient: m.transient }, opts.signal)
  }
  // from here the instance is down until the target confirms, or we resume it
  const tDown = performance.now()
  m.migrating = true
  try {
    if (m.instance !== inst) throw new RequestError(ErrorCode.CONFLICT, `instance ${m.id} ended (${m.status.state}) before it could be moved`)
    const { snapshot } = await inst.suspend({ signal: opts.signal })
    const root = await encode(snapshot)
    m.snapshotRoot = root
    const finalBytes = await push(root, 'final')
    ho ??= await Handover.prepare(node, peer, { root: root.toString(), clone: false, owner: m.owner, instance: m.id, transient: m.transient }, opts.signal)
    const id = await ho.commit(root.toString(), opts.signal)
    const downtimeMs = performance.now() - tDown
    node.forgetMigrated(m, `${peer}/${id}`)
    return { instance: id, peer, precopyBytes, finalBytes, downtimeMs, totalMs: performance.now() - t0 }
  } catch (err) {
    ho?.abort()
    m.migrating = false
    if (m.instance == null && m.status.state === 'suspended') {
      // the target did not confirm: the original continues here
      await node.resume(m.id).catch(e => { node.log.error('could not resume %s after a failed migration: %s', m.id, (e as Error).message) })
    }
    throw err
  }
}

/** The migrate stream: request -> PREPARED, then commit -> RUNNING. */
class Handover {
  private constructor (private readonly ch: MessageChannel) {}

  static async prepare (node: GateNode, peer: string, req: MigrateRequest, signal?: AbortSignal): Promise<Handover> {
    const s = await node.dial(peer, MIGRATE_PROTOCOL, { signal })
    const ch = new MessageChannel(streamDuplex(s), { maxFrame: MAX_CONTROL_FRAME })
    try {
      await ch.write(MigrateRequest, req)
      const prep = await ch.expect(MigrateReply, { what: 'prepare reply', timeoutMs: 120_000, signal })
      if (prep.code !== ErrorCode.OK) throw new RemoteError(prep.code, prep.error)
      return new Handover(ch)
    } catch (err) {
      ch.abort()
      throw err
    }
  }

  /** Commit (with the final snapshot's root, if it differs); returns the instance ID there once it runs. */
  async commit (root: string, signal?: AbortSignal): Promise<string> {
    try {
      await this.ch.write(MigrateCommit, { commit: true, root })
      const run = await this.ch.expect(MigrateReply, { what: 'running reply', timeoutMs: 60_000, signal })
      if (run.code !== ErrorCode.OK) throw new RemoteError(run.code, run.error)
      await this.ch.close()
      return run.instance
    } catch (err) {
      this.ch.abort()
      throw err
    }
  }

  abort (): void { this.ch.abort() }
}
