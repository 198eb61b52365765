/**
 * Service names over the DHT. A name maps to a CID (raw, sha2-256 of
 * "gate/service/<name>"); a node that offers the name is a provider of that
 * CID. Names registered by local programs are reference counted and
 * re-announced every `reprovideMs` while held. Provider records cannot be
 * withdrawn, so a lookup may still name a node that dropped the name; the
 * message protocol then answers NOT_FOUND.
 *
 * A full node (node/capacity.ts) pauses its executor names: it stops
 * re-announcing them and no longer lists itself, and since records it put
 * out earlier live on in the DHT until they expire, lookups of executor
 * names ask each provider found whether it has room (`excludeProvider`)
 * and leave out the ones that say they are full.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Logger } from '@libp2p/interface'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

/** What every node advertises: it runs programs. */
export const EXECUTOR_SERVICE = 'gate/executor'
/** And on which architecture (`gate/executor/arm64`, `gate/executor/x64`): find a node to move a program to. */
export const executorArchService = (arch: string): string => `${EXECUTOR_SERVICE}/${arch}`
const ARCH_SERVICE = /^gate\/executor\/[a-z0-9_]{1,16}$/
const NAME = /^[\x21-\x7e\u00a0-\uffff]{1,127}$/u

export function validServiceName (name: string): boolean {
  return NAME.test(name) && !name.includes('/') || name === EXECUTOR_SERVICE || ARCH_SERVICE.test(name)
}

export async function serviceCid (name: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`gate/service/${name}`)))
}

export interface Provider { id: PeerId, multiaddrs: string[] }

export class ServiceDirectory {
  private readonly held = new Map<string, number>()
  /** Held names not offered for now (the node is full). */
  private readonly paused = new Set<string>()
  private timer?: NodeJS.Timeout
  /** Drop a provider found for `name` from lookups (e.g. it says it is full); errors keep it. */
  excludeProvider?: (name: string, p: Provider, signal?: AbortSignal) => Promise<boolean>

  constructor (private readonly libp2p: Libp2p, private readonly log: Logger, private readonly reprovideMs: number) {}

  start (): void {
    this.timer = setInterval(() => { void this.reprovide() }, this.reprovideMs)
    this.timer.unref()
  }

  stop (): void { clearInterval(this.timer) }

  /** Names this node currently offers. */
  names (): string[] { return [...this.held.keys()].filter(n => !this.paused.has(n)).sort() }

  /** Names held but not offered for now. */
  pausedNames (): string[] { return [...this.paused].filter(n => this.held.has(n)).sort() }

  /** Stop offering `names` (not re-announced, not listed for this node) until `unpause`. */
  pause (names: string[]): void { for (const n of names) this.paused.add(n) }

  /** Offer `names` again: announced now. */
  async unpause (names: string[]): Promise<void> {
    const back = names.filter(n => this.paused.delete(n) && this.held.has(n))
    await Promise.all(back.map(async n => { await this.provide(n) }))
  }

  has (name: string): boolean { return this.held.has(name) }

  /** Offer `name`; resolves when the provider record is out (or failed to go out: logged). */
  async advertise (name: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const n = this.held.get(name) ?? 0
    this.held.set(name, n + 1)
    if (n === 0 && !this.paused.has(name)) await this.provide(name, opts.signal)
  }

  withdraw (name: string): void {
    const n = this.held.get(name) ?? 0
    if (n <= 1) this.held.delete(name); else this.held.set(name, n - 1)
  }

  /** Providers of `name` found through the DHT (this node first if it offers the name). */
  async find (name: string, opts: { limit?: number, signal?: AbortSignal } = {}): Promise<Provider[]> {
    const limit = opts.limit ?? 16
    const exclude = this.excludeProvider
    if (exclude != null && name.startsWith(EXECUTOR_SERVICE)) {
      // ask more than wanted: some may be full
      const found = await this.lookup(name, limit * 2, opts.signal)
      const self = this.libp2p.peerId.toString()
      const keep = await Promise.all(found.map(async p => p.id.toString() === self || !(await exclude(name, p, opts.signal).catch(() => false))))
      return found.filter((_, i) => keep[i]).slice(0, limit)
    }
    return await this.lookup(name, limit, opts.signal)
  }

  private async lookup (name: string, limit: number, signal?: AbortSignal): Promise<Provider[]> {
    const opts = { signal }
    const out: Provider[] = []
    const seen = new Set<string>()
    seen.add(this.libp2p.peerId.toString())
    if (this.held.has(name) && !this.paused.has(name)) {
      out.push({ id: this.libp2p.peerId, multiaddrs: this.libp2p.getMultiaddrs().map(String) })
    }
    if (out.length >= limit) return out
    const cid = await serviceCid(name)
    try {
      for await (const p of this.libp2p.contentRouting.findProviders(cid, { signal: opts.signal })) {
        const key = p.id.toString()
        if (seen.has(key)) continue
        seen.add(key)
        out.push({ id: p.id, multiaddrs: p.multiaddrs.map(String) })
        if (out.length >= limit) break
      }
    } catch (err) {
      // a timeout after some results is a partial answer, not a failure
      if (out.length === 0 && opts.signal?.aborted !== true) throw err
    }
    return out
  }

  private async provide (name: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.libp2p.contentRouting.provide(await serviceCid(name), { signal: signal ?? AbortSignal.timeout(30_000) })
    } catch (err) {
      this.log('announcing %s failed: %s', name, (err as Error).message)
    }
  }

  private async reprovide (): Promise<void> {
    for (const name of this.held.keys()) if (!this.paused.has(name)) await this.provide(name)
  }
}
