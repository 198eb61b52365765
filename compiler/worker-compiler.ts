/**
 * Compiles modules on a worker thread. Instrumenting runs for
 * milliseconds to a few hundred (a 1 MB module) and is synchronous: on the caller's thread it would stall
 * everything else there (a node's network streams and timers, its control
 * API). One worker, started on first use, compiles one module at a time in
 * the order asked and exits after `idleMs` without work, which also returns
 * the compiler's memory. Errors come back as the same CompileError subclasses
 * compileModule throws.
 */
import { Worker } from 'node:worker_threads'
import type { CompiledModule, CompileOptions } from './compile-id.js'
import { CompileError, CompilerCrashError, EntryError, ImportError, InvalidModuleError, LimitError, MalformedModuleError } from './errors.js'
import { InstrumentError } from './instrument-errors.js'
import type { CompileReply, CompileRequest } from './worker-messages.js'

export interface WorkerCompilerInit {
  /** Exit the worker after this long without work (default 30 s). */
  idleMs?: number
  /** Heap limit of the worker in MiB (default: Node's). WebAssembly memory is outside it. */
  maxOldGenerationSizeMb?: number
}

export interface CompileCallOptions {
  /** Aborting drops a queued request; a running one ends by restarting the worker. */
  signal?: AbortSignal
}

const ERRORS: Record<string, new (message: string) => CompileError> = {
  CompileError, MalformedModuleError, InvalidModuleError, ImportError, LimitError, EntryError, InstrumentError, CompilerCrashError
}

/** Rebuild an error the worker reported, as its own class where it is a compiler error. */
export function rebuildError (name: string, message: string): Error {
  const C = ERRORS[name]
  if (C != null) return new C(message)
  const e = new Error(message)
  e.name = name
  return e
}

interface Job {
  req: CompileRequest
  resolve: (cm: CompiledModule) => void
  reject: (err: Error) => void
  signal?: AbortSignal
  onAbort?: () => void
}

export class WorkerCompiler {
  private worker?: Worker
  private running?: Job
  private readonly queue: Job[] = []
  private nextId = 1
  private idleTimer?: NodeJS.Timeout
  private readonly idleMs: number

  constructor (private readonly init: WorkerCompilerInit = {}) {
    this.idleMs = init.idleMs ?? 30_000
  }

  /** Validate and instrument `bytes` off this thread. The bytes are copied, not transferred. */
  async compile (bytes: Uint8Array, opts: CompileOptions = {}, call: CompileCallOptions = {}): Promise<CompiledModule> {
    call.signal?.throwIfAborted()
    return await new Promise<CompiledModule>((resolve, reject) => {
      const job: Job = { req: { id: this.nextId++, bytes, opts }, resolve, reject, signal: call.signal }
      if (call.signal != null) {
        job.onAbort = () => { this.abortJob(job) }
        call.signal.addEventListener('abort', job.onAbort, { once: true })
      }
      this.queue.push(job)
      this.pump()
    })
  }

  /** Fail what is queued or running and end the worker (a later compile starts a new one). */
  async stop (): Promise<void> {
    clearTimeout(this.idleTimer)
    const jobs = [...(this.running != null ? [this.running] : []), ...this.queue.splice(0)]
    this.running = undefined
    for (const j of jobs) this.settle(j, new CompileError('the compiler was stopped'))
    const w = this.worker
    this.worker = undefined
    await w?.terminate()
  }

  /** Whether a worker thread exists now (for tests and stats). */
  get active (): boolean { return this.worker != null }

  private pump (): void {
    if (this.running != null) return
    const job = this.queue.shift()
    if (job == null) { this.armIdle(); return }
    clearTimeout(this.idleTimer)
    this.running = job
    const w = this.ensureWorker()
    w.ref()
    w.postMessage(job.req)
  }

  private ensureWorker (): Worker {
    if (this.worker != null) return this.worker
    const w = new Worker(new URL('./compile-worker.js', import.meta.url), {
      resourceLimits: this.init.maxOldGenerationSizeMb != null ? { maxOldGenerationSizeMb: this.init.maxOldGenerationSizeMb } : undefined
    })
    w.on('message', (r: CompileReply) => { this.onReply(w, r) })
    w.on('error', err => { this.onExit(w, err) })
    w.on('exit', code => { this.onExit(w, new Error(`exit code ${code}`)) })
    this.worker = w
    return w
  }

  private onReply (w: Worker, r: CompileReply): void {
    const job = this.running
    if (w !== this.worker || job == null || job.req.id !== r.id) return
    this.running = undefined
    if (r.ok) this.settle(job, undefined, r.cm)
    else this.settle(job, rebuildError(r.name, r.message))
    this.pump()
  }

  private onExit (w: Worker, err: Error): void {
    if (w !== this.worker) return
    this.worker = undefined
    const job = this.running
    this.running = undefined
    if (job != null) this.settle(job, new CompilerCrashError(`the compiler failed on this module: ${err.message}`))
    this.pump()
  }

  private abortJob (job: Job): void {
    const reason = job.signal?.reason instanceof Error ? job.signal.reason : new CompileError('compile aborted')
    const i = this.queue.indexOf(job)
    if (i >= 0) {
      this.queue.splice(i, 1)
      this.settle(job, reason)
      return
    }
    if (this.running === job) {
      // a compile cannot be interrupted: end its thread, go on with a new one
      this.running = undefined
      this.settle(job, reason)
      const w = this.worker
      this.worker = undefined
      void w?.terminate()
      this.pump()
    }
  }

  private settle (job: Job, err?: Error, cm?: CompiledModule): void {
    if (job.onAbort != null) job.signal?.removeEventListener('abort', job.onAbort)
    if (err != null) job.reject(err)
    else job.resolve(cm!)
  }

  private armIdle (): void {
    clearTimeout(this.idleTimer)
    if (this.worker == null) return
    // an idle compiler does not keep the process alive
    this.worker.unref()
    this.idleTimer = setTimeout(() => {
      if (this.running != null || this.queue.length > 0) return
      const w = this.worker
      this.worker = undefined
      void w?.terminate()
    }, this.idleMs)
    this.idleTimer.unref()
  }
}
