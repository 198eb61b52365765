/**
 * Who may deploy to this node. Every request carries the Noise-authenticated
 * remote peer ID; the node's own peer ID (the local CLI) may do anything.
 * Default: open to everyone, with per-peer quotas (running instances,
 * deploys per minute) and a node-wide instance cap. `allow-list` admits only
 * the listed peer IDs.
 */
import { ErrorCode } from '../protocols/pb/gate.js'
import { RequestError } from '../protocols/errors.js'

export interface PolicyInit {
  mode: 'open' | 'allow-list'
  /** Peer IDs admitted in allow-list mode. */
  allow: string[]
  /** Live instances one peer may own (default 8). */
  maxInstancesPerPeer: number
  /** Deploy requests one peer may make per minute (default 60). */
  deploysPerMinute: number
  /** Live instances on this node (default 256). */
  maxInstances: number
}

export const DEFAULT_POLICY: PolicyInit = {
  mode: 'open',
  allow: [],
  maxInstancesPerPeer: 8,
  deploysPerMinute: 60,
  maxInstances: 256
}

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
   * May `peer` start one more instance, given how many it and everyone own?
   * Counts the attempt against the per-minute quota.
   */
  checkDeploy (peer: string, owned: number, total: number): void {
    this.checkAccess(peer)
    if (this.isOwner(peer)) return
    const now = Date.now()
    const times = (this.recent.get(peer) ?? []).filter(t => now - t < 60_000)
    if (times.length >= this.init.deploysPerMinute) {
      this.recent.set(peer, times)
      throw new RequestError(ErrorCode.RATE_LIMITED, `more than ${this.init.deploysPerMinute} deploys per minute; retry in ${Math.ceil((60_000 - (now - times[0])) / 1000)} s`)
    }
    times.push(now)
    this.recent.set(peer, times)
    if (this.recent.size > 10_000) this.recent.delete(this.recent.keys().next().value as string)
    if (owned >= this.init.maxInstancesPerPeer) throw new RequestError(ErrorCode.RATE_LIMITED, `peer already runs ${owned} instances here (limit ${this.init.maxInstancesPerPeer})`)
    if (total >= this.init.maxInstances) throw new RequestError(ErrorCode.UNAVAILABLE, `node is full (${total} instances)`)
  }

  /** May `peer` act on an instance owned by `owner`? Others get NOT_FOUND: existence is not revealed. */
  checkOwner (peer: string, owner: string, instance: string): void {
    if (this.isOwner(peer) || peer === owner) return
    throw new RequestError(ErrorCode.NOT_FOUND, `no instance ${instance}`)
  }
}
