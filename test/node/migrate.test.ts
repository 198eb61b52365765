// Live migration and cloning between real nodes: a CPU-bound program moves
// along a chain and back, its attached client follows it, the output matches
// an uninterrupted run; failures leave exactly one running copy.
import t from 'tap'
import { program, runToEnd } from '../helpers.js'
import { Executor } from '../../executor/index.js'
import { startNet, stopAll, waitFor } from './net.js'
import type { GateNode } from '../../node/node.js'
import type { IoSession } from '../../protocols/io-session.js'

const ARGS = ['counter', '3000000000', '10000000']
let reference: string[] = []

t.before(async () => {
  const ex = new Executor({ workers: 1 })
  await ex.start()
  reference = (await runToEnd(ex, program('counter'), ARGS.slice(1))).stdout.trim().split('\n')
  await ex.stop()
})

/** Lines of one output stream, which may continue across sessions (a line can be split by a move). */
const partial = new WeakMap<string[], { rest: string }>()
function collect (io: IoSession, into: string[]): void {
  let st = partial.get(into)
  if (st == null) { st = { rest: '' }; partial.set(into, st) }
  const s = st
  io.on('stdout', d => {
    s.rest += Buffer.from(d).toString()
    const parts = s.rest.split('\n')
    s.rest = parts.pop()!
    into.push(...parts)
  })
}

function inOrder (t: any, seen: string[]): void {
  let j = 0
  for (const l of seen) {
    while (j < reference.length && reference[j] !== l) j++
    if (j === reference.length) { t.fail(`line ${JSON.stringify(l)} out of order or unknown`); return }
  }
  t.pass(`${seen.length} lines, all in reference order`)
}

const running = (nodes: GateNode[], id: string): number => nodes.filter(n => n.table.get(id)?.status.state === 'running').length

/** `n` nodes in a star; the first (the client) sends counter to the second, attached; its first lines are in. */
async function counterOn (t: any, n: number): Promise<{ nodes: GateNode[], id: string, seen: string[], io: IoSession }> {
  const nodes = await startNet(n, 'star')
  t.teardown(async () => { await stopAll(nodes) })
  const r = await nodes[0].send(nodes[1].peerId, { module: program('counter'), args: ARGS, attach: true, persist: true })
  const seen: string[] = []
  collect(r.io!, seen)
  await waitFor(() => seen.length >= 3, 30000, 'first output')
  return { nodes, id: r.instance, seen, io: r.io! }
}

t.test('migrate a running program along a chain and back; the client follows', async t => {
  const { nodes, id, seen, io: first } = await counterOn(t, 4)
  const [client, a, b, c] = nodes
  let io = first
  const hops: Array<[GateNode, GateNode]> = [[a, b], [b, c], [c, a], [a, b]]
  for (const [from, to] of hops) {
    const res = await from.migrate(id, to.self)
    t.equal(res.instance, id, 'same instance ID after a migration')
    t.ok(res.downtimeMs > 0 && res.totalMs >= res.downtimeMs, `downtime ${res.downtimeMs.toFixed(1)} ms of ${res.totalMs.toFixed(1)} ms; pre-copy ${res.precopyBytes} B, final ${res.finalBytes} B`)
    t.equal(running(nodes, id), 1, 'exactly one running copy')
    t.equal(to.table.get(id)?.owner, client.self, 'owner kept')
    const st = await io.done
    t.equal(st.state, 'moved')
    t.equal(st.error, `${to.self}/${id}`)
    io = await client.attach(to.peerId, id)
    collect(io, seen)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  const final = await io.done
  t.equal(final.state, 'terminated')
  t.equal(seen[seen.length - 1], reference[reference.length - 1], 'same final line as an uninterrupted run')
  inOrder(t, seen)
})

t.test('a client that re-attaches late gets every line printed on the new node meanwhile', async t => {
  const { nodes, id, seen, io: first } = await counterOn(t, 3)
  const [client, a, b] = nodes
  let io = first
  for (const [from, to] of [[a, b], [b, a]] as Array<[GateNode, GateNode]>) {
    await from.migrate(id, to.self)
    t.equal((await io.done).state, 'moved')
    // the program prints on the new node before its client is back
    const before = seen.length
    await new Promise(resolve => setTimeout(resolve, 600))
    t.equal(seen.length, before, 'nothing reaches the client while it is away')
    io = await client.attach(to.peerId, id)
    collect(io, seen)
  }
  t.equal((await io.done).state, 'terminated')
  t.same(seen, reference, `all ${reference.length} lines of an uninterrupted run, none lost while the client re-attached`)
})

t.test('a second migration back sends only what changed', async t => {
  const nodes = await startNet(2, 'line')
  const [a, b] = nodes
  t.teardown(async () => { await stopAll(nodes) })
  const m = await a.run(a.self, { module: program('counter'), args: ['counter', '0', '1000000000'], transient: false })
  await new Promise(resolve => setTimeout(resolve, 300))
  const first = await a.migrate(m.id, b.self)
  const back = await b.migrate(m.id, a.self)
  const firstBytes = first.precopyBytes + first.finalBytes
  const backBytes = back.precopyBytes + back.finalBytes
  t.ok(backBytes < firstBytes, `back ${backBytes} B < first ${firstBytes} B`)
  t.equal(running(nodes, m.id), 1)
  await a.kill(m.id)
})

t.test('clone: a copy with a new ID runs there, the original keeps running', async t => {
  const nodes = await startNet(2, 'line')
  const [a, b] = nodes
  t.teardown(async () => { await stopAll(nodes) })
  const m = await a.run(a.self, { module: program('spin'), transient: false })
  const res = await a.migrate(m.id, b.self, { clone: true })
  t.not(res.instance, m.id, 'new instance ID')
  t.equal(res.downtimeMs, 0)
  t.equal(a.table.get(m.id)?.status.state, 'running', 'original still running')
  t.equal(b.table.get(res.instance)?.status.state, 'running', 'clone running')
  await a.kill(m.id); await b.kill(res.instance)
})

t.test('a snapshot is IPFS content: another node runs it by CID', async t => {
  const nodes = await startNet(2, 'line')
  const [a, b] = nodes
  t.teardown(async () => { await stopAll(nodes) })
  const m = await a.run(a.self, { module: program('counter'), args: ['counter', '0', '1000000000'], transient: false })
  await new Promise(resolve => setTimeout(resolve, 200))
  const root = await a.snapshotInstance(m.id)
  t.match(root.toString(), /^bafy/)
  const copy = await b.run(b.self, { cid: root.toString(), transient: false })
  t.not(copy.id, m.id, 'a new instance (a clone of the snapshot)')
  t.equal(b.table.get(copy.id)?.status.state, 'running')
  t.equal(a.table.get(m.id)?.status.state, 'running', 'the original kept running')
  await a.kill(m.id); await b.kill(copy.id)
})

t.test('a target refuses a snapshot of another compiler at PREPARE, by name', async t => {
  const nodes = await startNet(2, 'line')
  const [a, b] = nodes
  t.teardown(async () => { await stopAll(nodes) })
  const m = await a.run(a.self, { module: program('counter'), args: ['counter', '0', '1000000000'], transient: false })
  await new Promise(resolve => setTimeout(resolve, 200))
  const { snapshot } = await m.instance!.snapshot()
  const other = { ...snapshot, compilerId: 'gate-p2p-compiler/9.9 entry=auto frames=16384' }
  await t.rejects(b.prepare(other, program('counter')), { code: 'CONFLICT', message: /made by compiler gate-p2p-compiler\/9\.9 .*this node \(\w+, Node [\d.]+\) runs gate-p2p-compiler\// })
  const ok = await b.prepare(snapshot, program('counter'))
  t.equal(ok.cm.compiledHash, snapshot.compiledHash, 'the same snapshot from this compiler is accepted')
  t.equal(a.table.get(m.id)?.status.state, 'running', 'the original kept running')
  await a.kill(m.id)
})

t.test('failures leave the original running, exactly once', async t => {
  const nodes = await startNet(3, 'star')
  const [a, b, c] = nodes
  t.teardown(async () => { await stopAll(nodes) })
  const m = await a.run(a.self, { module: program('spin'), transient: false })

  // a target that stops in the middle of the transfer
  const err = await a.migrate(m.id, b.self, { onProgress: e => { if (e.phase === 'precopy') void b.stop() } }).catch(e => e)
  t.ok(err instanceof Error, `migration failed: ${String(err?.message)}`)
  await waitFor(() => a.table.get(m.id)?.status.state === 'running', 10000, 'original resumed')
  t.equal(running(nodes, m.id), 1)

  // an unknown peer
  const err2 = await a.migrate(m.id, '12D3KooWBogus', {}).catch(e => e)
  t.match(err2.message, /not a peer ID/)
  t.equal(running(nodes, m.id), 1)

  // it still migrates fine afterwards
  await a.migrate(m.id, c.self)
  t.equal(c.table.get(m.id)?.status.state, 'running')
  t.equal(running(nodes, m.id), 1)
  await c.kill(m.id)
})
