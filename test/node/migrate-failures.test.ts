// Migration under link failures, between real nodes (the link through a
// cuttable TCP proxy where it matters): a corrupt block, a lost RUNNING
// reply, a lost GO (the target fences its copy), a silently cut link. In
// every case exactly one copy runs at the end and nothing is lost.
import t from 'tap'
import { multiaddr } from '@multiformats/multiaddr'
import type { CID } from 'multiformats/cid'
import { program } from '../helpers.js'
import { startNet, startNode, stopAll, tcpAddr, waitFor } from './net.js'
import { CuttableProxy } from './proxy.js'
import type { GateNode } from '../../node/node.js'

const running = (nodes: GateNode[], id: string): number => nodes.filter(n => n.table.get(id)?.status.state === 'running').length

/** Two nodes whose only connection goes through a proxy (a dials b through it). */
async function proxied (): Promise<{ a: GateNode, b: GateNode, proxy: CuttableProxy, nodes: GateNode[] }> {
  const a = await startNode(); const b = await startNode()
  const port = Number(tcpAddr(b).split('/')[4])
  const proxy = await CuttableProxy.start(port)
  await a.libp2p.dial(multiaddr(proxy.addr(b.self)))
  return { a, b, proxy, nodes: [a, b] }
}

t.test('a block corrupted on its way out is refused, named, and the original resumes', async t => {
  const nodes = await startNet(2, 'line')
  const [a, b] = nodes
  t.teardown(async () => { await stopAll(nodes) })
  const m = await a.run(a.self, { module: program('touch'), args: ['touch', '2'], transient: false })
  await new Promise(resolve => setTimeout(resolve, 300))
  // flip a byte of the first raw block the push reads (between the store and the wire)
  const real = a.snapshots
  let victim: CID | undefined
  a.snapshots = {
    ...real,
    peekVerified: () => undefined,
    get: async (cid, o) => {
      const bytes = await real.get(cid, o)
      if (victim != null || cid.code !== 0x55) return bytes
      victim = cid
      const bad = bytes.slice(); bad[bad.length >> 1] ^= 0xff
      return bad
    }
  }
  const err = await a.migrate(m.id, b.self, { precopy: false }).catch(e => e)
  a.snapshots = real
  t.equal(err?.name, 'PushRefusedError', `refused: ${String(err?.message)}`)
  t.ok(victim != null && String(err?.message).includes(victim.toString()), 'the error names the block')
  t.match(err?.message, /does not match its hash/)
  await waitFor(() => a.table.get(m.id)?.status.state === 'running', 10000, 'original resumed')
  t.equal(running(nodes, m.id), 1, 'exactly one running copy')
  t.equal(b.table.get(m.id), undefined, 'nothing of it on the target')
  await a.kill(m.id)
})

t.test('the RUNNING reply is lost: the source asks, the target\'s copy is the one', async t => {
  const { a, b, proxy, nodes } = await proxied()
  t.teardown(async () => { await stopAll(nodes); await proxy.close() })
  const m = await a.run(a.self, { module: program('spin'), transient: false })
  let lost: Promise<void> | undefined
  const res = await a.migrate(m.id, b.self, {
    stallMs: 3000,
    onProgress: e => {
      if (e.phase !== 'go' || lost != null) return
      proxy.cut('back') // GO gets through, nothing comes back
      lost = (async () => {
        await waitFor(() => b.table.get(m.id)?.status.state === 'running', 20000, 'target runs it')
        proxy.kill(); proxy.heal() // the link drops; a new connection may form
      })()
    }
  })
  await lost
  t.equal(res.instance, m.id)
  t.equal(b.table.get(m.id)?.status.state, 'running', 'the target runs it')
  t.equal(a.table.get(m.id), undefined, 'the source forgot its original')
  t.equal(running(nodes, m.id), 1, 'exactly one running copy')
  await b.kill(m.id)
})

t.test('GO is lost: the target fences its copy, the source learns it and resumes', async t => {
  const { a, b, proxy, nodes } = await proxied()
  t.teardown(async () => { await stopAll(nodes); await proxy.close() })
  const m = await a.run(a.self, { module: program('spin'), transient: false })
  let fenced: Promise<void> | undefined
  const err = await a.migrate(m.id, b.self, {
    stallMs: 3000,
    leaseMs: 1000,
    onProgress: e => {
      if (e.phase !== 'ready' || fenced != null) return
      proxy.cut() // GO vanishes
      fenced = (async () => {
        await waitFor(() => b.table.get(m.id)?.status.state === 'suspended', 20000, 'target fenced its copy')
        t.equal(running(nodes, m.id), 0, 'while in doubt neither side runs it')
        proxy.kill(); proxy.heal()
      })()
    }
  }).catch(e => e)
  await fenced
  t.equal(err?.name, 'HandoverAbortedError', String(err?.message))
  await waitFor(() => a.table.get(m.id)?.status.state === 'running', 10000, 'original resumed')
  t.equal(running(nodes, m.id), 1, 'exactly one running copy')
  t.equal(b.table.get(m.id), undefined, 'the fenced copy was dropped once the source resumed')
  await a.kill(m.id)
})

t.test('a silently cut link fails the push with StallError; the original resumes', async t => {
  const { a, b, proxy, nodes } = await proxied()
  t.teardown(async () => { await stopAll(nodes); await proxy.close() })
  const m = await a.run(a.self, { module: program('touch'), args: ['touch', '8'], transient: false })
  await new Promise(resolve => setTimeout(resolve, 500))
  const err = await a.migrate(m.id, b.self, {
    precopy: false,
    stallMs: 2000,
    onProgress: e => { if (e.phase === 'final' && e.sentBlocks === 2) proxy.cut() }
  }).catch(e => e)
  t.equal(err?.name, 'StallError', String(err?.message))
  t.match(err?.message, /no progress for 2000 ms/)
  await waitFor(() => a.table.get(m.id)?.status.state === 'running', 10000, 'original resumed')
  t.equal(running(nodes, m.id), 1, 'exactly one running copy')
  t.not(b.table.get(m.id)?.status.state, 'running')
  await a.kill(m.id)
})
