/**
 * Node-wide budgets. Every running instance holds a reservation of linear
 * memory: its maximum (the memory limit it runs under), reserved when it is
 * deployed, resumed or adopted and released when it ends, is suspended or
 * moves away. The sum never exceeds the budget (default half the machine's
 * RAM): a deploy that does not fit is refused with RESOURCE_EXHAUSTED,
 * naming the budget and the figures. Remote deploys run under per-instance
 * defaults (memory cap, CPU time limit); inbound messages are rate limited
 * per peer and per address range with token buckets.
 */
import { totalmem } from 'node:os'
import { ErrorCode } from '../protocols/pb/gate.js'
import { RequestError } from '../protocols/errors.js'

export const MiB = 1024 * 1024
export const PAGE = 65536

export interface BudgetInit {
  /** Linear memory all running instances together may reserve (default half of the machine's RAM). */
  memoryBytes: number
  /** Per-instance memory cap for deploys from other peers (default 256 MiB). */
  remoteMemoryBytes: number
  /** Default (and largest) CPU time limit for deploys from other peers, ms (default 60000; 0 = none). */
  remoteCpuMs: number
  /**
   * Output (stdout + stderr) per second of each instance of another peer,
   * bytes (default 1 MiB; 0 = none): past it the program's writes wait, as
   * on a full pipe. A flood costs the node at most this much per instance.
   */
  remoteOutputBytesPerSecond: number
  /** Inbound messages per second one peer may send (default 200; burst 5 s worth). */
  messagesPerSecond: number
  /** Inbound messages per second one address range may send (default 4x the per-peer rate). */
  messagesPerSecondPerRange: number
  /**
   * The share of the memory budget one other peer's instances may hold
   * together (default an eighth), and one address range's (default a half):
   * a few identities cannot take all of it, so other peers still get in.
   * 0 = the whole budget. The node's own deploys have no share limit.
   */
  peerMemoryBytes: number
  rangeMemoryBytes: number
}

export function defaultBudget (): BudgetInit {
  return {
    memoryBytes: Math.floor(totalmem() / 2 / PAGE) * PAGE,
    remoteMemoryBytes: 256 * MiB,
    remoteCpuMs: 60_000,
    remoteOutputBytesPerSecond: MiB,
    messagesPerSecond: 200,
    messagesPerSecondPerRange: 800,
    peerMemoryBytes: 0,
    rangeMemoryBytes: 0
  }
}

/** The per-peer and per-range shares in bytes (0 in BudgetInit: the defaults, an eighth and a half of the budget). */
export function memoryShares (b: BudgetInit): { peer: number, range: number } {
  return {
    peer: b.peerMemoryBytes > 0 ? b.peerMemoryBytes : Math.floor(b.memoryBytes / 8),
    range: b.rangeMemoryBytes > 0 ? b.rangeMemoryBytes : Math.floor(b.memoryBytes / 2)
  }
}

/** Figures in MiB for messages: whole numbers, one decimal below 10. */
export function mib (bytes: number): string {
  const v = bytes / MiB
  return v >= 10 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1)
}

/**
 * The address range a connection counts against: /ip4 -> its /24, /ip6 ->
 * its /48, anything else (DNS names, relayed circuits without an IP) by its
 * first component's value. Undefined when there is no address.
 */
export function addressRange (addr: string | undefined): string | undefined {
  if (addr == null || addr === '') return undefined
  const parts = addr.split('/')
  const proto = parts[1]
  const value = parts[2]
  if (value == null) return undefined
  if (proto === 'ip4') {
    const o = value.split('.')
    if (o.length !== 4) return value
    return `${o[0]}.${o[1]}.${o[2]}.0/24`
  }
  if (proto === 'ip6') {
    const groups = expandIp6(value)
    if (groups == null) return value
    if (groups.slice(0, 5).every(g => g === 0) && groups[5] === 0xffff) {
      // an IPv4-mapped address counts as the IPv4 address
      return addressRange(`/ip4/${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`)
    }
    return `${groups.slice(0, 3).map(g => g.toString(16)).join(':')}::/48`
  }
  return `${proto}/${value}`
}

function expandIp6 (text: string): number[] | undefined {
  const zone = text.indexOf('%')
  const s = zone >= 0 ? text.slice(0, zone) : text
  let head = s
  let tail = ''
  const dbl = s.indexOf('::')
  if (dbl >= 0) { head = s.slice(0, dbl); tail = s.slice(dbl + 2) }
  const parse = (p: string): number[] => {
    if (p === '') return []
    const out: number[] = []
    for (const g of p.split(':')) {
      if (g.includes('.')) {
        const o = g.split('.').map(Number)
        out.push((o[0] << 8) | o[1], (o[2] << 8) | o[3])
      } else {
        out.push(parseInt(g, 16))
      }
    }
    return out
  }
  const h = parse(head)
  const t = parse(tail)
  const fill = dbl >= 0 ? 8 - h.length - t.length : 0
  const groups = [...h, ...Array(Math.max(0, fill)).fill(0), ...t]
  if (groups.length !== 8 || groups.some(g => !Number.isFinite(g) || g < 0 || g > 0xffff)) return undefined
  return groups
}

export interface Reservation {
  id: string
  owner: string
  /** Address range of the connection the deploy came on (none for local ones). */
  range?: string
  bytes: number
}

export interface Usage { instances: number, memoryBytes: number }

export interface BudgetFigures {
  memory: { committedBytes: number, budgetBytes: number, freeBytes: number }
  instances: number
  perPeer: Array<{ peer: string } & Usage>
  perRange: Array<{ range: string } & Usage>
}

/**
 * The memory ledger. `held(id)` says whether an instance still holds its
 * reservation (it runs, or it is being moved and may resume here); entries
 * it denies are swept.
 */
export class MemoryBudget {
  private readonly entries = new Map<string, Reservation>()
  private committed = 0
  private readonly listeners = new Set<() => void>()

  constructor (readonly budgetBytes: number, private readonly held: (id: string) => boolean = () => true,
    /** Shares of other peers and ranges (memoryShares); `isOwner`: the node's own deploys, which have none. */
    private readonly shares?: { peer: number, range: number, isOwner: (peer: string) => boolean }) {}

  get committedBytes (): number { return this.committed }
  get freeBytes (): number { return Math.max(0, this.budgetBytes - this.committed) }

  /** Called after every change of the committed total. */
  onChange (fn: () => void): () => void { this.listeners.add(fn); return () => { this.listeners.delete(fn) } }

  /** Would `bytes` more fit (an instance `id` already reserved counts as replaced)? */
  fits (bytes: number, id?: string): boolean {
    const mine = id != null ? this.entries.get(id)?.bytes ?? 0 : 0
    return this.committed - mine + bytes <= this.budgetBytes
  }

  /** Refuse with RESOURCE_EXHAUSTED unless `bytes` more fit (the node's budget, and the owner's and range's shares). */
  check (bytes: number, id?: string, who?: { owner: string, range?: string }): void {
    this.sweep()
    if (!this.fits(bytes, id)) throw new RequestError(ErrorCode.RESOURCE_EXHAUSTED, `memory budget: ${mib(this.committed)} of ${mib(this.budgetBytes)} MiB committed, this deploy needs ${mib(bytes)} MiB`)
    const s = this.shares
    if (s == null || who == null || s.isOwner(who.owner)) return
    const held = (f: (r: Reservation) => boolean): number => { let n = 0; for (const r of this.entries.values()) if (r.id !== id && f(r)) n += r.bytes; return n }
    const peer = held(r => r.owner === who.owner)
    if (peer + bytes > s.peer) throw new RequestError(ErrorCode.RESOURCE_EXHAUSTED, `memory share of a peer: ${mib(peer)} of ${mib(s.peer)} MiB held by this peer, this deploy needs ${mib(bytes)} MiB`)
    if (who.range == null) return
    const range = held(r => r.range === who.range)
    if (range + bytes > s.range) throw new RequestError(ErrorCode.RESOURCE_EXHAUSTED, `memory share of address range ${who.range}: ${mib(range)} of ${mib(s.range)} MiB held, this deploy needs ${mib(bytes)} MiB`)
  }

  /** Reserve (or re-reserve: the same id replaces its entry); throws RESOURCE_EXHAUSTED. */
  reserve (r: Reservation): void {
    this.check(r.bytes, r.id, r)
    const old = this.entries.get(r.id)
    if (old != null) this.committed -= old.bytes
    this.entries.set(r.id, { ...r })
    this.committed += r.bytes
    this.changed()
  }

  /** Reserve without the checks (RESOURCE_EXHAUSTED never): a short over-commit the caller has a reason for. */
  book (r: Reservation): void {
    const old = this.entries.get(r.id)
    if (old != null) this.committed -= old.bytes
    this.entries.set(r.id, { ...r })
    this.committed += r.bytes
    this.changed()
  }

  get (id: string): Reservation | undefined {
    const r = this.entries.get(id)
    return r != null ? { ...r } : undefined
  }

  release (id: string): void {
    const r = this.entries.get(id)
    if (r == null) return
    this.entries.delete(id)
    this.committed -= r.bytes
    this.changed()
  }

  /** Drop the reservations of instances that no longer hold one. */
  sweep (): void {
    let n = 0
    for (const id of [...this.entries.keys()]) {
      if (!this.held(id)) { const r = this.entries.get(id)!; this.entries.delete(id); this.committed -= r.bytes; n++ }
    }
    if (n > 0) this.changed()
  }

  /** Reservations held by a range (instances counted against its quota). */
  rangeInstances (range: string): number {
    let n = 0
    for (const r of this.entries.values()) if (r.range === range) n++
    return n
  }

  figures (): BudgetFigures {
    this.sweep()
    const peers = new Map<string, Usage>()
    const ranges = new Map<string, Usage>()
    const add = (m: Map<string, Usage>, k: string, b: number): void => {
      const u = m.get(k) ?? { instances: 0, memoryBytes: 0 }
      u.instances++
      u.memoryBytes += b
      m.set(k, u)
    }
    for (const r of this.entries.values()) {
      add(peers, r.owner, r.bytes)
      if (r.range != null) add(ranges, r.range, r.bytes)
    }
    const byBytes = (a: Usage, b: Usage): number => b.memoryBytes - a.memoryBytes || b.instances - a.instances
    return {
      memory: { committedBytes: this.committed, budgetBytes: this.budgetBytes, freeBytes: this.freeBytes },
      instances: this.entries.size,
      perPeer: [...peers].map(([peer, u]) => ({ peer, ...u })).sort(byBytes),
      perRange: [...ranges].map(([range, u]) => ({ range, ...u })).sort(byBytes)
    }
  }

  private changed (): void {
    for (const fn of this.listeners) {
      try { fn() } catch {}
    }
  }
}

/** Token buckets by key (peer ID, range): `rate` per second, up to `burst` saved. Bounded in keys. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number, at: number }>()

  constructor (private readonly rate: number, private readonly burst: number, private readonly maxKeys = 10_000) {}

  /** Take one token; false when the bucket is empty (rate 0 = unlimited). */
  take (key: string, now = Date.now()): boolean {
    if (this.rate <= 0) return true
    let b = this.buckets.get(key)
    if (b == null) {
      b = { tokens: this.burst, at: now }
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string)
    } else {
      this.buckets.delete(key) // re-insert: the map stays in least-recently-used order
      b.tokens = Math.min(this.burst, b.tokens + (now - b.at) / 1000 * this.rate)
      b.at = now
    }
    this.buckets.set(key, b)
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }
}
