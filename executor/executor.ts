/**
 * The executor: compiles modules (through the on-disk cache), launches and
 * resumes instances on a pool of worker threads, and routes their I/O.
 */
import '../compiler/engine.js'
import { COMPILER_VERSION, DEFAULT_FRAME_PAGES, sameStackFormat } from '../compiler/compile-id.js'
import { randomBytes, randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CompileCache } from '../compiler/cache.js'
import type { CompiledModule, CompileOptions } from '../compiler/compile-id.js'
import { sha256hex } from '../compiler/hash.js'
import { WorkerCompiler } from '../compiler/worker-compiler.js'
import { Instance } from './instance.js'
import { ResumeEveryInstance } from './resume-every.js'
import { HibernatingInstance, type HibernatedStart, type HibernateOptions, type HibernatePhase, type ModuleTemplate } from './hibernate.js'
import type { FsImage } from './host/vfs/image.js'
import { WorkerPool, type PooledWorker } from './pool.js'
import type { FromWorker, LaunchSpec, RuntimeLimits } from './worker/messages.js'
import type { InstanceSnapshot, PeerPort } from './types.js'
import { isSparse, sparseTransfer, type SparseSnapshot } from './snapshot/sparse.js'
import { InstanceStateError, NotStartedError, SnapshotMismatchError } from './errors.js'

export interface ExecutorInit {
  /** Worker threads (default 2). */
  workers?: number
  /** V8 stack per worker in MiB: bounds recursion depth (default 4). */
  stackSizeMb?: number
  /** Compiled-module cache directory (default: $TMPDIR/gate-p2p-cache). */
  cacheDir?: string
  /** Default limits for new instances. */
  limits?: Partial<RuntimeLimits>
  compile?: CompileOptions
  /**
   * Where the compiler runs on a cache miss: 'worker' (default) keeps this
   * thread free while a module compiles (seconds for a large one);
   * 'inline' compiles on this thread (scripts, benchmarks).
   */
  compileOn?: 'worker' | 'inline'
  /**
   * Hibernation (executor/hibernate.ts): an instance that has waited (for
   * input, a message, a timer) `afterMs` without interruption is suspended
   * into `store` (the snapshot format; the module stays out) and leaves its
   * worker; input, a message or its deadline wakes it in a worker. The
   * handle launch() returns (a HibernatingInstance) is the one instance its
   * user sees. Per launch: LaunchOptions.hibernate.
   */
  hibernate?: HibernateOptions
}

/** Executor.stats(). */
export interface ExecutorStats {
  /** Instances in a worker (each holds its memories and a worker slot), hibernating ones included. */
  live: number
  /** Instances in the blockstore only. */
  hibernated: number
  /** Instances on their way back from the store into a worker. */
  waking: number
}

export interface LaunchOptions {
  args?: string[]
  env?: Record<string, string>
  limits?: Partial<RuntimeLimits>
  instanceId?: string
  principal?: string
  /** Fresh randomness seed (clones get a new one). */
  randomSeed?: Uint8Array
  /** Offer the program the `peer` service, backed by this port. */
  peer?: PeerPort
  /**
   * Which standard streams are a terminal on the user's side (the program's
   * isatty()); default none. Fresh launches only: a resumed instance keeps
   * the setting saved in its snapshot.
   */
  tty?: { stdin?: boolean, stdout?: boolean, stderr?: boolean }
  /**
   * The preopened trees (executor/host/vfs/image.ts), e.g. from the CLI's
   * --dir. Fresh launches only: a resumed instance has its tree in its
   * snapshot. `Instance.files()` gives the tree as it ended.
   */
  fs?: FsImage
  /**
   * Testing aid: every this many ms, suspend the instance (a full snapshot)
   * and resume it in another worker, until it ends. The returned handle
   * (a ResumeEveryInstance) is the one instance its user sees: continuous
   * output, input queued across the cycles, final status and files().
   */
  resumeEvery?: number
  /** Hibernate this instance when it idles (default: on when the executor has `hibernate`; not with resumeEvery). */
  hibernate?: boolean
}

/** The frame memory's maximum from a compiler ID (`... frames=N`). */
function framePagesOf (compilerId: string): number {
  const m = / frames=(\d+)/.exec(compilerId)
  return m != null ? Number(m[1]) : DEFAULT_FRAME_PAGES
}

/** Documented defaults. */
export const DEFAULT_LIMITS: RuntimeLimits = {
  /** 1 GiB of linear memory. */
  memoryPages: 16384,
  /** No CPU limit by default for local runs; nodes set one. */
  cpuTimeMs: 0,
  /** 1 GiB of output. */
  outputBytes: 1 << 30,
  /** No output rate limit by default; nodes set one for other peers' instances. */
  outputBytesPerSecond: 0,
  /** About 10-100 us of compute between interrupts. */
  quantum: 20000,
  /** 512 MiB of file data in an instance's filesystem (ENOSPC in the program past it). */
  fsBytes: 512 << 20
}

export class Executor {
  readonly cache: CompileCache
  private readonly compiler?: WorkerCompiler
  private pool?: WorkerPool
  private readonly init: ExecutorInit
  private readonly live = new Map<string, Instance>()
  /** resumeEvery handles by id: what get() and instances() show instead of the current link of the chain. */
  private readonly chains = new Map<string, Instance>()
  private readonly phases = { hibernated: 0, waking: 0 }
  /** Per compiled module: the last memory hibernated (executor/hibernate.ts ModuleTemplate). */
  private readonly templates = new Map<string, ModuleTemplate>()
  private readonly compiled = new Map<string, { cm: CompiledModule, module: WebAssembly.Module }>()

  constructor (init: ExecutorInit = {}) {
    this.init = init
    const compiler = init.compileOn === 'inline' ? undefined : new WorkerCompiler()
    this.compiler = compiler
    this.cache = new CompileCache(init.cacheDir ?? join(tmpdir(), 'gate-p2p-cache'), {
      compile: compiler != null
        ? async (bytes, opts) => await compiler.compile(bytes, opts)
        : async (bytes, opts) => (await import('../compiler/compile.js')).compileModule(bytes, opts)
    })
  }

  async start (): Promise<void> {
    if (this.pool != null) return
    const pool = new WorkerPool({ workers: this.init.workers, stackSizeMb: this.init.stackSizeMb })
    pool.onMessage = (w, m) => { this.onMessage(w, m) }
    pool.onWorkerExit = (w, err) => { this.onWorkerExit(w, err) }
    this.pool = pool
    await pool.start()
  }

  /** Kill every instance and stop the workers. */
  async stop (): Promise<void> {
    const pool = this.pool
    if (pool == null) { await this.compiler?.stop(); return }
    await Promise.all(this.instances().map(async i => await i.kill().catch(() => {})))
    this.pool = undefined
    await Promise.all([pool.stop(), this.compiler?.stop()])
  }

  /** Validate and instrument (cached on disk by content hash); V8 compiles the result off this thread too. */
  async compile (bytes: Uint8Array, opts: CompileOptions = {}, call: { signal?: AbortSignal } = {}): Promise<CompiledModule & { cached: boolean }> {
    const cm = await this.cache.compile(bytes, { ...this.init.compile, ...opts }, call)
    if (!this.compiled.has(cm.compiledHash)) {
      const module = await WebAssembly.compile(cm.bytes as Uint8Array<ArrayBuffer>)
      if (!this.compiled.has(cm.compiledHash)) this.compiled.set(cm.compiledHash, { cm, module })
    }
    return cm
  }

  instances (): Instance[] {
    const out = new Map<string, Instance>()
    for (const i of this.live.values()) out.set(i.id, this.chains.get(i.id) ?? i)
    for (const c of this.chains.values()) out.set(c.id, c) // hibernated ones are in no worker
    return [...out.values()]
  }

  private templateOf (compiledHash: string): ModuleTemplate {
    let t = this.templates.get(compiledHash)
    if (t == null) { t = {}; this.templates.set(compiledHash, t) }
    return t
  }

  /** Does this executor hibernate idle instances (ExecutorInit.hibernate)? */
  get hibernates (): boolean { return this.init.hibernate != null }

  /** How many instances are in workers, hibernated, and waking. */
  stats (): ExecutorStats { return { live: this.live.size, hibernated: this.phases.hibernated, waking: this.phases.waking } }

  get (id: string): Instance | undefined { return this.chains.get(id) ?? this.live.get(id) }

  /** Start a fresh instance of a compiled module. */
  launch (cm: CompiledModule, opts: LaunchOptions = {}): Instance {
    return this.start1(cm, opts, undefined)
  }

  /**
   * spawn, or with `resumeEvery` a chain of spawns behind one handle
   * (executor/resume-every.ts), or with hibernation a chain with gaps in
   * the store (executor/hibernate.ts).
   */
  private start1 (cm: CompiledModule, opts: LaunchOptions, snapshot: InstanceSnapshot | undefined, transfer = false): Instance {
    const every = opts.resumeEvery
    const hib = this.init.hibernate
    if ((every == null || !(every > 0)) && hib != null && opts.hibernate !== false) {
      return this.hibernating(cm, opts, this.spawn(cm, opts, snapshot, transfer, undefined, true))
    }
    const first = this.spawn(cm, opts, snapshot, transfer)
    if (every == null || !(every > 0)) return first
    const chain = new ResumeEveryInstance(first, every, (snap, avoid) => this.spawn(cm, { ...opts, instanceId: first.id, fs: undefined }, snap, true, avoid))
    this.chains.set(first.id, chain)
    void chain.wait().then(() => { if (this.chains.get(first.id) === chain) this.chains.delete(first.id) })
    return chain
  }

  /** The hibernating handle over `first` (a first link in a worker, or a root in the store). */
  private hibernating (cm: CompiledModule, opts: LaunchOptions, first: Instance | HibernatedStart): HibernatingInstance {
    // no closure below names `first`: a closure would keep the first link (its worker handle, buffers) for as long as the handle lives
    const id = first.id
    const later = { ...opts, instanceId: id, fs: undefined }
    const phases = this.phases
    const h = new HibernatingInstance(first, this.init.hibernate!, snap => this.spawn(cm, later, snap, true, undefined, true), opts.peer != null, (from: HibernatePhase, to: HibernatePhase) => {
      if (from === 'hibernated' || from === 'waking') phases[from]--
      if (to === 'hibernated' || to === 'waking') phases[to]++
    }, this.templateOf(cm.compiledHash))
    this.chains.set(id, h)
    void h.wait().then(() => { if (this.chains.get(id) === h) this.chains.delete(id) })
    return h
  }

  /**
   * A hibernated instance back under this executor's care without a worker
   * (a node restarting): `root` is its snapshot in the hibernation store
   * (HibernatingInstance.root, saved before the restart), made from `cm`.
   * It wakes on input, a message or its deadline, as if it had never left.
   */
  adoptHibernated (cm: CompiledModule, start: Omit<HibernatedStart, 'moduleHash'>, opts: LaunchOptions = {}): HibernatingInstance {
    if (this.pool == null) throw new NotStartedError()
    if (this.init.hibernate == null) throw new InstanceStateError('this executor does not hibernate instances')
    if (this.get(start.id) != null) throw new InstanceStateError(`instance ${start.id} is already here`)
    return this.hibernating(cm, { ...opts, instanceId: start.id }, { ...start, moduleHash: cm.moduleHash })
  }

  /**
   * Continue a snapshot. `moduleBytes` is the original module; it is
   * compiled (normally a cache hit) and must produce the exact instrumented
   * module the snapshot's stack belongs to.
   */
  async resume (snapshot: InstanceSnapshot, moduleBytes: Uint8Array, opts: LaunchOptions & {
    clone?: boolean
    /** Hand the snapshot's memory buffer to the worker instead of copying it (the caller's snapshot is unusable after). */
    transfer?: boolean
  } = {}): Promise<Instance> {
    if (sha256hex(moduleBytes) !== snapshot.moduleHash) throw new SnapshotMismatchError('module bytes do not match the snapshot\'s module hash')
    if (!sameStackFormat(snapshot.compilerId)) {
      throw new SnapshotMismatchError(`snapshot was made by compiler ${JSON.stringify(snapshot.compilerId)}, whose stack format this node (${COMPILER_VERSION}) cannot resume; run it from the start again`)
    }
    const cm = await this.compile(moduleBytes, { entry: snapshot.entry })
    if (cm.compiledHash !== snapshot.compiledHash) {
      throw new SnapshotMismatchError(`snapshot was made by ${snapshot.compilerId} (code ${snapshot.compiledHash.slice(0, 12)}), this node compiles to ${cm.compiledHash.slice(0, 12)} (${cm.compilerId})`)
    }
    if (snapshot.status.state !== 'suspended') throw new SnapshotMismatchError(`snapshot is final (${snapshot.status.state}); it cannot be resumed`)
    const id = opts.instanceId ?? (opts.clone === true ? randomUUID() : snapshot.instanceId)
    let host = snapshot.host
    if (opts.clone === true || id !== snapshot.instanceId) {
      // A clone is a new instance: new id (identity service) and new randomness.
      const h = host as { abi: Record<string, any>, runtime: unknown }
      host = { ...h, abi: { ...h.abi, instanceId: id, random: { seed: opts.randomSeed ?? randomBytes(32), pos: 0n } } } as any
    }
    return this.start1(cm, { ...opts, instanceId: id }, { ...snapshot, host, instanceId: id, status: { state: 'running' } }, opts.transfer === true)
  }

  /** `avoid`: a worker to pass over where another is as free (resumeEvery's cycles move to another thread). */
  private spawn (cm: CompiledModule, opts: LaunchOptions, snapshot: InstanceSnapshot | SparseSnapshot | undefined, transfer = false, avoid?: PooledWorker, reportWaits = false): Instance {
    if (this.pool == null) throw new NotStartedError()
    let entry = this.compiled.get(cm.compiledHash)
    if (entry == null) {
      entry = { cm, module: new WebAssembly.Module(cm.bytes as Uint8Array<ArrayBuffer>) }
      this.compiled.set(cm.compiledHash, entry)
    }
    const id = opts.instanceId ?? randomUUID()
    if (this.live.has(id)) throw new InstanceStateError(`instance ${id} is already running here`)
    const limits: RuntimeLimits = { ...DEFAULT_LIMITS, ...this.init.limits, ...opts.limits }
    const control = new SharedArrayBuffer(4)
    const worker = this.pickWorker(avoid)
    const spec: LaunchSpec = {
      id,
      module: entry.module,
      globals: cm.globals,
      entry: cm.entry,
      hasStart: cm.hasStart,
      memoryInitial: cm.memoryInitial,
      memoryMaximum: cm.memoryMaximum,
      limits,
      args: opts.args ?? ['program'],
      env: opts.env ?? {},
      principal: opts.principal,
      randomSeed: opts.randomSeed ?? randomBytes(32),
      control,
      snapshot,
      moduleHash: cm.moduleHash,
      compiledHash: cm.compiledHash,
      compilerId: cm.compilerId,
      peer: opts.peer != null,
      tty: opts.tty,
      fs: snapshot == null ? opts.fs : undefined,
      reportWaits,
      framePages: framePagesOf(cm.compilerId)
    }
    const inst = new Instance(id, cm.moduleHash, worker, control, opts.peer)
    this.live.set(id, inst)
    worker.instances.add(id)
    worker.worker.ref() // a worker with instances keeps the process alive
    const mem = snapshot?.memory
    let moved: ArrayBuffer[] = []
    if (transfer && mem != null) {
      if (isSparse(mem)) moved = sparseTransfer(mem)
      else if (mem.byteOffset === 0 && mem.byteLength === mem.buffer.byteLength) moved = [mem.buffer as ArrayBuffer]
    }
    worker.send({ type: 'launch', spec }, moved)
    return inst
  }

  /**
   * The pool's pick (fewest instances), with ties broken against `avoid`:
   * the pool has no other choice to offer, so `avoid` counts one instance
   * more while it picks. With one worker, that one.
   */
  private pickWorker (avoid?: PooledWorker): PooledWorker {
    const pool = this.pool!
    if (avoid == null || avoid.dead) return pool.pick()
    const mark = `\0avoid:${randomUUID()}`
    avoid.instances.add(mark)
    try { return pool.pick() } finally { avoid.instances.delete(mark) }
  }

  private onMessage (w: PooledWorker, m: FromWorker): void {
    const inst = this.live.get(m.id)
    if (inst == null) return
    switch (m.type) {
      case 'output': inst.onOutput(m.fd, m.data); break
      case 'status': inst.status = m.status; inst.onRunning(m.initMs); break
      case 'snapshot': inst.onSnapshot(m.snapshot, m.timing, m.changed); break
      case 'snapshot-error': inst.onSnapshotError(m.error); break
      case 'peer-request': inst.onPeerRequest(m.seq, m.req); break
      case 'peer-names': inst.onPeerNames(m.names, m.restored); break
      case 'waiting': inst.emit('waiting', m.cond); break
      case 'woke': inst.emit('woke'); break
      case 'exit':
        this.live.delete(m.id)
        w.instances.delete(m.id)
        if (w.instances.size === 0) w.worker.unref()
        inst.onExit(m.status, m.files)
        break
    }
  }

  private onWorkerExit (w: PooledWorker, err?: Error): void {
    for (const id of w.instances) {
      const inst = this.live.get(id)
      this.live.delete(id)
      inst?.onExit({ state: 'killed', cause: 'INTERNAL', error: `worker ended${err != null ? ': ' + err.message : ''}` })
    }
    w.instances.clear()
  }
}
