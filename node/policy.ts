/**
 * Who may deploy to this node. Every request carries the Noise-authenticated
 * remote peer ID; the node's own peer ID (the local CLI) may do anything.
 * Default: open to everyone, with per-peer quotas (running instances,
 * deploys per minute) and a node-wide instance cap. `allow-list` admits only
 * the listed peer IDs. The address range a deploy comes from (/24 of IPv4,
 * /48 of IPv6: node/budget.ts addressRange) has quotas of its own, so many
 * peer IDs from one place share one allowance.
 */
import { ErrorCode } from '../protocols/pb/gate.js'
import { RequestError } from '../protocols/errors.js'

export interface PolicyInit {
  mode: 'open' | 'allow-list'
  /** Peer IDs admitted in allow-list mode. */
  allow: string[]
  /** Instances in workers one peer may own (default 8; hibernated ones count below). */
  maxInstancesPerPeer: number
  /** Deploy requests one peer may make per minute (default 60). */
  deploysPerMinute: number
  /** Instances in workers on this node (default 256; hibernated ones count below). */
  maxInstances: number
  /** Hibernated instances on this node (default 1,000,000): past it, idle instances stay in their workers. */
  maxHibernated: number
  /** Hibernated instances one other peer may own (default 1024): past it, its deploys are refused. */
  maxHibernatedPerPeer: number
  /** Live instances all peers of one address range may own (default 32: 4x per peer). */
  maxInstancesPerRange: number
  /** Deploy requests from one address range per minute (default 240: 4x per peer). */
  deploysPerMinutePerRange: number
}

export const DEFAULT_POLICY: PolicyInit = {
  mode: 'open',
  allow: [],
  maxInstancesPerPeer: 8,
  deploysPerMinute: 60,
  maxInstances: 256,
  maxHibernated: 1_000_000,
  maxHibernatedPerPeer: 1024,
  maxInstancesPerRange: 32,
  deploysPerMinutePerRange: 240
}

/** Where a deploy comes from: its connection's address range and how many instances that range runs here. */
export interface Origin { range: string, owned: number }

export class Policy {
  readonly init: PolicyInit
  private readonly recent = new Map<string, number[]>()

  constructor (private readonly self: string, init: Partial<PolicyInit> = {}) {
    this.init = { ...DEFAULT_POLICY, ...init }
  }

  isOwner (peer: string): boolean { return peer === this.self }

  /** May `peer` use this node at all (messages, control of its own instances)? */
  checkAccess (peer: string): void {
    if (this.isOwner(peer) || this.init.mode === 'open') return
    if (!this.init.allow.includes(peer)) throw new RequestError(ErrorCode.UNAUTHORIZED, `peer ${peer} is not on this node's allow-list`)
  }

  /**
   * May `peer` start one more instance, given how many it, its address range
   * and everyone own? Counts the attempt against the per-minute quotas.
   */
  checkDeploy (peer: string, owned: number, total: number, origin?: Origin, hibernated = 0): void {
    this.checkAccess(peer)
    if (this.isOwner(peer)) return
    const now = Date.now()
    const times = this.window(peer, now)
    if (times.length >= this.init.deploysPerMinute) {
      throw new RequestError(ErrorCode.RATE_LIMITED, `more than ${this.init.deploysPerMinute} deploys per minute; retry in ${Math.ceil((60_000 - (now - times[0])) / 1000)} s`)
    }
    const rangeTimes = origin != null ? this.window(`range ${origin.range}`, now) : undefined
    if (rangeTimes != null && rangeTimes.length >= this.init.deploysPerMinutePerRange) {
      throw new RequestError(ErrorCode.RATE_LIMITED, `more than ${this.init.deploysPerMinutePerRange} deploys per minute from address range ${origin!.range}; retry in ${Math.ceil((60_000 - (now - rangeTimes[0])) / 1000)} s`)
    }
    times.push(now)
    rangeTimes?.push(now)
    if (owned >= this.init.maxInstancesPerPeer) throw new RequestError(ErrorCode.RATE_LIMITED, `peer already runs ${owned} instances here (limit ${this.init.maxInstancesPerPeer})`)
    if (hibernated >= this.init.maxHibernatedPerPeer) throw new RequestError(ErrorCode.RATE_LIMITED, `peer already has ${hibernated} hibernated instances here (limit ${this.init.maxHibernatedPerPeer})`)
    if (origin != null && origin.owned >= this.init.maxInstancesPerRange) throw new RequestError(ErrorCode.RATE_LIMITED, `address range ${origin.range} already runs ${origin.owned} instances here (limit ${this.init.maxInstancesPerRange})`)
    if (total >= this.init.maxInstances) throw new RequestError(ErrorCode.RESOURCE_EXHAUSTED, `instance budget: ${total} of ${this.init.maxInstances} instances in workers; node is full`)
  }

  /** The deploy times of `key` in the last minute (a live array, stored). */
  private window (key: string, now: number): number[] {
    const times = (this.recent.get(key) ?? []).filter(t => now - t < 60_000)
    this.recent.delete(key)
    this.recent.set(key, times)
    if (this.recent.size > 10_000) this.recent.delete(this.recent.keys().next().value as string)
    return times
  }

  /** May `peer` act on an instance owned by `owner`? Others get NOT_FOUND: existence is not revealed. */
  checkOwner (peer: string, owner: string, instance: string): void {
    if (this.isOwner(peer) || peer === owner) return
    throw new RequestError(ErrorCode.NOT_FOUND, `no instance ${instance}`)
  }
}
