/**
 * `gate node start --testnet public|local`: which peers to join. `public`
 * reads testnet/public.json (or $GATE_TESTNET_FILE); `local` joins the
 * local testnet's bootstrap node (gate testnet up). After the start, the
 * bootstrap peers are dialed once and a clear line says whether any answered.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { bootstrapAddrs, LocalTestnet, loadPublicTestnet } from '../../testnet/index.js'
import type { GateNode } from '../../node/node.js'
import type { GateNodeInit } from '../../node/config.js'
import { UsageError } from '../errors.js'

export interface Join {
  name: string
  bootstrap: string[]
  init: Partial<GateNodeInit>
}

export async function resolveTestnet (which: string, testnetDir: string): Promise<Join> {
  if (which === 'public') {
    const p = await loadPublicTestnet()
    return { name: `${p.name} (${p.file})`, bootstrap: p.bootstrap, init: { dht: p.dht, publicNetwork: true } }
  }
  if (which === 'local') {
    const tn = await LocalTestnet.open(testnetDir)
    return { name: `the local testnet in ${testnetDir}`, bootstrap: bootstrapAddrs(tn.nodes[0]), init: {} }
  }
  throw new UsageError(`--testnet is public or local, not ${JSON.stringify(which)}`)
}

export interface JoinReport { reached: number, tried: number, errors: string[] }

/** Dial every bootstrap peer once (in parallel, bounded in time). */
export async function dialBootstrap (node: GateNode, list: string[], timeoutMs = 20_000): Promise<JoinReport> {
  const errors: string[] = []
  const results = await Promise.allSettled(list.map(async a => {
    await node.libp2p.dial(multiaddr(a), { signal: AbortSignal.timeout(timeoutMs) })
  }))
  results.forEach((r, i) => { if (r.status === 'rejected') errors.push(`${list[i]}: ${(r.reason as Error)?.message ?? String(r.reason)}`) })
  return { reached: results.filter(r => r.status === 'fulfilled').length, tried: list.length, errors }
}

export function describeJoin (name: string, r: JoinReport): string {
  if (r.reached > 0) return `gate: joined ${name}: ${r.reached} of ${r.tried} bootstrap peer(s) answered\n`
  return `gate: none of the ${r.tried} bootstrap peer(s) of ${name} could be reached, so this node runs alone for now ` +
    '(is this machine offline, or behind a firewall that blocks outgoing TCP?). It tries them again every minute while it has no peer.\n' +
    r.errors.slice(0, 3).map(e => `  ${e}\n`).join('')
}
