// Real Gate nodes on 127.0.0.1 for tests: temp data dirs, random ports.
import { rmSync } from 'node:fs'
import { multiaddr } from '@multiformats/multiaddr'
import { GateNode } from '../../node/node.js'
import type { GateNodeInit } from '../../node/config.js'
import { tempDir } from '../helpers.js'

export const LOOPBACK = ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']

export async function startNode (init: Partial<GateNodeInit> = {}): Promise<GateNode> {
  const node = new GateNode({
    dataDir: init.dataDir ?? tempDir('gate-node-'),
    listen: LOOPBACK,
    executor: { workers: 1, ...init.executor },
    ...init
  })
  await node.start()
  return node
}

/** Start n nodes; connect them in a line (0-1-2-...) or a star around node 0. */
export async function startNet (n: number, topology: 'line' | 'star' = 'line', init: Partial<GateNodeInit> = {}): Promise<GateNode[]> {
  const nodes = await Promise.all(Array.from({ length: n }, async () => await startNode(init)))
  for (let i = 1; i < n; i++) {
    const to = topology === 'line' ? nodes[i - 1] : nodes[0]
    await nodes[i].libp2p.dial(multiaddr(tcpAddr(to)))
  }
  await waitFor(() => nodes.every(nd => routingTableSize(nd) > 0), 5000)
  return nodes
}

export function tcpAddr (n: GateNode): string {
  const a = n.libp2p.getMultiaddrs().map(String).find(s => s.includes('/tcp/') && !s.includes('/ws'))
  if (a == null) throw new Error('node has no tcp address')
  return a
}

export function routingTableSize (n: GateNode): number {
  return (n.libp2p.services as any).dht.routingTable.size as number
}

export async function stopAll (nodes: GateNode[], opts: { keep?: boolean } = {}): Promise<void> {
  await Promise.all(nodes.map(async n => { await n.stop().catch(() => {}) }))
  if (opts.keep !== true) for (const n of nodes) rmSync(n.init.dataDir, { recursive: true, force: true })
}

export async function waitFor (cond: () => boolean | Promise<boolean>, ms: number, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
