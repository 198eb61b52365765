/**
 * Hibernation: one instance, as its user sees it, that is really a chain of
 * instances with gaps between them. When the running link has waited (for
 * input, a message, a timer) `afterMs` without interruption, it is suspended
 * (Instance.suspend: a full snapshot, then 'stop') and the snapshot is
 * encoded into the node's blockstore (the content-addressed snapshot format:
 * zero chunks left out, identical chunks shared with every other snapshot in
 * the store; the module stays out, the executor has it compiled). Then only
 * the root CID, what it waits for and its deadline stay here: no worker
 * slot, no linear memory. Input, a peer message or the deadline (a timer on
 * this thread) wakes it: decoded from the store and resumed in a worker as
 * Executor.resume would, with the input that came meanwhile passed on.
 * Output, input, kill, suspend, snapshot, wait() and files() go through this
 * handle in every state. Modelled on resume-every.ts.
 * doc/rationale.md: "Why hibernate idle instances, and how".
 */
import { CID } from 'multiformats/cid'
import type { InstanceSnapshot, InstanceStatus } from './types.js'
import type { FsImage } from './host/vfs/image.js'
import { Instance, type SnapshotOptions, type SnapshotResult } from './instance.js'
import type { WaitReport } from './worker/messages.js'
import type { Blockstore } from './snapshot/blockstore.js'
import { decodeSnapshot, decodeSparseSnapshot, encodeSnapshot, hibernationChunkSize } from './snapshot/format.js'
import type { SparseMemory, SparseSnapshot } from './snapshot/sparse.js'
import { InstanceStateError } from './errors.js'

export interface HibernateOptions {
  /** Hibernate an instance that has waited this long (ms) without interruption. */
  afterMs: number
  /** Where hibernated instances live (the node's blockstore). */
  store: Blockstore
  /**
   * Asked before instance `id` hibernates: false keeps it in its worker
   * (until its next wait). The node's cap on hibernated instances.
   */
  mayHibernate?: (id: string) => boolean
  /**
   * Asked before instance `id` wakes: a reason it may not (the node's memory
   * budget or instance cap is full) keeps it hibernated, its input queued,
   * and the wake is tried again later (WAKE_RETRY_MS, doubling to
   * WAKE_RETRY_MAX_MS). `force`: the wake happens anyway (a suspend that
   * must see the queued input); the answer is ignored, the hook still books it.
   */
  mayWake?: (id: string, force: boolean) => string | undefined
}

/** First retry of a refused wake (ms), doubling up to WAKE_RETRY_MAX_MS. */
export const WAKE_RETRY_MS = 20
export const WAKE_RETRY_MAX_MS = 1000

/** A handle that starts hibernated (Executor.adoptHibernated: a node restarting). */
export interface HibernatedStart {
  id: string
  moduleHash: string
  root: CID
  cond: WaitReport
  /** Its deadline from now, if it waits for one. */
  deadlineInMs?: number
  /** How long ago it was captured (its monotonic clock moves on by that too when it wakes). */
  capturedMsAgo?: number
}

/** One control word for every handle: a handle's own control word is never read (each link has its own). */
const NO_CONTROL = new SharedArrayBuffer(4)

/** Where the handle is: in a worker, on its way into the store, in the store, on its way back. */
export type HibernatePhase = 'running' | 'hibernating' | 'hibernated' | 'waking' | 'ended'

/**
 * The last snapshot of the same module that went into the store (its memory
 * and chunk CIDs), shared by the handles of one module: chunks that did not
 * change from it (the module's data, zero pages) keep their CID after a byte
 * compare instead of SHA-256 (EncodeOptions.previous).
 */
export interface ModuleTemplate { last?: { memory: Uint8Array | SparseMemory, chunks: Array<CID | null> } }

/** Starts the next link of the chain from a snapshot (the executor's spawn with the same module and options). */
export type Respawn = (snapshot: InstanceSnapshot | SparseSnapshot) => Instance

type Queued = { kind: 'input', data: Uint8Array } | { kind: 'end' } | { kind: 'peer', from: string, payload: Uint8Array }

/** What is kept of a hibernated instance. */
interface Hibernated {
  root: CID
  /** What it waits for. */
  cond: WaitReport
  /** performance.now() at which its deadline is due, if it has one. */
  deadlineAt?: number
  /** performance.now() at capture: the program's monotonic clock is moved on by the time spent here. */
  capturedAt: number
}

export class HibernatingInstance extends Instance {
  /** Why the store refused a snapshot (the instance then stays in a worker, no more hibernation). */
  hibernateError?: string
  /** Completed hibernations and wakes (for tests and figures). */
  hibernations = 0
  wakes = 0
  private inner: Instance | undefined
  private phaseNow: HibernatePhase = 'running'
  /** The current link's wait as last reported (undefined: it runs). */
  private waiting?: { cond: WaitReport, since: number, deadlineAt?: number }
  private timer?: NodeJS.Timeout
  private deadlineTimer?: NodeJS.Timeout
  private hib?: Hibernated
  /** Set while hibernating or waking: input and messages wait in `queue`. */
  private moving?: Promise<void>
  private readonly queue: Queued[] = []
  /** The user suspended or killed it: no more hibernation. */
  private stopping = false
  private userSuspend = false
  private finished = false
  /** Why the last wake was refused (mayWake), while the handle waits to try again. */
  wakeRefused?: string
  private wakeTimer?: NodeJS.Timeout
  private wakeDelay = WAKE_RETRY_MS

  /**
   * `hasPeer`: it was launched with a peer port (deliver() answers false otherwise);
   * `onPhase`: told of every change of phase (the executor's counts).
   */
  constructor (first: Instance | HibernatedStart, private readonly opts: HibernateOptions, private readonly respawn: Respawn,
    private readonly hasPeer: boolean, private readonly onPhase?: (from: HibernatePhase, to: HibernatePhase) => void,
    private readonly template: ModuleTemplate = {}) {
    // a handle that starts hibernated has no worker until it wakes (nothing here sends to `worker`)
    super(first.id, first.moduleHash, first instanceof Instance ? first.worker : undefined as unknown as Instance['worker'], NO_CONTROL)
    if (first instanceof Instance) { this.adopt(first, true); return }
    const now = performance.now()
    const deadlineAt = first.deadlineInMs != null ? now + first.deadlineInMs : undefined
    this.hib = { root: first.root, cond: first.cond, deadlineAt, capturedAt: now - Math.max(0, first.capturedMsAgo ?? 0) }
    this.setPhase('hibernated')
    if (deadlineAt != null) this.deadlineTimer = setTimeout(() => { this.deadlineTimer = undefined; this.wake() }, Math.max(0, deadlineAt - now))
  }

  /** Where the instance is now. */
  get phase (): HibernatePhase { return this.phaseNow }

  /** While hibernated: what it waits for (deadlineInMs: from now). */
  get waitsFor (): WaitReport | undefined {
    const h = this.phaseNow === 'hibernated' ? this.hib : undefined
    if (h == null) return undefined
    return { ...h.cond, deadlineInMs: h.deadlineAt != null ? Math.max(0, h.deadlineAt - performance.now()) : undefined }
  }

  /** While hibernated: how long ago it was captured (ms). */
  get hibernatedMs (): number | undefined {
    return this.phaseNow === 'hibernated' && this.hib != null ? performance.now() - this.hib.capturedAt : undefined
  }

  /** Root CID of the hibernated snapshot (while hibernated). */
  get root (): CID | undefined { return this.phaseNow === 'hibernated' ? this.hib?.root : undefined }

  private setPhase (p: HibernatePhase): void {
    const was = this.phaseNow
    if (was === p) return
    this.phaseNow = p
    this.onPhase?.(was, p)
    this.emit('phase', p)
  }

  private adopt (inst: Instance, first: boolean): void {
    this.inner = inst
    this.worker = inst.worker
    this.waiting = undefined
    inst.on('stdout', d => { this.onOutput(1, d) })
    inst.on('stderr', d => { this.onOutput(2, d) })
    inst.on('peer-names', names => { this.peerNames = names; this.emit('peer-names', names) })
    if (first) inst.on('running', ({ initMs }) => { this.onRunning(initMs) })
    inst.on('waiting', cond => { this.onWaiting(inst, cond) })
    inst.on('woke', () => {
      if (this.inner !== inst) return
      this.waiting = undefined
      this.disarm()
    })
    inst.on('exit', status => {
      // the suspension of a hibernation continues the chain; the user's suspend or anything else ends it
      if (status.state === 'suspended' && this.phaseNow === 'hibernating' && !this.userSuspend) return
      this.finish(status, inst.files())
    })
  }

  private onWaiting (inst: Instance, cond: WaitReport): void {
    if (this.inner !== inst || this.finished) return
    const now = performance.now()
    this.waiting = { cond, since: now, deadlineAt: cond.deadlineInMs != null ? now + cond.deadlineInMs : undefined }
    this.disarm()
    if (this.stopping || this.phaseNow !== 'running') return
    // a deadline sooner than the threshold wakes it first anyway
    if (cond.deadlineInMs != null && cond.deadlineInMs <= this.opts.afterMs) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (this.moving != null) return
      const p = this.hibernate()
      // hibernate() may have given up before its first await
      if (this.phaseNow === 'hibernating') this.moving = p
    }, this.opts.afterMs)
  }

  private disarm (): void {
    if (this.timer != null) { clearTimeout(this.timer); this.timer = undefined }
  }

  private async hibernate (): Promise<void> {
    const old = this.inner
    if (old == null || this.finished || this.stopping || this.phaseNow !== 'running' || this.waiting == null) return
    if (old.peerPending > 0) return // an answer on its way to the worker: stay
    if (this.opts.mayHibernate != null && !this.opts.mayHibernate(this.id)) return
    this.setPhase('hibernating')
    let snap: SparseSnapshot
    let capturedAt: number
    try {
      // its memory as its non-zero pages: this thread never holds the whole of it (snapshot/sparse.ts)
      const r = await old.suspendSparse()
      snap = r.snapshot
      capturedAt = performance.now() - Math.max(0, r.totalMs - r.requestToCapturedMs)
    } catch {
      // it ended first (its exit event has ended this handle), or the capture failed: stay as it is
      this.moving = undefined
      if (!this.finished) this.setPhase('running')
      return
    }
    if (this.finished) { this.moving = undefined; return }
    this.inner = undefined
    // what it waits for: the last report before the capture (the worker posts in order)
    const w = this.waiting
    if (w == null || this.queue.length > 0) {
      // it was running when captured, or input came meanwhile: straight back, from the snapshot at hand
      this.relaunch(snap, capturedAt)
      return
    }
    let root: CID
    let chunks: Array<CID | null>
    try {
      // small chunks for a small memory; the template only where it was cut the same way (the same size)
      const chunkSize = hibernationChunkSize(snap.memory.byteLength)
      const last = this.template.last
      const same = last != null && last.memory.byteLength === snap.memory.byteLength
      const r = await encodeSnapshot(snap, this.opts.store, same ? { chunkSize, previous: { memory: last.memory, chunks: last.chunks } } : { chunkSize })
      root = r.root
      chunks = r.chunks
    } catch (err) {
      // the store refused it: carry on in a worker, no more hibernation
      this.stopping = true
      this.hibernateError = (err as Error).message
      this.relaunch(snap, capturedAt)
      return
    }
    if (this.finished) { this.moving = undefined; return }
    if (this.queue.length > 0) { this.relaunch(snap, capturedAt); return }
    this.template.last = { memory: snap.memory, chunks } // not transferred anywhere: it stays whole
    // the root in bytes of its own: the encoder's CID may share a buffer with other blocks
    this.hib = { root: CID.decode(new Uint8Array(root.bytes)), cond: w.cond, deadlineAt: w.deadlineAt, capturedAt }
    this.hibernations++
    this.setPhase('hibernated')
    this.moving = undefined
    if (w.deadlineAt != null) this.deadlineTimer = setTimeout(() => { this.deadlineTimer = undefined; this.wake() }, Math.max(0, w.deadlineAt - performance.now()))
  }

  /** The next link from a snapshot, its monotonic clock moved on by the time it spent out of a worker. */
  private relaunch (snap: InstanceSnapshot | SparseSnapshot, capturedAt: number): void {
    let next: Instance
    try {
      next = this.respawn(withClockMoved({ ...snap, status: { state: 'running' } }, performance.now() - capturedAt))
    } catch (err) {
      this.moving = undefined
      this.finish({ state: 'killed', cause: 'INTERNAL', error: `hibernate: could not resume instance ${this.id}: ${(err as Error).message}` })
      return
    }
    this.setPhase('running')
    this.adopt(next, false)
    this.moving = undefined
    for (const q of this.queue.splice(0)) this.pass(q)
  }

  /** Back into a worker (input, a message or the deadline). A wake while one is under way is that wake. */
  private wake (force = false): void {
    if (this.phaseNow !== 'hibernated' || this.finished) return
    if (this.wakeTimer != null) { if (!force) return; clearTimeout(this.wakeTimer); this.wakeTimer = undefined }
    const refused = this.opts.mayWake?.(this.id, force)
    if (refused != null && !force) {
      // the node is full: stay in the store, input queued, and try again
      this.wakeRefused = refused
      this.wakeTimer = setTimeout(() => { this.wakeTimer = undefined; this.wake() }, this.wakeDelay)
      this.wakeDelay = Math.min(WAKE_RETRY_MAX_MS, this.wakeDelay * 2)
      return
    }
    this.wakeRefused = undefined
    this.wakeDelay = WAKE_RETRY_MS
    if (this.deadlineTimer != null) { clearTimeout(this.deadlineTimer); this.deadlineTimer = undefined }
    const hib = this.hib!
    this.setPhase('waking')
    this.moving = (async () => {
      let snap: SparseSnapshot
      try {
        snap = await decodeSparseSnapshot(hib.root, this.opts.store)
      } catch (err) {
        this.moving = undefined
        this.finish({ state: 'killed', cause: 'INTERNAL', error: `hibernate: could not wake instance ${this.id}: ${(err as Error).message}` })
        return
      }
      if (this.finished) { this.moving = undefined; return }
      this.hib = undefined
      this.wakes++
      this.relaunch(snap, hib.capturedAt)
    })()
  }

  private async load (hib: Hibernated): Promise<InstanceSnapshot> {
    return (await decodeSnapshot(hib.root, this.opts.store)).snapshot
  }

  private pass (q: Queued): void {
    const inner = this.inner!
    if (q.kind === 'input') inner.write(q.data)
    else if (q.kind === 'end') inner.end()
    else inner.deliver(q.from, q.payload)
  }

  private send (q: Queued): void {
    if (this.finished) return
    if (this.moving != null || this.inner == null) {
      // kept: the caller may reuse its buffer (Instance.write copies too)
      this.queue.push(q.kind === 'input' ? { kind: 'input', data: q.data.slice() } : q)
      if (this.phaseNow === 'hibernated') this.wake()
    } else this.pass(q)
  }

  /** Once no hibernation or wake is under way. */
  private async settled (): Promise<void> {
    while (this.moving != null) await this.moving
  }

  private finish (status: InstanceStatus, files?: FsImage): void {
    if (this.finished) return
    this.finished = true
    this.disarm()
    if (this.deadlineTimer != null) clearTimeout(this.deadlineTimer)
    if (this.wakeTimer != null) clearTimeout(this.wakeTimer)
    this.queue.length = 0
    this.hib = undefined
    this.inner = undefined
    this.setPhase('ended')
    this.onExit(status, files)
  }

  override write (data: Uint8Array): void { if (data.byteLength > 0) this.send({ kind: 'input', data }) }
  override end (): void { this.send({ kind: 'end' }) }

  override deliver (from: string, payload: Uint8Array): boolean {
    if (this.finished || !this.hasPeer) return false
    this.send({ kind: 'peer', from, payload })
    return true
  }

  override async snapshot (opts: SnapshotOptions & { then?: 'stop' | 'continue' } = {}): Promise<SnapshotResult> {
    if (opts.then === 'stop') return await this.suspend(opts)
    if (this.finished) throw new InstanceStateError(`instance ${this.id} is ${this.status.state}`)
    await this.settled()
    if (this.finished) throw new InstanceStateError(`instance ${this.id} is ${this.status.state}`)
    if (this.phaseNow === 'hibernated') {
      // it stays hibernated: the snapshot is the stored one, its clock as if it had been waiting in a worker
      const t0 = performance.now()
      const hib = this.hib!
      const snap = withClockMoved(await this.load(hib), performance.now() - hib.capturedAt)
      const ms = performance.now() - t0
      return { snapshot: { ...snap, status: { state: 'suspended' } }, requestToStoppedMs: 0, requestToCapturedMs: ms, totalMs: ms }
    }
    return await this.inner!.snapshot(opts)
  }

  /**
   * While hibernated with nothing queued for it: end this handle in state
   * `suspended` without loading anything, its snapshot staying in the store
   * under the returned root (with what it waits for), for
   * Executor.adoptHibernated later (a node stopping). Otherwise undefined,
   * and nothing changes.
   */
  detach (): { root: CID, waitsFor: WaitReport, capturedMsAgo: number } | undefined {
    if (this.finished || this.phaseNow !== 'hibernated' || this.queue.length > 0 || this.wakeTimer != null) return undefined
    const w = this.waitsFor!
    const r = { root: this.hib!.root, waitsFor: w, capturedMsAgo: this.hibernatedMs! }
    this.stopping = true
    this.finish({ state: 'suspended' })
    return r
  }

  /** Suspend for good: ends in state `suspended` like a plain instance; a hibernated one answers its stored snapshot, no worker needed. */
  override async suspend (opts: SnapshotOptions = {}): Promise<SnapshotResult> {
    if (this.finished) throw new InstanceStateError(`instance ${this.id} is ${this.status.state}`)
    this.stopping = true
    this.disarm()
    await this.settled()
    if (this.finished) throw new InstanceStateError(`instance ${this.id} is ${this.status.state}`)
    if (this.phaseNow === 'hibernated') {
      if (this.queue.length > 0) {
        // input came for it: the snapshot must hold it, so wake it (even on a full node) and suspend it in its worker
        this.wake(true)
        await this.settled()
        return await this.suspend(opts)
      }
      let r: SnapshotResult
      try {
        r = await this.snapshot()
      } catch (err) {
        this.finish({ state: 'killed', cause: 'INTERNAL', error: `hibernate: could not load instance ${this.id}: ${(err as Error).message}` })
        throw err
      }
      this.finish({ state: 'suspended' })
      return r
    }
    this.userSuspend = true
    const r = await this.inner!.suspend(opts)
    await this.wait()
    return r
  }

  override async kill (): Promise<InstanceStatus> {
    if (!this.finished) {
      this.stopping = true
      this.disarm()
      await this.settled()
      if (!this.finished) {
        if (this.phaseNow === 'hibernated') this.finish({ state: 'killed', cause: 'KILLED' })
        else await this.inner!.kill()
      }
    }
    return await this.wait()
  }
}

/** The snapshot with the program's monotonic clock `ms` later (time spent out of a worker passes for a waiting program). */
function withClockMoved<S extends InstanceSnapshot | SparseSnapshot> (snap: S, ms: number): S {
  const h = snap.host as { abi: unknown, runtime: { monotonicNs: bigint | number, phase: string } }
  if (h?.runtime == null || !(ms > 0)) return snap
  const monotonicNs = BigInt(h.runtime.monotonicNs) + BigInt(Math.floor(ms * 1e6))
  return { ...snap, host: { ...snap.host, runtime: { ...h.runtime, monotonicNs } } as any }
}
