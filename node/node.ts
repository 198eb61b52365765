/**
 * One Gate node per host: a libp2p node (shared with an embedded Helia),
 * an executor, the protocol handlers, the DHT service directory and the
 * node's own records. `start()` resumes instances a previous `stop()`
 * suspended; `stop()` suspends and persists running persistent instances.
 */
import { platform } from './platform.js'
import { EventEmitter } from 'node:events'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { createHeliaLight } from 'helia'
import { withLibp2pLight } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { FsBlockstore } from 'blockstore-fs'
import { LevelDatastore } from 'datastore-level'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import type { ComponentLogger, Libp2p, Logger, PeerId, Stream } from '@libp2p/interface'
import { CID } from 'multiformats/cid'
import { Executor, HibernatingInstance, type Instance, type InstanceStatus, type LaunchOptions } from '../executor/index.js'
import { decodeSnapshot, encodeSnapshot, type Blockstore } from '../executor/snapshot/index.js'
import { CompileError } from '../compiler/errors.js'
import { ATTACH_PROTOCOL, CONTROL_PROTOCOL, DEPLOY_PROTOCOL, MAX_INBOUND_STREAMS, MESSAGE_PROTOCOL, SNAPSHOT_PUSH_PROTOCOL } from '../protocols/ids.js'
import { HANDOVER_PROTOCOL } from '../protocols/handover/index.js'
import { bytes } from '../protocols/channel.js'
import { streamDuplex } from '../protocols/libp2p-duplex.js'
import { requestAttach, requestControl, requestDeploy, sendMessage, type DeployInput, type DeployResult, type RequestOptions } from '../protocols/client.js'
import { RequestError } from '../protocols/errors.js'
import type { IoSession } from '../protocols/io-session.js'
import { ErrorCode, type ControlRequest, type ControlResponse } from '../protocols/pb/gate.js'
import { DEFAULT_HIBERNATE_AFTER_MS, DEFAULT_MAX_MODULE_BYTES, DEFAULT_REPROVIDE_MS, type GateNodeInit } from './config.js'
import { EXECUTOR_SERVICE, ServiceDirectory, executorArchService } from './directory.js'
import { HeliaModuleSource } from './helia-source.js'
import { loadOrCreateIdentity } from './identity.js'
import { InstanceTable, Managed, type IoSink } from './instances.js'
import { KuboModuleSource } from './kubo-source.js'
import { libp2pOptions } from './libp2p.js'
import { ModuleFetchError, ModuleTooLargeError, type FetchProgress, type ModuleSource } from './modules.js'
import { makePeerPort, type PeerPortHost } from './peer-port.js'
import { SuspendedRecords, type SuspendedRecord } from './persist.js'
import { Policy } from './policy.js'
import { Admission, refuseMessage } from './admission.js'
import { Capacity } from './capacity.js'
import { PAGE } from './budget.js'
import { ModuleStore, snapshotBlockstore } from './stores.js'
import { writeBehind } from './write-behind.js'
import { withDeadline } from './deadline.js'
import { handleDeploy } from './handlers/deploy.js'
import { handleAttach } from './handlers/attach.js'
import { handleControl } from './handlers/control.js'
import { handleMessage } from './handlers/message.js'
import { NodeStateError } from './errors.js'
import { handleMigrate, handleSnapshotPush } from './handlers/migrate.js'
import { migrateInstance, type MigrateOptions, type MigrateResult } from './migrate.js'
import { sameStackFormat, type CompiledModule } from '../compiler/compile-id.js'
import type { FsImage, InstanceSnapshot } from '../executor/index.js'

/** What to run: module bytes or an IPFS CID, and how. */
export interface RunSpec {
  module?: Uint8Array
  cid?: string
  args?: string[]
  env?: Record<string, string>
  entry?: string
  /** Killed when its client goes away (default true). */
  transient?: boolean
  memoryPages?: number
  cpuTimeMs?: number
  onProgress?: (p: FetchProgress) => void
  signal?: AbortSignal
  /** Attached before the program starts, so no output is missed. */
  sinks?: IoSink[]
  /** The preopened trees (node/fs-trees.ts loadMounts); fresh launches only. */
  fs?: FsImage
  /** Which of the client's streams are terminals (the program's isatty()). */
  tty?: { stdin?: boolean, stdout?: boolean, stderr?: boolean }
  /** The remote address of the connection the deploy came on: its range has quotas (node/admission.ts). */
  remoteAddr?: string
}

export interface NodeMessage { from: string, payload: Uint8Array, at: string }

/** Messages kept for `GET /gate-0/messages`. */
const INBOX_SIZE = 100

export interface GateNodeEvents {
  /** A message addressed to the node itself (`gate msg`). */
  message: [NodeMessage]
  /** An instance was added, ended, suspended or resumed. */
  instance: [Managed]
}

/** How long a dial (DHT lookup included) may take. */
const DIAL_TIMEOUT_MS = 20_000

export class GateNode extends EventEmitter<GateNodeEvents> {
  readonly init: GateNodeInit
  readonly logger: ComponentLogger
  readonly log: Logger
  libp2p!: Libp2p
  helia!: any
  executor!: Executor
  source!: ModuleSource
  modules!: ModuleStore
  snapshots!: Blockstore
  policy!: Policy
  directory!: ServiceDirectory
  /** Quotas, limits, the memory budget and the figures (node/admission.ts). */
  admission!: Admission
  /** The full-node signal (node/capacity.ts). */
  capacity!: Capacity
  readonly table = new InstanceTable()
  /** The last messages addressed to this node. */
  readonly inbox: NodeMessage[] = []
  private records!: SuspendedRecords
  private datastore?: LevelDatastore
  private blockstore?: FsBlockstore
  private started = false
  private stopping = false
  /** Streams being served; aborted on stop. */
  readonly streams = new Set<Stream>()

  constructor (init: GateNodeInit) {
    super()
    this.init = init
    this.logger = init.logger ?? defaultLogger()
    this.log = this.logger.forComponent('gate:node')
  }

  get peerId (): PeerId { return this.libp2p.peerId }
  get self (): string { return this.libp2p.peerId.toString() }
  get maxModuleBytes (): number { return this.init.maxModuleBytes ?? DEFAULT_MAX_MODULE_BYTES }
  get isStarted (): boolean { return this.started }

  async start (): Promise<void> {
    if (this.started) return
    const dir = this.init.dataDir
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const key = await loadOrCreateIdentity(dir)
    this.blockstore = new FsBlockstore(join(dir, 'blocks'))
    await this.blockstore.open()
    this.datastore = new LevelDatastore(join(dir, 'datastore'))
    await this.datastore.open()
    const helia = withBitswap(withLibp2pLight(createHeliaLight({ blockstore: this.blockstore, datastore: this.datastore } as any) as any, libp2pOptions(this.init, key) as any) as any) as any
    await helia.start()
    this.helia = helia
    this.libp2p = helia.libp2p as Libp2p
    this.snapshots = writeBehind(snapshotBlockstore(helia), (cid, err) => { this.log.error('could not store block %s: %s', cid.toString(), err.message) })
    // idle instances hibernate into the same store as snapshots (content-addressed: identical chunks shared)
    const hibernateAfterMs = this.init.hibernateAfterMs ?? DEFAULT_HIBERNATE_AFTER_MS
    // a hibernated instance gives its memory reservation back and asks for it again to wake (node/admission.ts park/unpark)
    const hibernate = hibernateAfterMs > 0
      ? {
          afterMs: hibernateAfterMs,
          store: this.snapshots,
          mayHibernate: (id: string) => { const m = this.table.get(id); return m == null || this.admission.mayHibernate(id, m.owner) },
          mayWake: (id: string, force: boolean) => { const m = this.table.get(id); return m == null ? undefined : this.admission.unpark(id, m.owner, force) }
        }
      : undefined
    this.executor = new Executor({ cacheDir: join(dir, 'compiled'), hibernate, ...this.init.executor })
    await this.executor.start()
    this.source = this.init.ipfsApi != null ? new KuboModuleSource(this.init.ipfsApi) : new HeliaModuleSource(helia)
    this.modules = new ModuleStore(join(dir, 'modules'))
    this.records = new SuspendedRecords(join(dir, 'instances'))
    this.policy = new Policy(this.self, this.init.policy)
    this.directory = new ServiceDirectory(this.libp2p, this.logger.forComponent('gate:directory'), this.init.reprovideMs ?? DEFAULT_REPROVIDE_MS)
    this.admission = new Admission({ budget: this.init.budget, policy: this.policy, table: this.table, localMemoryPages: this.init.executor?.limits?.memoryPages })
    this.capacity = new Capacity({ libp2p: this.libp2p, directory: this.directory, names: [EXECUTOR_SERVICE, executorArchService(process.arch)], state: () => this.admission.state(), log: this.logger.forComponent('gate:capacity') })
    this.admission.memory.onChange(() => { this.capacity.update() })
    this.on('instance', () => { this.capacity.update() })

    const opts = { maxInboundStreams: MAX_INBOUND_STREAMS, runOnLimitedConnection: false }
    await this.libp2p.handle(DEPLOY_PROTOCOL, (s, c) => this.serve(s, async () => { await handleDeploy(this, s, c.remotePeer.toString(), c.remoteAddr.toString()) }), opts)
    await this.libp2p.handle(ATTACH_PROTOCOL, (s, c) => this.serve(s, async () => { await handleAttach(this, s, c.remotePeer.toString()) }), opts)
    await this.libp2p.handle(CONTROL_PROTOCOL, (s, c) => this.serve(s, async () => { await handleControl(this, s, c.remotePeer.toString()) }), opts)
    await this.libp2p.handle(MESSAGE_PROTOCOL, (s, c) => this.serve(s, async () => {
      try { this.admission.checkMessage(c.remotePeer.toString(), c.remoteAddr.toString()) } catch (err) { await refuseMessage(s, err); return }
      await handleMessage(this, s, c.remotePeer.toString())
    }), opts)
    await this.libp2p.handle(SNAPSHOT_PUSH_PROTOCOL, (s, c) => this.serve(s, async () => { await handleSnapshotPush(this, s, c.remotePeer.toString()) }), opts)
    await this.libp2p.handle(HANDOVER_PROTOCOL, (s, c) => this.serve(s, async () => { await handleMigrate(this, s, c.remotePeer.toString()) }), opts)
    await this.capacity.start()
    this.directory.start()
    this.started = true
    void this.directory.advertise(EXECUTOR_SERVICE)
    void this.directory.advertise(executorArchService(process.arch))
    await this.restoreInstances()
    this.log('started %s', this.self)
  }

  /**
   * Stop: persistent running instances are suspended and recorded (the next
   * start resumes them), transient ones are killed, streams are closed.
   */
  async stop (): Promise<void> {
    if (!this.started || this.stopping) return
    this.stopping = true
    try {
      // hibernated ones are recorded as they are (their snapshot is in the store already), the others suspended
      const recorded = new Set<Managed>()
      await eachLimited(this.table.live().filter(m => !m.transient && m.hibernated), STOP_RECORDS_AT_ONCE, async m => {
        if (await this.recordHibernated(m).catch(err => { this.log.error('could not record hibernated %s on shutdown: %s', m.id, (err as Error).message); return false })) recorded.add(m)
      })
      await Promise.all(this.table.live().filter(m => !recorded.has(m)).map(async m => {
        if (m.transient || m.instance == null) { await m.instance?.kill(); return }
        await this.suspendInstance(m, true).catch(async err => {
          this.log.error('could not suspend %s on shutdown: %s', m.id, (err as Error).message)
          await m.instance?.kill()
        })
      }))
      // the blocks of every recorded snapshot are stored before the streams go (meanwhile the clients' streams carry the final status)
      await this.snapshots.flush?.().catch(err => { this.log.error('could not store snapshot blocks: %s', (err as Error).message) })
      for (const s of this.streams) s.abort(new Error('node stopping'))
      this.directory.stop()
      await this.executor.stop()
      await this.helia.stop()
    } finally {
      await this.datastore?.close().catch(() => {})
      await this.blockstore?.close().catch(() => {})
      this.started = false
      this.stopping = false
    }
  }

  private serve (stream: Stream, fn: () => Promise<void>): void {
    this.streams.add(stream)
    fn().catch(err => {
      this.log('stream %s: %s', stream.protocol, (err as Error).message)
      stream.abort(err as Error)
    }).finally(() => { this.streams.delete(stream) })
  }

  // ---- modules -----------------------------------------------------------

  /** Add module bytes to IPFS (and the local module store); returns the CID. */
  async publish (bytes: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<CID> {
    this.assertStarted()
    if (bytes.byteLength > this.maxModuleBytes) throw new RequestError(ErrorCode.TOO_LARGE, `module is ${bytes.byteLength} bytes, more than ${this.maxModuleBytes}`)
    await this.modules.put(bytes)
    return await this.source.add(bytes, opts)
  }

  /** Module bytes by CID (fetched from peers if not local), verified and size-bounded. */
  async fetchModule (cidText: string, opts: { signal?: AbortSignal, onProgress?: (p: FetchProgress) => void } = {}): Promise<Uint8Array> {
    let cid: CID
    try { cid = CID.parse(cidText) } catch { throw new RequestError(ErrorCode.BAD_REQUEST, `not a CID: ${JSON.stringify(cidText)}`) }
    try {
      return await this.source.get(cid, { maxBytes: this.maxModuleBytes, signal: opts.signal ?? AbortSignal.timeout(60_000), onProgress: opts.onProgress })
    } catch (err) {
      if (err instanceof ModuleTooLargeError) throw new RequestError(ErrorCode.TOO_LARGE, err.message)
      if (err instanceof ModuleFetchError) throw new RequestError(ErrorCode.UNAVAILABLE, err.message)
      throw err
    }
  }

  // ---- instances -----------------------------------------------------------

  /**
   * Compile and start a program for `owner` (a peer ID; this node's own ID
   * for local requests), subject to the policy. Errors are RequestErrors
   * with the code to send back.
   */
  async run (owner: string, spec: RunSpec): Promise<Managed> {
    this.assertStarted()
    this.admission.checkDeploy(owner, spec.remoteAddr)
    const lim = this.admission.deployLimits(owner, spec)
    let bytes = spec.module
    if ((bytes == null || bytes.byteLength === 0) && spec.cid != null && isSnapshotCid(spec.cid)) return await this.runSnapshot(owner, spec)
    this.admission.memory.check(lim.memoryPages * PAGE) // before any fetch or compile
    if (bytes == null || bytes.byteLength === 0) {
      if (spec.cid == null || spec.cid === '') throw new RequestError(ErrorCode.BAD_REQUEST, 'neither module bytes nor a CID')
      bytes = await this.fetchModule(spec.cid, { signal: spec.signal, onProgress: spec.onProgress })
    }
    if (bytes.byteLength > this.maxModuleBytes) throw new RequestError(ErrorCode.TOO_LARGE, `module is ${bytes.byteLength} bytes, more than ${this.maxModuleBytes}`)
    const entry = spec.entry != null && spec.entry !== '' ? spec.entry : '_start'
    let cm
    try {
      cm = await this.executor.compile(bytes, { entry }, { signal: spec.signal })
    } catch (err) {
      if (err instanceof CompileError || (err as Error).name === 'EntryError') throw new RequestError(ErrorCode.BAD_REQUEST, (err as Error).message)
      throw err
    }
    await this.modules.put(bytes, cm.moduleHash)
    const id = randomUUID()
    this.admission.reserve(id, owner, lim.memoryPages * PAGE, this.admission.rangeOf(owner, spec.remoteAddr))
    const limits: Record<string, number> = { memoryPages: lim.memoryPages }
    if (lim.cpuTimeMs != null) limits.cpuTimeMs = lim.cpuTimeMs
    let m: Managed
    try {
      m = this.table.add(new Managed({ id, owner, moduleHash: cm.moduleHash, transient: spec.transient ?? true, entry }))
      for (const sink of spec.sinks ?? []) m.sinks.add(sink)
      const inst = this.executor.launch(cm, this.launchOptions(m, {
        args: spec.args ?? ['program'],
        env: spec.env,
        limits,
        instanceId: id,
        fs: spec.fs,
        tty: spec.tty
      }))
      this.track(m, inst)
    } catch (err) {
      this.admission.release(id)
      this.table.delete(id)
      throw err
    }
    return m
  }

  private launchOptions (m: Managed, o: LaunchOptions): LaunchOptions {
    const rate = this.admission.outputRate(m.owner)
    const limits = rate > 0 ? { ...o.limits, outputBytesPerSecond: rate } : o.limits
    return { ...o, limits, principal: m.owner, peer: makePeerPort(this.peerPortHost(), m.id) }
  }

  private track (m: Managed, inst: Instance): void {
    m.bind(inst)
    this.admission.bound(m.id)
    this.emit('instance', m)
    if (inst instanceof HibernatingInstance) {
      // hibernated: no memory held (it asks again to wake: Executor hibernate.mayWake)
      if (inst.phase === 'hibernated') this.admission.park(m.id)
      inst.on('phase', p => { if (p === 'hibernated') this.admission.park(m.id) })
    }
    inst.once('exit', () => {
      // the memory reservation ends with the instance, unless it is being moved (it may resume here)
      if (!m.migrating) this.admission.release(m.id)
      // an ended transient instance is forgotten; others stay listable
      if (m.transient && m.instance == null && m.status.state !== 'suspended') this.table.delete(m.id)
      this.emit('instance', m)
    })
  }

  /** Suspend: capture, store the snapshot in the blockstore, record it. */
  async suspend (id: string): Promise<Managed> {
    const m = this.mustGet(id)
    if (m.instance == null) throw new RequestError(ErrorCode.CONFLICT, `instance ${id} is ${m.status.state}`)
    await this.suspendInstance(m, false)
    return m
  }

  private async suspendInstance (m: Managed, forShutdown: boolean): Promise<void> {
    const inst = m.instance
    if (inst == null) return
    const { snapshot } = await inst.suspend()
    const bytes = await this.modules.get(m.moduleHash)
    const enc = await encodeSnapshot(snapshot, this.snapshots, { moduleBytes: bytes })
    m.snapshotRoot = enc.root
    m.transient = false
    await this.snapshots.flush?.()
    const rec: SuspendedRecord = { id: m.id, owner: m.owner, moduleHash: m.moduleHash, entry: m.entry, root: enc.root.toString(), resumeOnStart: forShutdown, savedAt: new Date().toISOString() }
    await this.records.save(rec)
  }

  /**
   * The record of a hibernated instance at shutdown: the handle ends as
   * suspended (its clients are told so) and the next start adopts it
   * hibernated. False if it is not quietly hibernated (input came for it):
   * then it is suspended the usual way.
   */
  private async recordHibernated (m: Managed): Promise<boolean> {
    const inst = m.instance as HibernatingInstance
    const root = inst.root
    const w = inst.waitsFor
    if (root == null || w == null) return false
    const now = Date.now()
    // recorded first: a handle is never ended before its record exists
    await this.records.save({
      id: m.id,
      owner: m.owner,
      moduleHash: m.moduleHash,
      entry: m.entry,
      root: root.toString(),
      resumeOnStart: true,
      savedAt: new Date(now - (inst.hibernatedMs ?? 0)).toISOString(),
      hibernated: { input: w.input, packets: w.packets, deadlineAt: w.deadlineInMs != null ? new Date(now + w.deadlineInMs).toISOString() : undefined }
    })
    // input came meanwhile: suspended the usual way, which writes its record anew
    return inst.detach()?.root.equals(root) === true
  }

  /** Adopt a hibernated instance recorded at shutdown, without a worker; `compiled` caches the compile per module. */
  private async adoptRecorded (r: SuspendedRecord, m: Managed, compiled: Map<string, Promise<CompiledModule>>): Promise<void> {
    const h = r.hibernated!
    let cm = compiled.get(r.moduleHash)
    if (cm == null) {
      cm = (async () => {
        const bytes = await this.modules.get(r.moduleHash)
        if (bytes == null) throw new Error(`module ${r.moduleHash} is missing`)
        return await this.executor.compile(bytes, { entry: r.entry })
      })()
      compiled.set(r.moduleHash, cm)
    }
    const now = Date.now()
    const inst = this.executor.adoptHibernated(await cm, {
      id: r.id,
      root: CID.parse(r.root),
      cond: { input: h.input, packets: h.packets },
      deadlineInMs: h.deadlineAt != null ? Math.max(0, Date.parse(h.deadlineAt) - now) : undefined,
      capturedMsAgo: Math.max(0, now - Date.parse(r.savedAt))
    }, this.launchOptions(m, {}))
    this.track(m, inst)
  }

  /** Resume a suspended instance from its stored snapshot. */
  async resume (id: string): Promise<Managed> {
    const m = this.mustGet(id)
    if (m.status.state !== 'suspended' || m.snapshotRoot == null) throw new RequestError(ErrorCode.CONFLICT, `instance ${id} is ${m.status.state}, not suspended`)
    const { snapshot, moduleBytes } = await decodeSnapshot(m.snapshotRoot, this.snapshots)
    const bytes = moduleBytes ?? await this.modules.get(m.moduleHash)
    if (bytes == null) throw new RequestError(ErrorCode.INTERNAL, `module ${m.moduleHash} of instance ${id} is missing`)
    this.admission.reserve(id, m.owner, this.admission.snapshotBytes(snapshot))
    let inst
    try {
      inst = await this.executor.resume(snapshot, bytes, this.launchOptions(m, { transfer: true } as LaunchOptions))
    } catch (err) {
      this.admission.release(id)
      throw err
    }
    this.track(m, inst)
    await this.records.remove(id)
    return m
  }

  async kill (id: string): Promise<InstanceStatus> {
    const m = this.mustGet(id)
    if (m.instance != null) return await m.instance.kill()
    if (m.status.state === 'suspended') {
      m.snapshotRoot = undefined
      m.setStatus({ state: 'killed', cause: 'KILLED' })
      await this.records.remove(id)
      this.emit('instance', m)
    }
    return m.status
  }

  /**
   * Move a running instance to `peer` (or, with `clone`, start a copy
   * there). Exactly one copy keeps running: this one until the target
   * confirms, then the target's.
   */
  async migrate (id: string, peer: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
    this.assertStarted()
    return await migrateInstance(this, this.mustGet(id), peer, opts)
  }

  /**
   * Snapshot an instance into the blockstore (IPFS content: any peer can
   * fetch it by the root CID and `run` it). A running instance keeps running.
   */
  async snapshotInstance (id: string): Promise<CID> {
    const m = this.mustGet(id)
    let root = m.snapshotRoot
    if (m.instance != null) {
      const { snapshot } = await m.instance.snapshot({ then: 'continue' })
      root = (await encodeSnapshot(snapshot, this.snapshots, { moduleBytes: await this.modules.get(m.moduleHash) })).root
    }
    if (root == null) throw new RequestError(ErrorCode.CONFLICT, `instance ${id} is ${m.status.state}; it has no snapshot`)
    await this.snapshots.flush?.()
    void this.helia.routing.provide(root, { signal: AbortSignal.timeout(30_000) }).catch(() => {})
    return root
  }

  /** Resume a snapshot by its root CID (fetched from peers if need be) as a new instance: a clone. */
  private async runSnapshot (owner: string, spec: RunSpec): Promise<Managed> {
    const root = CID.parse(spec.cid!)
    const signal = spec.signal ?? AbortSignal.timeout(60_000)
    const decoded = await decodeSnapshot(root, { ...this.snapshots, get: async (cid) => await this.snapshots.get(cid, { signal }) } as Blockstore)
      .catch(err => { throw new RequestError(ErrorCode.UNAVAILABLE, `cannot fetch snapshot ${spec.cid!}: ${(err as Error).message}`) })
    if (decoded.moduleBytes == null) throw new RequestError(ErrorCode.BAD_REQUEST, 'the snapshot does not carry its module')
    const m = await this.adopt(await this.prepare(decoded.snapshot, decoded.moduleBytes), { clone: true, owner, transient: spec.transient ?? true, sinks: spec.sinks })
    return m
  }

  /** @internal target side: verify and compile a pushed snapshot, not started yet. */
  async prepare (snapshot: InstanceSnapshot, moduleBytes: Uint8Array): Promise<{ snapshot: InstanceSnapshot, moduleBytes: Uint8Array, cm: CompiledModule }> {
    if (snapshot.status.state !== 'suspended') throw new RequestError(ErrorCode.BAD_REQUEST, `snapshot is ${snapshot.status.state}, not resumable`)
    // what this node cannot run is refused by name, before any compile
    const here = platform()
    if (!sameStackFormat(snapshot.compilerId)) throw new RequestError(ErrorCode.CONFLICT, `snapshot was made by compiler ${snapshot.compilerId}; this node (${here.arch}, Node ${here.node}) runs ${here.compiler}`)
    if (!here.wasmFeatures.includes('multi-memory')) throw new RequestError(ErrorCode.CONFLICT, `this node's engine (Node ${here.node}, V8 ${here.v8}) lacks the wasm feature multi-memory, which compiled modules need (frames live in a memory of their own)`)
    let cm
    try {
      cm = await this.executor.compile(moduleBytes, { entry: snapshot.entry })
    } catch (err) {
      throw new RequestError(ErrorCode.BAD_REQUEST, (err as Error).message)
    }
    if (cm.compiledHash !== snapshot.compiledHash) throw new RequestError(ErrorCode.CONFLICT, `snapshot was compiled by ${snapshot.compilerId}; this node compiles differently (${cm.compilerId})`)
    this.admission.memory.check(this.admission.snapshotBytes(snapshot))
    return { snapshot, moduleBytes, cm }
  }

  /** @internal target side: start a prepared snapshot as this node's instance. */
  async adopt (p: { snapshot: InstanceSnapshot, moduleBytes: Uint8Array, cm: CompiledModule }, o: { clone: boolean, owner: string, transient: boolean, sinks?: IoSink[] }): Promise<Managed> {
    await this.modules.put(p.moduleBytes, p.cm.moduleHash)
    const id = o.clone ? randomUUID() : p.snapshot.instanceId
    this.admission.reserve(id, o.owner, this.admission.snapshotBytes(p.snapshot))
    const m = this.table.add(new Managed({ id, owner: o.owner, moduleHash: p.cm.moduleHash, transient: o.transient, entry: p.snapshot.entry }))
    for (const s of o.sinks ?? []) m.sinks.add(s)
    // a moved instance runs here before its client, told MOVED, re-attaches: its output waits for that client
    if (!o.clone && m.sinks.size === 0) m.holdUnclaimed()
    try {
      const inst = await this.executor.resume(p.snapshot, p.moduleBytes, this.launchOptions(m, { clone: o.clone, instanceId: id, transfer: true } as LaunchOptions))
      this.track(m, inst)
    } catch (err) {
      this.admission.release(id)
      this.table.delete(id)
      throw err
    }
    return m
  }

  /**
   * @internal target side of a handover that never got its GO: keep the
   * snapshot as a suspended instance (not started; resumable by its owner).
   */
  async keepSuspended (s: { id: string, owner: string, moduleHash: string, entry: string, root: CID }): Promise<Managed> {
    const m = this.table.add(new Managed({ id: s.id, owner: s.owner, moduleHash: s.moduleHash, transient: false, entry: s.entry }))
    m.setStatus({ state: 'suspended' })
    m.snapshotRoot = s.root
    this.emit('instance', m)
    await this.snapshots.flush?.()
    await this.records.save({ id: s.id, owner: s.owner, moduleHash: s.moduleHash, entry: s.entry, root: s.root.toString(), resumeOnStart: false, savedAt: new Date().toISOString() })
    return m
  }

  /** @internal the instance now runs elsewhere: tell attached clients, forget it here. */
  forgetMigrated (m: Managed, endpoint: string): void {
    m.migrating = false
    const sinks = [...m.sinks]
    m.sinks.clear()
    for (const s of sinks) { if (s.moved != null) s.moved(endpoint); else s.status({ state: 'suspended', error: `moved to ${endpoint}` }) }
    this.table.delete(m.id)
    this.admission.release(m.id)
    void this.records.remove(m.id)
    this.emit('instance', m)
  }

  /** Forget an instance that is not running. */
  async delete (id: string): Promise<void> {
    const m = this.mustGet(id)
    if (m.instance != null) throw new RequestError(ErrorCode.CONFLICT, `instance ${id} is running`)
    this.table.delete(id)
    await this.records.remove(id)
  }

  private mustGet (id: string): Managed {
    const m = this.table.get(id)
    if (m == null) throw new RequestError(ErrorCode.NOT_FOUND, `no instance ${id}`)
    return m
  }

  private async restoreInstances (): Promise<void> {
    const recs = await this.records.list((f, err) => { this.log.error('skipping instance record %s: %s', f, err.message) })
    const compiled = new Map<string, Promise<CompiledModule>>()
    const adopted: string[] = []
    for (const r of recs) {
      const m = this.table.add(new Managed({ id: r.id, owner: r.owner, moduleHash: r.moduleHash, transient: false, entry: r.entry }))
      m.setStatus({ state: 'suspended' })
      try {
        m.snapshotRoot = CID.parse(r.root)
        if (r.hibernated != null && this.executor.hibernates) {
          await this.adoptRecorded(r, m, compiled)
          adopted.push(r.id)
        } else if (r.hibernated != null) {
          // this node no longer hibernates: the snapshot has no module, so resume it with the stored one
          await this.resume(r.id)
        } else if (r.resumeOnStart) await this.resume(r.id)
      } catch (err) {
        this.log.error('could not resume %s: %s', r.id, (err as Error).message)
      }
    }
    // adopted instances run here again: their records describe the past
    await eachLimited(adopted, STOP_RECORDS_AT_ONCE, async id => { await this.records.remove(id) })
  }

  // ---- peers and names ---------------------------------------------------

  peerPortHost (): PeerPortHost {
    return {
      self: this.self,
      advertise: async (name) => { await this.directory.advertise(name) },
      withdraw: (name) => { this.directory.withdraw(name) },
      findProviders: async (name, limit) => (await this.directory.find(name, { limit, signal: AbortSignal.timeout(15_000) })).map(p => p.id.toString()),
      deliverLocal: (to, from, payload) => this.deliverLocal(to, from, payload),
      sendRemote: async (peer, to, from, payload) => { await this.message(peer, to, payload, { from }) }
    }
  }

  /** Hand a message to a local instance (by id or registered name). */
  deliverLocal (to: string, from: string, payload: Uint8Array): ErrorCode {
    const m = this.table.get(to) ?? this.table.byName(to)
    const inst = m?.instance
    if (inst == null) return ErrorCode.NOT_FOUND
    return inst.deliver(from, payload) ? ErrorCode.OK : ErrorCode.RATE_LIMITED
  }

  /** @internal a message for the node itself */
  onNodeMessage (from: string, payload: Uint8Array): void {
    const m = { from, payload, at: new Date().toISOString() }
    this.inbox.push(m)
    if (this.inbox.length > INBOX_SIZE) this.inbox.shift()
    this.emit('message', m)
  }

  // ---- client side ---------------------------------------------------------

  async dial (peer: string | PeerId, protocol: string, opts: { signal?: AbortSignal } = {}): Promise<Stream> {
    this.assertStarted()
    let id: PeerId
    try { id = typeof peer === 'string' ? peerIdFromString(peer) : peer } catch { throw new RequestError(ErrorCode.BAD_REQUEST, `not a peer ID: ${String(peer)}`) }
    if (id.equals(this.peerId)) throw new RequestError(ErrorCode.BAD_REQUEST, 'that is this node\'s own peer ID')
    const timedOut = (): Error => new RequestError(ErrorCode.UNAVAILABLE, `no connection to ${id.toString()} within ${DIAL_TIMEOUT_MS / 1000} s`)
    return await withDeadline(DIAL_TIMEOUT_MS, timedOut, opts.signal, async signal => await this.dialWithin(id, protocol, signal))
  }

  private async dialWithin (id: PeerId, protocol: string, signal: AbortSignal): Promise<Stream> {
    let lastErr: Error | undefined
    // a peer we have no address for is looked up in the DHT; a lookup in a
    // sparse network can miss at first, so try a few times within the deadline
    for (let attempt = 0; attempt < 3 && !signal.aborted; attempt++) {
      try {
        if (this.libp2p.getConnections(id).length === 0 && ((await this.libp2p.peerStore.get(id).catch(() => undefined))?.addresses.length ?? 0) === 0) {
          await this.libp2p.peerRouting.findPeer(id, { signal }).catch(() => undefined)
        }
        return await this.libp2p.dialProtocol(id, protocol, { signal })
      } catch (err) {
        lastErr = err as Error
        if (signal.aborted) break
        await new Promise(resolve => setTimeout(resolve, 300 * (attempt + 1)))
      }
    }
    throw new RequestError(ErrorCode.UNAVAILABLE, `cannot reach ${id.toString()}: ${lastErr?.message ?? 'timed out'}`)
  }

  /** Send a program to a peer; with `attach`, its I/O comes back on the returned session. */
  async send (peer: string | PeerId, req: DeployInput, opts: RequestOptions = {}): Promise<DeployResult> {
    const s = await this.dial(peer, DEPLOY_PROTOCOL, opts)
    return await requestDeploy(streamDuplex(s), req, opts)
  }

  async attach (peer: string | PeerId, instance: string, opts: RequestOptions = {}): Promise<IoSession> {
    const s = await this.dial(peer, ATTACH_PROTOCOL, opts)
    return await requestAttach(streamDuplex(s), instance, opts)
  }

  async control (peer: string | PeerId, req: Partial<ControlRequest>, opts: RequestOptions = {}): Promise<ControlResponse> {
    const s = await this.dial(peer, CONTROL_PROTOCOL, opts)
    return await requestControl(streamDuplex(s), req, opts)
  }

  /** A message to a peer node (`to` empty) or a program on it (instance id or name). */
  async message (peer: string | PeerId, to: string, payload: Uint8Array, opts: RequestOptions & { from?: string } = {}): Promise<void> {
    const s = await this.dial(peer, MESSAGE_PROTOCOL, opts)
    await sendMessage(streamDuplex(s), { to, from: opts.from ?? '', payload: bytes(payload) }, opts)
  }

  private assertStarted (): void {
    if (!this.started) throw new NodeStateError('node is not started')
  }
}


/** Records written or removed at once at a stop or start (100,000 hibernated instances must not open 100,000 files at once). */
const STOP_RECORDS_AT_ONCE = 64

/** Run `fn` over `items`, at most `n` at a time. */
async function eachLimited<T> (items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++])
  }))
}

/** A dag-cbor CID: a snapshot root, not a UnixFS module. */
function isSnapshotCid (text: string): boolean {
  try { return CID.parse(text).code === 0x71 } catch { return false }
}
