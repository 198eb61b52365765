/**
 * Admission of work to the node: the policy's quotas (per peer ID and per
 * address range), the limits a deploy runs under (remote deploys get the
 * per-instance memory cap and CPU limit), the memory budget's reservations,
 * the inbound message rate, and the figures `gate status` shows.
 */
import type { Stream } from '@libp2p/interface'
import { DEFAULT_LIMITS, type InstanceSnapshot } from '../executor/index.js'
import { MessageChannel } from '../protocols/channel.js'
import { RequestError } from '../protocols/errors.js'
import { MAX_CONTROL_FRAME, REQUEST_TIMEOUT_MS } from '../protocols/ids.js'
import { streamDuplex } from '../protocols/libp2p-duplex.js'
import { ErrorCode, PeerMessage } from '../protocols/pb/gate.js'
import { addressRange, defaultBudget, memoryShares, mib, MemoryBudget, PAGE, TokenBuckets, type BudgetFigures, type BudgetInit, type Reservation } from './budget.js'
import type { CapacityState } from './capacity.js'
import type { InstanceTable } from './instances.js'
import type { Policy, PolicyInit } from './policy.js'
import { refuse } from './handlers/refuse.js'

/** Seconds of the message rate a bucket saves up. */
const MESSAGE_BURST_S = 5

export interface DeployLimits { memoryPages: number, cpuTimeMs?: number }

export interface NodeFigures extends BudgetFigures {
  /** Instances in workers and the node's cap on them. */
  live: { instances: number, max: number }
  /** Hibernated instances (no memory reservation, no worker) and the node's cap on them. */
  hibernated: { instances: number, max: number }
  full: boolean
  fullReason: string
  /** The budget's settings as they apply (shares in bytes), and the memory cap of the owner's deploys (the executor's limit). */
  defaults: Omit<BudgetInit, 'memoryBytes'> & { localMemoryBytes: number }
  quotas: Omit<PolicyInit, 'allow' | 'mode'> & { mode: PolicyInit['mode'] }
}

export interface AdmissionInit {
  budget?: Partial<BudgetInit>
  policy: Policy
  table: InstanceTable
  /** The executor's own memory limit (pages): the cap for everyone. */
  localMemoryPages?: number
}

export class Admission {
  readonly limits: BudgetInit
  readonly memory: MemoryBudget
  private readonly policy: Policy
  private readonly table: InstanceTable
  private readonly localPages: number
  /** Reserved, not bound to a running instance yet (a resume or adopt in progress). */
  private readonly pending = new Set<string>()
  /** The range an instance was deployed from: a resume here counts against it again. */
  private readonly ranges = new Map<string, string>()
  /** Reservations of hibernated instances, set aside until they wake (park/unpark). */
  private readonly parked = new Map<string, Reservation>()
  private readonly msgPeer: TokenBuckets
  private readonly msgRange: TokenBuckets

  constructor (init: AdmissionInit) {
    this.limits = { ...defaultBudget(), ...definedOnly(init.budget ?? {}) }
    this.policy = init.policy
    this.table = init.table
    this.localPages = init.localMemoryPages ?? DEFAULT_LIMITS.memoryPages
    this.memory = new MemoryBudget(this.limits.memoryBytes, id => this.held(id), { ...memoryShares(this.limits), isOwner: peer => this.policy.isOwner(peer) })
    this.msgPeer = new TokenBuckets(this.limits.messagesPerSecond, this.limits.messagesPerSecond * MESSAGE_BURST_S)
    this.msgRange = new TokenBuckets(this.limits.messagesPerSecondPerRange, this.limits.messagesPerSecondPerRange * MESSAGE_BURST_S)
  }

  private held (id: string): boolean {
    if (this.pending.has(id)) return true
    const m = this.table.get(id)
    return m != null && (m.instance != null || m.migrating)
  }

  /** The policy's verdict on one more deploy by `owner` over a connection from `remoteAddr`. */
  checkDeploy (owner: string, remoteAddr?: string): void {
    const range = this.policy.isOwner(owner) ? undefined : addressRange(remoteAddr)
    this.policy.checkDeploy(owner, this.table.inWorkersOf(owner), this.table.inWorkers(), range != null ? { range, owned: this.memory.rangeInstances(range) } : undefined, this.table.hibernatedOf(owner))
  }

  /** May instance `id` (of `owner`) hibernate? Not past the node's cap on hibernated instances. */
  mayHibernate (_id: string, _owner: string): boolean {
    return this.table.hibernated() < this.policy.init.maxHibernated
  }

  /**
   * Instance `id` hibernated: its memory reservation is set aside (what it
   * would need again is kept) and the budget is free for others.
   */
  park (id: string): void {
    const r = this.memory.get(id)
    if (r == null) return
    this.parked.set(id, r)
    this.memory.release(id)
  }

  /**
   * Instance `id` of `owner` wants to wake: its reservation again, within
   * the budget and shares, and within the instance caps for other peers'
   * instances. Undefined when it may, else why not. `force`: booked even if
   * it does not fit (a suspend that must run it briefly).
   */
  unpark (id: string, owner: string, force = false): string | undefined {
    const r = this.parked.get(id) ?? { id, owner, bytes: this.localPages * PAGE }
    if (!force && !this.policy.isOwner(owner)) {
      const q = this.policy.init
      if (this.table.inWorkers() >= q.maxInstances) return `instance budget: ${this.table.inWorkers()} of ${q.maxInstances} instances in workers`
      if (this.table.inWorkersOf(owner) >= q.maxInstancesPerPeer) return `peer already runs ${this.table.inWorkersOf(owner)} instances here (limit ${q.maxInstancesPerPeer})`
    }
    try {
      if (force) this.memory.book(r); else this.memory.reserve(r)
    } catch (err) {
      return (err as Error).message
    }
    this.parked.delete(id)
    return undefined
  }

  rangeOf (owner: string, remoteAddr?: string): string | undefined {
    return this.policy.isOwner(owner) ? undefined : addressRange(remoteAddr)
  }

  /** The memory and CPU limits a fresh deploy runs under: remote ones are capped. */
  deployLimits (owner: string, spec: { memoryPages?: number, cpuTimeMs?: number }): DeployLimits {
    const asked = spec.memoryPages != null && spec.memoryPages > 0 ? spec.memoryPages : undefined
    const cpu = spec.cpuTimeMs != null && spec.cpuTimeMs > 0 ? spec.cpuTimeMs : undefined
    if (this.policy.isOwner(owner)) return { memoryPages: Math.min(asked ?? this.localPages, this.localPages), cpuTimeMs: cpu }
    const cap = Math.max(1, Math.min(Math.floor(this.limits.remoteMemoryBytes / PAGE), this.localPages))
    const cpuCap = this.limits.remoteCpuMs
    return {
      memoryPages: Math.min(asked ?? cap, cap),
      cpuTimeMs: cpuCap > 0 ? Math.min(cpu ?? cpuCap, cpuCap) : cpu
    }
  }

  /** The output rate an instance of `owner` runs under, bytes per second (0 = none): other peers' are limited. */
  outputRate (owner: string): number {
    return this.policy.isOwner(owner) ? 0 : this.limits.remoteOutputBytesPerSecond
  }

  /** What a snapshot's instance reserves: its maximum memory (or what it has, if more). */
  snapshotBytes (s: InstanceSnapshot): number {
    return Math.max(s.memory.byteLength, (s.memoryMaxPages ?? this.localPages) * PAGE)
  }

  /** Reserve for instance `id` (RESOURCE_EXHAUSTED if it does not fit); held until `bound` and then while it runs. */
  reserve (id: string, owner: string, bytes: number, range?: string): void {
    for (const k of this.ranges.keys()) if (this.table.get(k) == null && k !== id) this.ranges.delete(k)
    const r = range ?? this.ranges.get(id)
    const had = this.pending.has(id)
    this.pending.add(id) // before: listeners of the change sweep
    try {
      this.memory.reserve({ id, owner, range: r, bytes })
    } catch (err) {
      if (!had) this.pending.delete(id)
      throw err
    }
    if (r != null) this.ranges.set(id, r)
  }

  /** The instance reserved for runs now: its reservation lives as long as it does. */
  bound (id: string): void { this.pending.delete(id) }

  release (id: string): void {
    this.pending.delete(id)
    this.parked.delete(id)
    this.memory.release(id)
  }

  /** Can the node take a default-size remote deploy? */
  state (): CapacityState {
    this.memory.sweep()
    const live = this.table.inWorkers()
    if (live >= this.policy.init.maxInstances) return { full: true, reason: `instance budget: ${live} of ${this.policy.init.maxInstances} instances in workers` }
    const need = Math.min(this.limits.remoteMemoryBytes, this.localPages * PAGE)
    if (!this.memory.fits(need)) return { full: true, reason: `memory budget: ${mib(this.memory.committedBytes)} of ${mib(this.memory.budgetBytes)} MiB committed, a default deploy needs ${mib(need)} MiB` }
    return { full: false, reason: '' }
  }

  /** May `peer` (connected from `remoteAddr`) send one more message? RATE_LIMITED if not. */
  checkMessage (peer: string, remoteAddr?: string): void {
    if (this.policy.isOwner(peer)) return
    if (!this.msgPeer.take(peer)) throw new RequestError(ErrorCode.RATE_LIMITED, `more than ${this.limits.messagesPerSecond} messages per second from this peer`)
    const range = addressRange(remoteAddr)
    if (range != null && !this.msgRange.take(range)) throw new RequestError(ErrorCode.RATE_LIMITED, `more than ${this.limits.messagesPerSecondPerRange} messages per second from address range ${range}`)
  }

  figures (): NodeFigures {
    const s = this.state()
    const { allow: _allow, ...quotas } = this.policy.init
    return {
      ...this.memory.figures(),
      live: { instances: this.table.inWorkers(), max: this.policy.init.maxInstances },
      hibernated: { instances: this.table.hibernated(), max: this.policy.init.maxHibernated },
      full: s.full,
      fullReason: s.reason,
      defaults: {
        localMemoryBytes: this.localPages * PAGE,
        remoteMemoryBytes: Math.min(this.limits.remoteMemoryBytes, this.localPages * PAGE),
        remoteCpuMs: this.limits.remoteCpuMs,
        remoteOutputBytesPerSecond: this.limits.remoteOutputBytesPerSecond,
        messagesPerSecond: this.limits.messagesPerSecond,
        messagesPerSecondPerRange: this.limits.messagesPerSecondPerRange,
        peerMemoryBytes: memoryShares(this.limits).peer,
        rangeMemoryBytes: memoryShares(this.limits).range
      },
      quotas
    }
  }
}

/** Refuse a message stream: read its one request (so the answer is read, not reset), answer with the error. */
export async function refuseMessage (stream: Stream, err: unknown): Promise<void> {
  const ch = new MessageChannel(streamDuplex(stream), { maxFrame: MAX_CONTROL_FRAME * 2 })
  await ch.read(PeerMessage, { timeoutMs: REQUEST_TIMEOUT_MS }).catch(() => undefined)
  await refuse(ch, err)
}

function definedOnly<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v != null)) as Partial<T>
}
