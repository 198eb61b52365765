/**
 * `resumeEvery` (a testing aid): one instance, as its user sees it, that is
 * really a chain of instances. Every N ms the current one is suspended (a
 * full InstanceSnapshot, as `Instance.suspend` makes it) and the snapshot is
 * resumed in another worker of the pool; output events, input, kill,
 * suspend, wait() and files() go through this handle and span the chain.
 * doc/rationale.md: "Why resumeEvery is a handle of its own".
 */
import type { InstanceSnapshot, InstanceStatus } from './types.js'
import type { FsImage } from './host/vfs/image.js'
import { Instance, type SnapshotOptions, type SnapshotResult } from './instance.js'
import type { PooledWorker } from './pool.js'
import { InstanceStateError } from './errors.js'

/** Starts the next link of the chain: the snapshot in a worker other than `avoid` where the pool allows. */
export type Relaunch = (snapshot: InstanceSnapshot, avoid: PooledWorker) => Instance

/** One completed suspend-and-resume. */
export interface ResumeCycle {
  /** Worker thread ids: where it ran, where it continues. */
  fromThread: number
  toThread: number
  /** Suspend request to the new instance launched (ms, main thread). */
  ms: number
}

type Queued = { kind: 'input', data: Uint8Array } | { kind: 'end' } | { kind: 'peer', from: string, payload: Uint8Array }

export class ResumeEveryInstance extends Instance {
  /** Completed cycles, in order. */
  readonly cycles: ResumeCycle[] = []
  /** The instance currently running the program. */
  private inner: Instance
  private timer?: NodeJS.Timeout
  /** Set while a cycle is under way: input and messages wait in `queue`. */
  private moving?: Promise<void>
  private readonly queue: Queued[] = []
  /** The user suspended or killed it: no more cycles. */
  private stopping = false
  private userSuspend = false
  private finished = false

  constructor (first: Instance, private readonly everyMs: number, private readonly relaunch: Relaunch) {
    super(first.id, first.moduleHash, first.worker, new SharedArrayBuffer(4))
    this.inner = first
    this.adopt(first, true)
  }

  /** The worker thread ids the program has run in, in order. */
  get threads (): number[] {
    return this.cycles.length === 0 ? [this.inner.worker.worker.threadId] : [this.cycles[0].fromThread, ...this.cycles.map(c => c.toThread)]
  }

  private adopt (inst: Instance, first: boolean): void {
    this.inner = inst
    this.worker = inst.worker
    inst.on('stdout', d => { this.onOutput(1, d) })
    inst.on('stderr', d => { this.onOutput(2, d) })
    inst.on('peer-names', names => { this.peerNames = names; this.emit('peer-names', names) })
    if (first) inst.on('running', ({ initMs }) => { this.onRunning(initMs) })
    inst.on('exit', status => {
      // a suspension this handle asked for continues (a cycle) or ends it (the user's suspend)
      if (status.state === 'suspended' && !this.userSuspend) return
      this.finish(status, inst.files())
    })
    this.arm()
  }

  private arm (): void {
    if (this.stopping || this.finished) return
    this.timer = setTimeout(() => { this.moving = this.cycle() }, this.everyMs)
  }

  private async cycle (): Promise<void> {
    const old = this.inner
    const t0 = performance.now()
    let snap: InstanceSnapshot
    try {
      snap = (await old.suspend()).snapshot
    } catch {
      // it ended first (its exit event has ended this handle), or the capture failed: try again later
      this.moving = undefined
      if (old.status.state === 'running') this.arm()
      return
    }
    if (this.finished) { this.moving = undefined; return }
    let next: Instance
    try {
      next = this.relaunch({ ...snap, status: { state: 'running' } }, old.worker)
    } catch (err) {
      this.moving = undefined
      this.finish({ state: 'killed', cause: 'INTERNAL', error: `resumeEvery: ${(err as Error).message}` })
      return
    }
    this.cycles.push({ fromThread: old.worker.worker.threadId, toThread: next.worker.worker.threadId, ms: performance.now() - t0 })
    this.moving = undefined
    this.adopt(next, false)
    for (const q of this.queue.splice(0)) this.pass(q)
  }

  private pass (q: Queued): void {
    if (q.kind === 'input') this.inner.write(q.data)
    else if (q.kind === 'end') this.inner.end()
    else this.inner.deliver(q.from, q.payload)
  }

  private send (q: Queued): void {
    if (this.finished) return
    if (this.moving != null) this.queue.push(q)
    else this.pass(q)
  }

  /** The current instance once no cycle is under way. */
  private async settled (): Promise<Instance> {
    while (this.moving != null) await this.moving
    return this.inner
  }

  private finish (status: InstanceStatus, files?: FsImage): void {
    if (this.finished) return
    this.finished = true
    if (this.timer != null) clearTimeout(this.timer)
    this.queue.length = 0
    this.onExit(status, files)
  }

  override write (data: Uint8Array): void { this.send({ kind: 'input', data }) }
  override end (): void { this.send({ kind: 'end' }) }

  override deliver (from: string, payload: Uint8Array): boolean {
    if (this.finished) return false
    this.send({ kind: 'peer', from, payload })
    return true
  }

  override async snapshot (opts: SnapshotOptions & { then?: 'stop' | 'continue' } = {}): Promise<SnapshotResult> {
    if (opts.then === 'stop') return await this.suspend(opts)
    if (this.finished) throw new InstanceStateError(`instance ${this.id} is ${this.status.state}`)
    return await (await this.settled()).snapshot(opts)
  }

  /** Suspend for good: no more cycles; ends in state `suspended` like a plain instance. */
  override async suspend (opts: SnapshotOptions = {}): Promise<SnapshotResult> {
    if (this.finished) throw new InstanceStateError(`instance ${this.id} is ${this.status.state}`)
    this.stopping = true
    if (this.timer != null) clearTimeout(this.timer)
    const inner = await this.settled()
    this.userSuspend = true
    try {
      const r = await inner.suspend(opts)
      await this.wait()
      return r
    } finally {
      this.userSuspend = this.finished
    }
  }

  override async kill (): Promise<InstanceStatus> {
    if (!this.finished) {
      this.stopping = true
      if (this.timer != null) clearTimeout(this.timer)
      await (await this.settled()).kill()
    }
    return await this.wait()
  }
}
