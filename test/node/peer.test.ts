// Two programs on different nodes find each other by name through the DHT
// (the `peer` service) and exchange messages.
import t from 'tap'
import { program } from '../helpers.js'
import { startNet, stopAll, waitFor } from './net.js'
import type { InstanceStatus } from '../../executor/index.js'
import type { GateNode } from '../../node/node.js'
import type { Managed } from '../../node/instances.js'

interface Run { m: Managed, out: () => string, done: Promise<InstanceStatus> }

async function start (node: GateNode, args: string[]): Promise<Run> {
  let text = ''
  let resolve!: (s: InstanceStatus) => void
  const done = new Promise<InstanceStatus>(r => { resolve = r })
  const m = await node.run(node.self, {
    module: program('peer'),
    args: ['peer', ...args],
    sinks: [{ stdout: d => { text += Buffer.from(d).toString() }, stderr: d => { process.stderr.write(d) }, status: resolve }]
  })
  return { m, out: () => text, done }
}

t.test('programs on different nodes find each other by name and talk', async t => {
  const nodes = await startNet(3, 'line')
  const [a, , c] = nodes
  t.teardown(async () => { await stopAll(nodes) })

  const pong = await start(a, ['bob', 'alice', 'pong'])
  await waitFor(() => pong.out().includes('registered'), 20000, 'bob registered')
  t.same(pong.m.names, ['bob'], 'the node knows the name')
  t.ok(a.directory.has('bob'), 'and advertises it')
  const ping = await start(c, ['alice', 'bob', 'ping'])
  const [ps, qs] = await Promise.all([ping.done, pong.done])
  t.equal(ping.out(), 'registered alice: 0\nfound bob: yes\nsend: 0\ngot: pong to ping from alice\n')
  t.equal(pong.out(), 'registered bob: 0\ngot: ping from alice\nreply: 0\n')
  t.equal(ps.state, 'terminated')
  t.equal(qs.state, 'terminated')
})

t.test('a program cannot be reached once it has ended; names of a suspended program come back on resume', async t => {
  const nodes = await startNet(2, 'line')
  const [a, b] = nodes
  t.teardown(async () => { await stopAll(nodes) })
  const pong = await start(a, ['carol', 'nobody', 'pong'])
  await waitFor(() => pong.out().includes('registered'), 20000)
  await a.suspend(pong.m.id)
  const err = await b.message(a.peerId, 'carol', new TextEncoder().encode('x')).catch(e => e)
  t.equal(err.code, 'NOT_FOUND', 'suspended: not reachable')
  await a.resume(pong.m.id)
  await waitFor(() => pong.m.names.includes('carol'), 10000, 'name re-registered')
  await b.message(a.peerId, 'carol', new TextEncoder().encode('hi carol'))
  await waitFor(() => a.table.get(pong.m.id)?.status.state !== 'running', 20000, 'pong to finish')
  t.equal(a.table.get(pong.m.id)?.status.state, 'terminated')
})
