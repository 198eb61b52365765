/**
 * A pool of worker threads. Each worker hosts many instances; new instances
 * go to the worker with the fewest. A worker that dies takes only its own
 * instances down (they end KILLED/INTERNAL) and is replaced.
 */
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import type { FromWorker, ToWorker } from './worker/messages.js'

export interface PoolInit {
  /** Worker threads (default: 2). */
  workers?: number
  /** V8 stack size of each worker in MiB; bounds recursion depth (default 4). */
  stackSizeMb?: number
}

export class PooledWorker {
  readonly worker: Worker
  readonly mailbox = new Int32Array(new SharedArrayBuffer(4))
  readonly instances = new Set<string>()
  dead = false
  /** Resolves once the worker has loaded its code. */
  readonly ready: Promise<void>

  constructor (stackSizeMb: number, onMessage: (w: PooledWorker, m: FromWorker) => void, onExit: (w: PooledWorker, err?: Error) => void) {
    const entry = fileURLToPath(new URL('./worker/entry.js', import.meta.url))
    this.worker = new Worker(entry, { workerData: { mailbox: this.mailbox.buffer }, resourceLimits: { stackSizeMb } })
    let ready!: () => void
    this.ready = new Promise(resolve => { ready = resolve })
    this.worker.on('message', (m: FromWorker | { type: 'ready' }) => { if (m.type === 'ready') ready(); else onMessage(this, m) })
    this.worker.on('exit', () => { ready() })
    this.worker.on('error', (err) => { this.dead = true; onExit(this, err) })
    this.worker.on('exit', (code) => { if (!this.dead) { this.dead = true; onExit(this, new Error(`worker exited with code ${code}`)) } })
    // referenced while it boots; afterwards only while it hosts instances
    void this.ready.then(() => { if (this.instances.size === 0) this.worker.unref() })
  }

  /**
   * Post a message and count it in the mailbox, so a running instance yields
   * to it. The worker counts it off when it handles it: a count, not a flag,
   * because a flag cleared by the worker's scheduler could miss a message
   * posted just before (a spinner then never yielded to a launch).
   */
  send (msg: ToWorker, transfer: Transferable[] = []): void {
    Atomics.add(this.mailbox, 0, 1) // before the post: the count never goes below zero
    this.worker.postMessage(msg, transfer as any)
  }
}

export class WorkerPool {
  private readonly workers: PooledWorker[] = []
  private readonly size: number
  private readonly stackSizeMb: number
  onMessage: (w: PooledWorker, m: FromWorker) => void = () => {}
  onWorkerExit: (w: PooledWorker, err?: Error) => void = () => {}

  constructor (init: PoolInit = {}) {
    this.size = Math.max(1, init.workers ?? 2)
    this.stackSizeMb = init.stackSizeMb ?? 4
  }

  /** The worker with the fewest instances; workers start lazily. */
  pick (): PooledWorker {
    for (let i = this.workers.length - 1; i >= 0; i--) if (this.workers[i].dead) this.workers.splice(i, 1)
    if (this.workers.length < this.size) return this.spawn()
    return this.workers.reduce((a, b) => (b.instances.size < a.instances.size ? b : a))
  }

  /** Start every worker now, so the first instances do not wait for a thread to boot. */
  async start (): Promise<void> {
    while (this.workers.length < this.size) this.spawn()
    await Promise.all(this.workers.map(async w => await w.ready))
  }

  private spawn (): PooledWorker {
    const w = new PooledWorker(this.stackSizeMb, (w, m) => { this.onMessage(w, m) }, (w, e) => { this.onWorkerExit(w, e) })
    this.workers.push(w)
    return w
  }

  async stop (): Promise<void> {
    const ws = this.workers.splice(0)
    for (const w of ws) w.dead = true
    await Promise.all(ws.map(async w => await w.worker.terminate()))
  }
}
