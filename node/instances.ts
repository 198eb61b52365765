/**
 * The node's instances: who owns each, whether it is transient (killed
 * when its client goes) and who is attached to its output. An entry
 * outlives its executor Instance: a suspended instance keeps its snapshot
 * (root CID in the node's blockstore) until resumed or deleted.
 */
import { EventEmitter } from 'node:events'
import type { CID } from 'multiformats/cid'
import { HibernatingInstance, type Instance, type InstanceStatus } from '../executor/index.js'

/** Someone attached to an instance's I/O (a protocol stream or the control API). */
export interface IoSink {
  stdout: (data: Uint8Array) => void
  stderr: (data: Uint8Array) => void
  /** The instance ended (any state, including suspended). */
  status: (s: InstanceStatus) => void
  /** The instance moved to another node: "<peer-id>/<instance-id>". */
  moved?: (endpoint: string) => void
}

export interface ManagedInit {
  id: string
  owner: string
  moduleHash: string
  transient: boolean
  entry: string
}

/** Output a migrated instance may produce before its client re-attaches (Managed.holdUnclaimed)... */
export const UNCLAIMED_OUTPUT_BYTES = 1 << 20
/** ...and how long it is kept for that client. */
export const UNCLAIMED_OUTPUT_MS = 60_000

export class Managed extends EventEmitter<{ change: [] }> {
  readonly id: string
  readonly owner: string
  readonly moduleHash: string
  readonly entry: string
  transient: boolean
  status: InstanceStatus = { state: 'running' }
  /** The running executor instance, if any. */
  instance?: Instance
  /** Root of the last snapshot taken when it was suspended here. */
  snapshotRoot?: CID
  readonly sinks = new Set<IoSink>()
  /** Being suspended to move: attached clients are kept, not told it ended. */
  migrating = false

  constructor (init: ManagedInit) {
    super()
    this.id = init.id
    this.owner = init.owner
    this.moduleHash = init.moduleHash
    this.transient = init.transient
    this.entry = init.entry
  }

  /** Set a state of an instance that is not running here (suspended, killed): listeners see the change. */
  setStatus (s: InstanceStatus): void {
    this.status = s
    this.emit('change')
  }

  /**
   * Holds a worker slot and its memory: running and not hibernated (an
   * entry about to be bound to its instance counts, it is being started).
   */
  get inWorker (): boolean {
    return this.status.state === 'running' && !(this.instance instanceof HibernatingInstance && this.instance.phase === 'hibernated')
  }

  get hibernated (): boolean {
    return this.status.state === 'running' && this.instance instanceof HibernatingInstance && this.instance.phase === 'hibernated'
  }

  /**
   * Output that came while no client was attached, kept for the first one
   * that attaches (holdUnclaimed): a migrated instance runs on its new node
   * before its client, told MOVED, re-attaches there.
   */
  private unclaimed?: { out: Array<{ fd: 1 | 2, data: Uint8Array }>, bytes: number, maxBytes: number, timer: NodeJS.Timeout }

  /** Keep output while no sink is attached, up to `maxBytes` (later output is dropped), for at most `ms`. */
  holdUnclaimed (maxBytes = UNCLAIMED_OUTPUT_BYTES, ms = UNCLAIMED_OUTPUT_MS): void {
    if (this.unclaimed != null) clearTimeout(this.unclaimed.timer)
    const timer = setTimeout(() => { this.unclaimed = undefined }, ms)
    timer.unref()
    this.unclaimed = { out: [], bytes: 0, maxBytes, timer }
  }

  /** A client attaches: it gets the held output first, then (while the instance runs) what comes. */
  attach (sink: IoSink): void {
    const u = this.unclaimed
    if (u != null) {
      this.unclaimed = undefined
      clearTimeout(u.timer)
      for (const o of u.out) { if (o.fd === 1) sink.stdout(o.data); else sink.stderr(o.data) }
    }
    if (this.instance != null) this.sinks.add(sink)
  }

  private output (fd: 1 | 2, d: Uint8Array): void {
    if (this.sinks.size === 0) {
      const u = this.unclaimed
      if (u != null && u.bytes + d.byteLength <= u.maxBytes) { u.out.push({ fd, data: d }); u.bytes += d.byteLength }
      return
    }
    for (const s of this.sinks) { if (fd === 1) s.stdout(d); else s.stderr(d) }
  }

  /** Bind a (new) executor instance: its output goes to the sinks. */
  bind (inst: Instance): void {
    this.instance = inst
    this.status = { state: 'running' }
    this.snapshotRoot = undefined
    inst.on('phase', () => { if (this.instance === inst) this.emit('change') })
    inst.on('stdout', d => { this.output(1, d) })
    inst.on('stderr', d => { this.output(2, d) })
    inst.on('exit', st => {
      if (this.instance !== inst) return
      this.instance = undefined
      this.status = st
      if (this.migrating && st.state === 'suspended') { this.emit('change'); return }
      const sinks = [...this.sinks]
      this.sinks.clear()
      for (const s of sinks) s.status(st)
      this.emit('change')
    })
    this.emit('change')
  }

  get names (): string[] { return this.instance?.peerNames ?? [] }
}

/**
 * All instances by id, with the counts admission asks for on every deploy
 * kept as they change (a node may hold 100,000 hibernated instances: no
 * scans on the deploy path).
 */
export class InstanceTable {
  private readonly byId = new Map<string, Managed>()
  /** In workers (Managed.inWorker), and per owner. */
  private readonly working = new Set<Managed>()
  private readonly workingBy = new Map<string, number>()
  private readonly asleep = new Set<Managed>()
  private readonly asleepBy = new Map<string, number>()
  private readonly listeners = new Map<Managed, () => void>()

  add (m: Managed): Managed {
    this.delete(m.id)
    this.byId.set(m.id, m)
    const fn = (): void => { this.recount(m) }
    this.listeners.set(m, fn)
    m.on('change', fn)
    this.recount(m)
    return m
  }

  get (id: string): Managed | undefined { return this.byId.get(id) }

  delete (id: string): void {
    const m = this.byId.get(id)
    if (m == null) return
    this.byId.delete(id)
    const fn = this.listeners.get(m)
    if (fn != null) m.off('change', fn)
    this.listeners.delete(m)
    this.recount(m, true)
  }

  all (): Managed[] { return [...this.byId.values()] }
  owned (peer: string): Managed[] { return this.all().filter(m => m.owner === peer) }
  /** Instances holding resources: running ones, hibernated included. */
  live (): Managed[] { return this.all().filter(m => m.status.state === 'running') }
  /** Instances in workers (not hibernated). */
  inWorkers (): number { return this.working.size }
  inWorkersOf (peer: string): number { return this.workingBy.get(peer) ?? 0 }
  hibernated (): number { return this.asleep.size }
  hibernatedOf (peer: string): number { return this.asleepBy.get(peer) ?? 0 }

  /** The running instance that registered `name` (first found). */
  byName (name: string): Managed | undefined {
    for (const m of this.byId.values()) if (m.status.state === 'running' && m.names.includes(name)) return m
    return undefined
  }

  private recount (m: Managed, gone = false): void {
    move(this.working, this.workingBy, m, !gone && m.inWorker)
    move(this.asleep, this.asleepBy, m, !gone && m.hibernated)
  }
}

function move (set: Set<Managed>, by: Map<string, number>, m: Managed, member: boolean): void {
  if (set.has(m) === member) return
  if (member) set.add(m); else set.delete(m)
  const n = (by.get(m.owner) ?? 0) + (member ? 1 : -1)
  if (n > 0) by.set(m.owner, n); else by.delete(m.owner)
}
