/**
 * The main thread's handle on one instance running in a worker.
 */
import { EventEmitter } from 'node:events'
import type { InstanceSnapshot, InstanceStatus, PeerPort } from './types.js'
import { PEER_ERR_FAILED, PEER_OK, type PeerRequest } from './host/services/peer.js'
import type { PooledWorker } from './pool.js'
import { CTL_KILL, type SnapshotBase, type WaitReport } from './worker/messages.js'
import { InstanceStateError, SnapshotFailedError } from './errors.js'
import type { FsImage } from './host/vfs/image.js'
import type { SparseSnapshot } from './snapshot/sparse.js'

/** Client input is sent to the worker in pieces of up to this many bytes (see Instance.write). */
const INPUT_BATCH = 1024 * 1024

export interface SnapshotResult {
  snapshot: InstanceSnapshot
  /**
   * Request to instance stopped (unwound or waiting, no longer executing),
   * measured in the worker: what the countdown and the unwind cost.
   */
  requestToStoppedMs: number
  /** Request to state captured (memory copied out), measured in the worker. */
  requestToCapturedMs: number
  /** Request to snapshot received on the main thread. */
  totalMs: number
  /** With a base: indices of the memory chunks that differed from it (the rest is the base's bytes). */
  changed?: number[]
}

/** A SnapshotResult whose memory is sparse (Instance.suspendSparse). */
export type SparseResult = Omit<SnapshotResult, 'snapshot'> & { snapshot: SparseSnapshot }

export interface SnapshotOptions {
  signal?: AbortSignal
  /**
   * An earlier snapshot's memory (a whole ArrayBuffer; transferred, unusable
   * after): the worker copies only chunks that differ into it and returns
   * it as this snapshot's memory, with `changed`. Ignored if sizes differ.
   */
  base?: SnapshotBase
}

export interface InstanceEvents {
  /** Instantiated or restored in its worker; initMs measured there. */
  running: [{ initMs: number }]
  stdout: [Uint8Array]
  stderr: [Uint8Array]
  exit: [InstanceStatus]
  /** The names the program has registered with its peer service changed. */
  'peer-names': [string[]]
  /** @internal launched with reportWaits (hibernation): the program waits for `cond`, and runs again. */
  waiting: [WaitReport]
  woke: []
  /** A hibernating handle (executor/hibernate.ts) changed phase: 'running', 'hibernating', 'hibernated', 'waking', 'ended'. */
  phase: [string]
}

export class Instance extends EventEmitter<InstanceEvents> {
  readonly id: string
  readonly moduleHash: string
  status: InstanceStatus = { state: 'running' }
  /** @internal */
  worker: PooledWorker
  private readonly control: Int32Array
  private readonly exited: Promise<InstanceStatus>
  private resolveExit!: (s: InstanceStatus) => void
  private readonly snapshotWaiters: Array<{ resolve: (r: SnapshotResult | SparseResult) => void, reject: (e: Error) => void, at: number }> = []
  private killTimer?: NodeJS.Timeout
  /** Input not yet sent to the worker: inBuf[0, inLen). */
  private inBuf?: Uint8Array
  private inLen = 0
  private inFlush?: NodeJS.Immediate

  /** Names registered by the program's peer service. */
  peerNames: string[] = []
  private readonly peer?: PeerPort

  /** @internal */
  constructor (id: string, moduleHash: string, worker: PooledWorker, control: SharedArrayBuffer, peer?: PeerPort) {
    super()
    this.peer = peer
    this.id = id
    this.moduleHash = moduleHash
    this.worker = worker
    this.control = new Int32Array(control)
    this.exited = new Promise(resolve => { this.resolveExit = resolve })
  }

  /**
   * Client input: WASI stdin and the origin service's stream. Copied here
   * (the caller may reuse `data`) into a batch that goes to the worker as
   * one transferred buffer at the end of this event-loop turn, or at once
   * when it reaches INPUT_BATCH: many small writes cost the worker one
   * message, and nothing is copied again on the way.
   */
  write (data: Uint8Array): void {
    if (this.status.state !== 'running' || data.byteLength === 0) return
    const need = this.inLen + data.byteLength
    if (this.inBuf == null || need > this.inBuf.byteLength) {
      const grown = Buffer.allocUnsafeSlow(Math.max(need, Math.min(INPUT_BATCH, 2 * (this.inBuf?.byteLength ?? 0)), 64 * 1024))
      if (this.inBuf != null) grown.set(this.inBuf.subarray(0, this.inLen))
      this.inBuf = grown
    }
    this.inBuf.set(data, this.inLen)
    this.inLen = need
    if (need >= INPUT_BATCH) this.flushInput()
    else this.inFlush ??= setImmediate(() => { this.flushInput() })
  }

  /** Send batched input now (before anything that must come after it). */
  private flushInput (): void {
    if (this.inFlush != null) { clearImmediate(this.inFlush); this.inFlush = undefined }
    const buf = this.inBuf
    if (buf == null || this.inLen === 0) return
    // a batch far from full (interactive input) goes as an exact copy, not
    // as most of a mostly unused buffer
    const data = this.inLen < buf.byteLength / 2 ? new Uint8Array(buf.subarray(0, this.inLen)) : buf.subarray(0, this.inLen)
    this.inBuf = undefined
    this.inLen = 0
    if (this.status.state === 'running') this.worker.send({ type: 'input', id: this.id, data }, [data.buffer as ArrayBuffer])
  }

  /** End of client input. */
  end (): void {
    if (this.status.state !== 'running') return
    this.flushInput()
    this.worker.send({ type: 'input-end', id: this.id })
  }

  /**
   * Capture a snapshot. `then: 'stop'` suspends the instance (it ends in
   * state `suspended` and its worker forgets it); `'continue'` keeps it running.
   */
  async snapshot (opts: SnapshotOptions & { then?: 'stop' | 'continue' } = {}): Promise<SnapshotResult> {
    return await this.request(opts, false) as SnapshotResult
  }

  /**
   * @internal suspend() with the memory as its non-zero pages
   * (snapshot/sparse.ts): hibernation, whose snapshot never leaves the executor.
   */
  async suspendSparse (): Promise<SparseResult> {
    const r = await this.request({ then: 'stop' }, true) as SparseResult
    await this.exited
    return r
  }

  private async request (opts: SnapshotOptions & { then?: 'stop' | 'continue' }, sparse: boolean): Promise<SnapshotResult | SparseResult> {
    if (this.status.state !== 'running') throw new InstanceStateError(`instance ${this.id} is ${this.status.state}`)
    opts.signal?.throwIfAborted()
    const p = new Promise<SnapshotResult | SparseResult>((resolve, reject) => {
      this.snapshotWaiters.push({ resolve, reject, at: performance.now() })
    })
    const base = opts.base
    const whole = base != null && base.memory.byteOffset === 0 && base.memory.byteLength === base.memory.buffer.byteLength
    this.flushInput() // input written before the request is in the snapshot
    this.worker.send({ type: 'snapshot', id: this.id, then: opts.then ?? 'continue', base: whole ? base : undefined, sparse: sparse || undefined, sentAt: performance.timeOrigin + performance.now() }, whole ? [base.memory.buffer as ArrayBuffer] : [])
    return await p
  }

  /** Suspend: capture and stop. The instance's state becomes `suspended`. */
  async suspend (opts: SnapshotOptions = {}): Promise<SnapshotResult> {
    const r = await this.snapshot({ ...opts, then: 'stop' })
    await this.exited // gone from its worker: its id may be resumed now
    return r
  }

  /** Kill the instance. Resolves when it has ended. */
  async kill (): Promise<InstanceStatus> {
    if (this.status.state === 'running') {
      Atomics.or(this.control, 0, CTL_KILL)
      this.worker.send({ type: 'kill', id: this.id })
      // A worker that does not answer in time is stuck outside any check: end it.
      this.killTimer ??= setTimeout(() => { void this.worker.worker.terminate() }, 3000)
    }
    return await this.exited
  }

  /**
   * A message from another program for this one's peer service. False when
   * the instance is not running or has no peer service; the worker drops it
   * if the program never discovered the service or its inbox is full.
   */
  deliver (from: string, payload: Uint8Array): boolean {
    if (this.status.state !== 'running' || this.peer == null) return false
    this.worker.send({ type: 'peer-message', id: this.id, from, payload })
    return true
  }

  /** @internal the program called its peer service */
  onPeerRequest (seq: number, req: PeerRequest): void {
    const port = this.peer
    const reply = (error: number, endpoints?: string[]): void => {
      if (this.status.state === 'running') this.worker.send({ type: 'peer-reply', id: this.id, seq, error, endpoints })
    }
    if (port == null) { reply(PEER_ERR_FAILED); return }
    this.peerPending++
    let work: Promise<unknown>
    switch (req.op) {
      case 'register': work = port.register(req.name); break
      case 'unregister': work = port.unregister(req.name); break
      case 'find': work = port.find(req.name, req.limit); break
      case 'send': work = port.send(req.to, req.payload); break
    }
    work.finally(() => { this.peerPending-- }).catch(() => {})
    work.then(r => { reply(PEER_OK, Array.isArray(r) ? r : undefined) }, (err: any) => {
      reply(typeof err?.code === 'number' && err.code > 0 && err.code < 256 ? err.code : PEER_ERR_FAILED)
    })
  }

  /** @internal peer-service requests whose answer has not been sent to the worker yet (hibernation waits for them). */
  peerPending = 0

  /** @internal */
  onPeerNames (names: string[], restored: boolean): void {
    this.peerNames = names
    this.emit('peer-names', names)
    // a resumed instance announces its names again, wherever it now runs
    if (restored && this.peer != null) for (const n of names) void this.peer.register(n).catch(() => {})
  }

  /** Resolves with the final status. */
  async wait (): Promise<InstanceStatus> { return await this.exited }

  /** @internal */
  onRunning (initMs: number): void { this.initMs = initMs; this.emit('running', { initMs }) }

  /** Time the worker took to instantiate or restore this instance (ms). */
  initMs?: number

  /** @internal */
  onOutput (fd: 1 | 2, data: Uint8Array): void { this.emit(fd === 1 ? 'stdout' : 'stderr', data) }

  /** @internal */
  onSnapshot (snapshot: InstanceSnapshot | SparseSnapshot, timing: { requestToStoppedMs: number, requestToCapturedMs: number }, changed?: number[]): void {
    for (const w of this.snapshotWaiters.splice(0)) w.resolve({ snapshot, ...timing, totalMs: performance.now() - w.at, changed } as SnapshotResult | SparseResult)
  }

  /** @internal */
  onSnapshotError (error: string): void {
    for (const w of this.snapshotWaiters.splice(0)) w.reject(new SnapshotFailedError(error))
  }

  /**
   * The instance's filesystem tree as it ended (after wait() resolves);
   * undefined when it was launched without one, is still running, or was
   * suspended (its snapshot holds the tree then).
   */
  files (): FsImage | undefined { return this.finalFiles }
  private finalFiles?: FsImage

  /** @internal */
  onExit (status: InstanceStatus, files?: FsImage): void {
    if (this.killTimer != null) clearTimeout(this.killTimer)
    this.finalFiles = files
    this.status = status
    this.onSnapshotError(`instance ended: ${status.state}`)
    this.emit('exit', status)
    this.resolveExit(status)
  }
}
