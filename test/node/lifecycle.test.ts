// A node restart resumes the instances its shutdown suspended; services are
// found by name through the DHT across intermediate nodes.
import t from 'tap'
import { multiaddr } from '@multiformats/multiaddr'
import { program, runToEnd } from '../helpers.js'
import { Executor } from '../../executor/index.js'
import { startNet, startNode, stopAll, tcpAddr, waitFor } from './net.js'
import { ControlRequest } from '../../protocols/pb/gate.js'
import type { IoSession } from '../../protocols/io-session.js'

function lines (io: IoSession, into: string[]): void {
  let rest = ''
  io.on('stdout', d => {
    rest += Buffer.from(d).toString()
    const parts = rest.split('\n')
    rest = parts.pop()!
    into.push(...parts)
  })
}

t.test('a node restart resumes a suspended instance', async t => {
  const args = ['counter', '2000000000', '50000000'] // ~4 s: long enough to be stopped mid-run
  const ex = new Executor({ workers: 1 })
  await ex.start()
  const reference = (await runToEnd(ex, program('counter'), args.slice(1))).stdout.trim().split('\n')
  await ex.stop()

  const a = await startNode()
  const b = await startNode()
  const bDir = b.init.dataDir
  t.teardown(async () => { await stopAll([a, b]) })
  await a.libp2p.dial(multiaddr(tcpAddr(b)))

  const r = await a.send(b.peerId, { module: program('counter'), args, attach: true, persist: true })
  const seen: string[] = []
  lines(r.io!, seen)
  await waitFor(() => seen.length >= 2, 20000, 'first output')
  await b.stop()
  const st = await r.io!.done
  t.equal(st.state, 'suspended', 'the attached client learns the instance was suspended')
  const before = seen.length
  t.ok(before < reference.length, `suspended mid-run after ${before} lines`)

  const b2 = await startNode({ dataDir: bDir })
  t.teardown(async () => { await b2.stop() })
  t.equal(b2.self, b.self, 'same identity after restart')
  const m = b2.table.get(r.instance)
  t.equal(m?.status.state, 'running', 'resumed on start')
  t.equal(m?.owner, a.self, 'owner kept')
  await a.libp2p.dial(multiaddr(tcpAddr(b2)))
  const io = await a.attach(b2.peerId, r.instance)
  lines(io, seen)
  const final = await io.done
  t.equal(final.state, 'terminated')
  t.equal(final.result, 0)
  // every line seen is in the reference, in order, and the run finished identically
  let j = 0
  for (const l of seen) {
    while (j < reference.length && reference[j] !== l) j++
    if (j === reference.length) { t.fail(`line ${JSON.stringify(l)} is not in the reference output`); break }
  }
  t.equal(seen[seen.length - 1], reference[reference.length - 1], 'same final line as an uninterrupted run')

  // control: the owner can list it; another peer cannot see it
  const list = await a.control(b2.peerId, { op: ControlRequest.Op.LIST })
  t.ok(list.instances.some(i => i.instance === r.instance), 'listed for its owner')
})

t.test('control: suspend, resume, kill remote instances you own', async t => {
  const [a, b, c] = await startNet(3, 'star')
  t.teardown(async () => { await stopAll([a, b, c]) })
  const r = await b.send(a.peerId, { module: program('spin'), persist: true })
  const sus = await b.control(a.peerId, { op: ControlRequest.Op.SUSPEND, instance: r.instance })
  t.equal(sus.instances[0].status?.state, 'suspended')
  const other = await c.control(a.peerId, { op: ControlRequest.Op.KILL, instance: r.instance }).catch(e => e)
  t.equal(other.code, 'NOT_FOUND', 'someone else\'s instance does not exist for you')
  t.same((await c.control(a.peerId, { op: ControlRequest.Op.LIST })).instances, [])
  const res = await b.control(a.peerId, { op: ControlRequest.Op.RESUME, instance: r.instance })
  t.equal(res.instances[0].status?.state, 'running')
  const k = await b.control(a.peerId, { op: ControlRequest.Op.KILL, instance: r.instance })
  t.equal(k.instances[0].status?.state, 'killed')
  const again = await b.control(a.peerId, { op: ControlRequest.Op.RESUME, instance: r.instance }).catch(e => e)
  t.equal(again.code, 'CONFLICT')
})

t.test('a service name is found through the DHT across intermediate nodes', async t => {
  const nodes = await startNet(4, 'line')
  t.teardown(async () => { await stopAll(nodes) })
  const [a, , , d] = nodes
  await a.directory.advertise('echo-service')
  const found = await d.directory.find('echo-service', { signal: AbortSignal.timeout(10000) })
  t.same(found.map(p => p.id.toString()), [a.self], 'the one provider')
  t.ok(found[0].multiaddrs.length > 0, 'with addresses')
  // and now D can reach A, to which it has no connection, by peer ID
  const r = await d.send(a.peerId, { module: program('hello'), attach: true })
  const out: Buffer[] = []
  r.io!.on('stdout', b => out.push(Buffer.from(b)))
  await r.io!.end()
  await r.io!.done
  t.equal(Buffer.concat(out).toString(), 'hello, world\n')
  const executors = await d.directory.find('gate/executor', { signal: AbortSignal.timeout(10000), limit: 10 })
  t.ok(executors.length >= 3, `executors found: ${executors.length}`)
  t.same(await d.directory.find('nobody-offers-this', { signal: AbortSignal.timeout(3000) }), [])
})
