/**
 * The node's instances: who owns each, whether it is transient (killed
 * when its client goes) and who is attached to its output. An entry
 * outlives its executor Instance: a suspended instance keeps its snapshot
 * (root CID in the node's blockstore) until resumed or deleted.
 */
import { EventEmitter } from 'node:events'
import type { CID } from 'multiformats/cid'
import type { Instance, InstanceStatus } from '../executor/index.js'

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

  /** Bind a (new) executor instance: its output goes to the sinks. */
  bind (inst: Instance): void {
    this.instance = inst
    this.status = { state: 'running' }
    this.snapshotRoot = undefined
    inst.on('stdout', d => { for (const s of this.sinks) s.stdout(d) })
    inst.on('stderr', d => { for (const s of this.sinks) s.stderr(d) })
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

export class InstanceTable {
  private readonly byId = new Map<string, Managed>()

  add (m: Managed): Managed { this.byId.set(m.id, m); return m }
  get (id: string): Managed | undefined { return this.byId.get(id) }
  delete (id: string): void { this.byId.delete(id) }
  all (): Managed[] { return [...this.byId.values()] }
  owned (peer: string): Managed[] { return this.all().filter(m => m.owner === peer) }
  /** Instances holding resources: running ones. */
  live (): Managed[] { return this.all().filter(m => m.status.state === 'running') }

  /** The running instance that registered `name` (first found). */
  byName (name: string): Managed | undefined {
    return this.all().find(m => m.status.state === 'running' && m.names.includes(name))
  }
}
