// Hibernation and the node's budgets on real nodes (127.0.0.1): a
// hibernated instance gives its memory reservation back, so more instances
// fit than the budget holds in workers; a wake that does not fit waits in
// the store with its input queued and happens once memory is free; the
// caps on hibernated instances (node-wide: idle ones stay in workers; per
// peer: deploys refused); after a restart the hibernated instances are
// adopted without a worker and answer.
import t from 'tap'
import { multiaddr } from '@multiformats/multiaddr'
import { program } from '../helpers.js'
import { startNode, stopAll, tcpAddr, waitFor } from './net.js'
import { ErrorCode } from '../../protocols/pb/gate.js'
import { MiB } from '../../node/budget.js'
import { HibernatingInstance } from '../../executor/index.js'

const enc = new TextEncoder()
const cat = program('cat')

t.test('hibernated instances hold no memory; a wake that does not fit waits for room', async t => {
  const a = await startNode()
  // a budget of two remote deploys; at most two hibernated at once
  const b = await startNode({
    hibernateAfterMs: 150,
    budget: { memoryBytes: 64 * MiB, remoteMemoryBytes: 32 * MiB, remoteCpuMs: 0, peerMemoryBytes: 64 * MiB, rangeMemoryBytes: 64 * MiB },
    policy: { maxHibernated: 2 }
  })
  t.teardown(async () => { await stopAll([a, b]) })
  await a.libp2p.dial(multiaddr(tcpAddr(b)))

  const first = [await a.send(b.peerId, { module: cat, attach: true, persist: true }), await a.send(b.peerId, { module: cat, attach: true, persist: true })]
  const full = await a.send(b.peerId, { module: cat, persist: true }).catch(e => e)
  t.equal(full.code, ErrorCode.RESOURCE_EXHAUSTED, 'two instances in workers fill the budget')
  await waitFor(() => b.table.hibernated() === 2, 20_000, 'both to hibernate')
  t.equal(b.admission.memory.committedBytes, 0, 'hibernated instances hold no memory')
  t.same(b.admission.figures().hibernated, { instances: 2, max: 2 }, 'figures count them')

  // two more fit now; the node-wide cap keeps them in their workers when idle
  const more = [await a.send(b.peerId, { module: cat, persist: true }), await a.send(b.peerId, { module: cat, persist: true })]
  await new Promise(resolve => setTimeout(resolve, 600))
  t.equal(b.table.hibernated(), 2, 'past maxHibernated, idle instances stay in workers')
  t.equal(b.table.inWorkers(), 2)
  t.equal(b.admission.memory.committedBytes, 64 * MiB)

  // input for a hibernated one: no room to wake, so it waits with its input
  let out = ''
  first[0].io!.on('stdout', d => { out += Buffer.from(d).toString() })
  await first[0].io!.write(enc.encode('hello\n'))
  const h = b.table.get(first[0].instance)!.instance as HibernatingInstance
  await waitFor(() => h.wakeRefused != null, 10_000, 'the wake to be refused')
  t.match(h.wakeRefused, /memory budget: 64 of 64 MiB committed/, 'refused by the budget, named')
  t.equal(h.phase, 'hibernated', 'it stays in the store')
  t.equal(out, '')
  t.ok(b.admission.memory.committedBytes <= 64 * MiB, 'the budget is never exceeded')

  // memory frees up: it wakes and answers, nothing lost
  await b.kill(more[0].instance)
  await waitFor(() => out === 'hello\n', 20_000, 'the answer after room was made')
  t.equal(out, 'hello\n', 'woken once memory was free; its input was kept')
  t.ok(b.admission.memory.committedBytes <= 64 * MiB)
  await first[0].io!.end()
  t.equal((await first[0].io!.done).state, 'terminated')
})

t.test('a peer\'s hibernated instances are capped', async t => {
  const a = await startNode()
  const b = await startNode({ hibernateAfterMs: 100, policy: { maxHibernatedPerPeer: 2, maxInstancesPerPeer: 8 } })
  t.teardown(async () => { await stopAll([a, b]) })
  await a.libp2p.dial(multiaddr(tcpAddr(b)))
  await a.send(b.peerId, { module: cat, persist: true })
  await a.send(b.peerId, { module: cat, persist: true })
  await waitFor(() => b.table.hibernatedOf(a.peerId.toString()) === 2, 20_000, 'both to hibernate')
  const err = await a.send(b.peerId, { module: cat, persist: true }).catch(e => e)
  t.equal(err.code, ErrorCode.RATE_LIMITED)
  t.match(err.message, /2 hibernated instances here \(limit 2\)/)
})

t.test('after a restart, hibernated instances are adopted without a worker and answer', async t => {
  const b = await startNode({ hibernateAfterMs: 100 })
  t.teardown(async () => { await b.stop() })
  const dir = b.init.dataDir
  const ids: string[] = []
  for (let i = 0; i < 20; i++) ids.push((await b.run(b.peerId.toString(), { module: cat, transient: false, memoryPages: 32 })).id)
  await waitFor(() => b.table.hibernated() === 20, 20_000, 'all to hibernate')
  await b.stop()
  const b2 = await startNode({ dataDir: dir, hibernateAfterMs: 100 })
  t.teardown(async () => { await b2.stop() })
  t.equal(b2.executor.stats().hibernated, 20, 'all 20 hibernated at once after the start')
  t.equal(b2.executor.stats().live, 0, 'none was resumed into a worker')
  t.equal(b2.table.hibernated(), 20)
  for (const id of ids.slice(0, 5)) {
    const m = b2.table.get(id)!
    let out = ''
    m.instance!.on('stdout', d => { out += Buffer.from(d).toString() })
    m.instance!.write(enc.encode(`id ${id}\n`))
    await waitFor(() => out === `id ${id}\n`, 20_000, 'its answer')
    t.equal(out, `id ${id}\n`, 'a restored instance answers')
  }
  await waitFor(() => b2.table.hibernated() === 20, 20_000, 'them to hibernate again')
})
