/**
 * Source side of a migration or clone (doc/node.md, Migration). With
 * pre-copy: snapshot while running and push every block the target lacks;
 * PREPARE (the target verifies and compiles meanwhile); suspend; push only
 * what changed since; COMMIT -> READY; GO -> RUNNING. Before GO any failure
 * resumes the original here: the target never starts a copy without GO.
 * After GO the outcome is asked for (RESOLVE) instead of guessed, so
 * exactly one copy runs; if no answer comes, the original stays suspended
 * (MigrationInDoubtError) and is resolved in the background. A clone
 * needs no suspension: a snapshot of the running instance is pushed and
 * started there with a new ID and new randomness.
 */
import { randomUUID } from 'node:crypto'
import type { Stream } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import { CHUNK_SIZE, encodeSnapshot } from '../executor/snapshot/index.js'
import type { InstanceSnapshot } from '../executor/index.js'
import { RequestError } from '../protocols/errors.js'
import { SNAPSHOT_PUSH_PROTOCOL } from '../protocols/ids.js'
import { BACKGROUND_RESOLVE_EVERY_MS, BACKGROUND_RESOLVE_FOR_MS, LEASE_MS, STALL_MS } from '../protocols/handover/index.js'
import { streamDuplex } from '../protocols/libp2p-duplex.js'
import { ErrorCode } from '../protocols/pb/gate.js'
import { pushSnapshot } from '../protocols/snapshot-push/index.js'
import { guardDuplex, StallError } from '../protocols/stall.js'
import { dialGuarded, Handover, resolveHandover, type Resolution } from './handover-client.js'
import type { Managed } from './instances.js'
import { asLinkError, HandoverAbortedError, MigrationInDoubtError } from './migrate-errors.js'
import { lastChunks, patchBases, rememberChunks } from './snapshot-history.js'
import type { GateNode } from './node.js'

export type MigratePhase = 'precopy' | 'final' | 'clone' | 'ready' | 'go'

export interface MigrateProgress {
  type: 'migrate:progress'
  /** precopy/final/clone: blocks going out (one event per block); ready: the target holds the final copy; go: GO sent. */
  phase: MigratePhase
  /** Totals of this push so far. */
  sentBytes: number
  sentBlocks: number
}

export interface MigrateOptions {
  clone?: boolean
  /** Copy while running first (default true for migration). */
  precopy?: boolean
  /** Honoured until GO (the point of no return); after it the handover completes, bounded by the stall deadline. */
  signal?: AbortSignal
  /** No progress for this long while waiting on the target fails the step (default STALL_MS). */
  stallMs?: number
  /** How long the target waits for GO before fencing its copy (default LEASE_MS). */
  leaseMs?: number
  onProgress?: (e: MigrateProgress) => void
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
  /** Milliseconds per step, for benchmarks. */
  phases: Record<string, number>
}

export async function migrateInstance (node: GateNode, m: Managed, peer: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const t0 = performance.now()
  const so = { stallMs: opts.stallMs ?? STALL_MS, signal: opts.signal }
  const inst = m.instance
  if (inst == null) throw new RequestError(ErrorCode.CONFLICT, `instance ${m.id} is ${m.status.state}, not running`)
  if (m.migrating) throw new RequestError(ErrorCode.CONFLICT, `instance ${m.id} is being moved already`)
  const moduleBytes = await node.modules.get(m.moduleHash)
  if (moduleBytes == null) throw new RequestError(ErrorCode.INTERNAL, `module ${m.moduleHash} is missing here`)
  const phases: Record<string, number> = {}
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now()
    try { return await f() } finally { phases[name] = performance.now() - t }
  }
  // the last snapshot of it (taken here, or the one it was resumed from):
  // unchanged chunks are not hashed again, changed ones can go as patches
  let previous: { memory?: Uint8Array, chunks: Array<CID | null>, changed?: number[] } | undefined
  const known = lastChunks(node, m.id)
  if (known != null) previous = { chunks: known }
  let bases = new Map<string, CID>()
  const capture = async (name: string, then: 'continue' | 'stop'): Promise<CID> => {
    // the final capture updates the pre-copy's memory in place and says which chunks changed
    const base = then === 'stop' && previous?.memory != null ? { memory: previous.memory, chunkSize: CHUNK_SIZE } : undefined
    const { snapshot, changed } = await timed(`${name}.capture`, async () => then === 'stop' ? await inst.suspend({ signal: opts.signal, base }) : await inst.snapshot({ then, signal: opts.signal }))
    if (base != null && previous != null) previous = changed != null ? { chunks: previous.chunks, changed } : { chunks: previous.chunks }
    return await timed(`${name}.encode`, async () => await encode(snapshot))
  }
  const encode = async (s: InstanceSnapshot): Promise<CID> => {
    const r = await encodeSnapshot(s, node.snapshots, { moduleBytes, previous })
    bases = patchBases(previous?.chunks, r.chunks)
    previous = { memory: s.memory, chunks: r.chunks }
    rememberChunks(node, m.id, r.chunks)
    return r.root
  }
  const push = async (root: CID, phase: 'precopy' | 'final' | 'clone', opened?: Promise<Stream>): Promise<number> => await timed(`${phase}.push`, async () => {
    const s = await (opened ?? dialGuarded(node, peer, SNAPSHOT_PUSH_PROTOCOL, so))
    const g = guardDuplex(streamDuplex(s), { stallMs: so.stallMs, what: `snapshot push to ${peer}`, signal: opts.signal })
    try {
      const r = await pushSnapshot(g, root, node.snapshots, {
        bases,
        signal: g.signal,
        onProgress: e => opts.onProgress?.({ type: 'migrate:progress', phase, sentBytes: e.sentBytes, sentBlocks: e.sentBlocks })
      })
      return r.sentBytes
    } catch (err) {
      throw g.signal.reason instanceof StallError ? g.signal.reason : asLinkError(err, peer, `the ${phase} push`, opts.signal)
    } finally {
      g.dispose()
    }
  })
  const request = (root: CID, clone: boolean): Parameters<typeof Handover.prepare>[2] => ({
    id: randomUUID(), root: root.toString(), clone, owner: m.owner, instance: m.id, transient: clone ? false : m.transient, leaseMs: opts.leaseMs ?? LEASE_MS
  })
  // a handover step: a broken link is reported as such (MigrationLinkError)
  const step = async <T>(name: 'prepare' | 'commit', f: () => Promise<T>): Promise<T> => await timed(name, async () => {
    try {
      return await f()
    } catch (err) {
      throw asLinkError(err, peer, name, opts.signal)
    }
  })
  const prepare = async (root: CID, clone: boolean): Promise<Handover> => await step('prepare', async () => await Handover.prepare(node, peer, request(root, clone), so))
  const commit = async (ho: Handover, root: string): Promise<void> => { await step('commit', async () => { await ho.commit(root) }) }

  if (opts.clone === true) {
    const root = await capture('clone', 'continue')
    const bytes = await push(root, 'clone')
    const ho = await prepare(root, true)
    try {
      await commit(ho, '')
    } catch (err) {
      ho.abort((err as Error).message)
      throw err
    }
    const r = await goAhead(node, ho, peer, '', so, opts, phases)
    if (r.outcome !== 'running') throw new HandoverAbortedError(`the target did not start the clone of ${m.id}`)
    return { instance: r.instance, peer, precopyBytes: bytes, finalBytes: 0, downtimeMs: 0, totalMs: performance.now() - t0, phases }
  }

  let precopyBytes = 0
  let finalBytes = 0
  let ho: Handover | undefined
  if (opts.precopy !== false) {
    const root = await capture('precopy', 'continue')
    precopyBytes = await push(root, 'precopy')
    // the target verifies and compiles while the program still runs here
    ho = await prepare(root, false)
  }
  // from here the instance is down until the target runs it, or we resume it
  const tDown = performance.now()
  m.migrating = true
  let quiet: (() => void) | undefined
  try {
    if (m.instance !== inst) throw new RequestError(ErrorCode.CONFLICT, `instance ${m.id} ended (${m.status.state}) before it could be moved`)
    quiet = ho?.keepAlive()
    // the final push's stream opens while the instance suspends, not after
    const opened = ho != null ? dialGuarded(node, peer, SNAPSHOT_PUSH_PROTOCOL, so) : undefined
    opened?.catch(() => {})
    let root: CID
    try {
      root = await capture('final', 'stop')
    } catch (err) {
      void opened?.then(s => { s.abort(err as Error) }, () => {})
      throw err
    }
    m.snapshotRoot = root
    finalBytes = await push(root, 'final', opened)
    quiet?.()
    ho ??= await prepare(root, false)
    await commit(ho, root.toString())
    opts.onProgress?.({ type: 'migrate:progress', phase: 'ready', sentBytes: finalBytes, sentBlocks: 0 })
  } catch (err) {
    quiet?.()
    ho?.abort((err as Error).message)
    m.migrating = false
    await resumeHere(node, m)
    // a COMMIT that reached the target may have left a fenced copy there: have it dropped
    if (ho?.committed === true) void cleanUp(node, peer, ho.id, m.id, so.stallMs)
    throw err
  }
  // GO: past this point the original resumes only when the target says it does not run it
  let r: Resolution
  try {
    r = await goAhead(node, ho, peer, m.id, so, opts, phases)
  } catch (err) {
    if (err instanceof MigrationInDoubtError) resolveInBackground(node, m, peer, ho.id, so.stallMs)
    throw err
  }
  if (r.outcome !== 'running') {
    m.migrating = false
    await resumeHere(node, m)
    throw new HandoverAbortedError(`the target did not start ${m.id}; it resumed here`)
  }
  const downtimeMs = performance.now() - tDown
  node.forgetMigrated(m, `${peer}/${r.instance}`)
  return { instance: r.instance, peer, precopyBytes, finalBytes, downtimeMs, totalMs: performance.now() - t0, phases }
}

/** Send GO; if its answer is lost, ask (RESOLVE) on new streams. */
async function goAhead (node: GateNode, ho: Handover, peer: string, instance: string, so: { stallMs: number }, opts: MigrateOptions, phases: Record<string, number>): Promise<Resolution> {
  const t = performance.now()
  try {
    const p = ho.go()
    opts.onProgress?.({ type: 'migrate:progress', phase: 'go', sentBytes: 0, sentBlocks: 0 })
    return { outcome: 'running', instance: await p }
  } catch (err) {
    node.log('handover %s to %s: no answer to GO (%s); resolving', ho.id, peer, (err as Error).message)
    const r = await resolveHandover(node, peer, ho.id, instance, { stallMs: so.stallMs, onError: e => { node.log('resolve %s: %s', ho.id, e.message) } })
    if (r == null) throw new MigrationInDoubtError(instance === '' ? 'a clone' : instance, peer, err as Error)
    return r
  } finally {
    phases.go = performance.now() - t
  }
}

async function resumeHere (node: GateNode, m: Managed): Promise<void> {
  if (m.instance != null || m.status.state !== 'suspended') return
  await node.resume(m.id).catch(e => { node.log.error('could not resume %s after a failed migration: %s', m.id, (e as Error).message) })
}

/** After a failure before GO: a target that held a READY copy drops it once asked (it would fence it otherwise). */
async function cleanUp (node: GateNode, peer: string, id: string, instance: string, stallMs: number): Promise<void> {
  const r = await resolveHandover(node, peer, id, instance, { stallMs, attempts: 3 }).catch(() => undefined)
  if (r?.outcome === 'running') node.log.error('handover %s: the target runs %s without GO', id, instance)
}

/** An in-doubt handover: ask until the target answers, then forget or resume the original. */
function resolveInBackground (node: GateNode, m: Managed, peer: string, id: string, stallMs: number): void {
  const until = performance.now() + BACKGROUND_RESOLVE_FOR_MS
  const attempt = async (): Promise<void> => {
    if (!node.isStarted || node.table.get(m.id) !== m || m.instance != null) return
    const r = await resolveHandover(node, peer, id, m.id, { stallMs, attempts: 1 }).catch(() => undefined)
    if (r?.outcome === 'running') { node.forgetMigrated(m, `${peer}/${r.instance}`); return }
    if (r?.outcome === 'aborted') { m.migrating = false; await resumeHere(node, m); return }
    if (performance.now() < until) { setTimeout(() => { void attempt() }, BACKGROUND_RESOLVE_EVERY_MS).unref(); return }
    m.migrating = false
    node.log.error('handover %s of %s to %s stayed in doubt; the instance is kept suspended here', id, m.id, peer)
  }
  setTimeout(() => { void attempt() }, BACKGROUND_RESOLVE_EVERY_MS).unref()
}
