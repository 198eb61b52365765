// End to end over a local testnet: every node a separate `gate node start`
// process, driven with the gate CLI. Discovery, send, publish + run by CID,
// clone, programs messaging across nodes. (Migration, crashes: moves.test.ts;
// a node cut off the network: netns.test.ts.)
import t from 'tap'
import { LocalTestnet } from '../../testnet/index.js'
import { dumpLogs, gate, instances, prog, up, waitFor } from './util.js'

let tn: LocalTestnet
const id = (i: number): string => tn.node(i).peerId

t.before(async () => { tn = await up(3) })
t.teardown(async () => { if (!t.passing()) dumpLogs(tn); await tn?.down() })

t.test('testnet status lists three running nodes with distinct peer IDs', async t => {
  const r = await gate(tn, 0, ['testnet', 'status', '--json'])
  t.equal(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout)
  t.equal(s.nodes.length, 3)
  t.same(s.nodes.map((n: any) => n.state), ['running', 'running', 'running'])
  t.equal(new Set(s.nodes.map((n: any) => n.peerId)).size, 3)
  // --node <i> reaches the same node as --data-dir
  const viaNode = await gate(tn, 0, ['--node', '2', 'id', '--json'])
  t.equal(JSON.parse(viaNode.stdout).peerId, id(2))
})

t.test('discovery: every node finds the executors of the others through the DHT', async t => {
  for (const i of [2, 3]) {
    await waitFor(async () => {
      const r = await gate(tn, i, ['services', 'find', 'gate/executor', '--json'])
      const found = new Set((JSON.parse(r.stdout || '{"providers":[]}').providers ?? []).map((p: any) => p.peerId ?? p.id ?? p))
      return [1, 2, 3].filter(j => j !== i).every(j => found.has(id(j)))
    }, 30_000, `n${i} to find the other executors`)
    t.pass(`n${i} found the other two executors`)
  }
  const adv = await gate(tn, 2, ['services', 'advertise', 'e2e-weather'])
  t.equal(adv.code, 0, adv.stderr)
  await waitFor(async () => (await gate(tn, 3, ['services', 'find', 'e2e-weather'])).stdout.includes(id(2)), 30_000, 'n3 to find e2e/weather on n2')
  t.pass('a name advertised on n2 is found from n3')
})

t.test('send to a peer ID: exact output and exit code come back', async t => {
  const r = await gate(tn, 3, ['send', id(1), prog('hello'), '--env', 'GREETING=e2e', '--', '7', 'x'])
  t.equal(r.stdout, 'hello, world\narg 1: 7\narg 2: x\ngreeting: e2e\n')
  t.equal(r.code, 7)
  const cat = await gate(tn, 2, ['send', id(3), prog('cat')], 'through the testnet\n')
  t.equal(cat.stdout, 'through the testnet\n')
  t.equal(cat.code, 0)
})

t.test('publish on one node, run by CID on another', async t => {
  const p = await gate(tn, 1, ['publish', prog('hello')])
  t.equal(p.code, 0, p.stderr)
  const cid = p.stdout.trim()
  const r = await gate(tn, 3, ['run', cid, '--', '5'])
  t.equal(r.stdout, 'hello, world\narg 1: 5\n')
  t.equal(r.code, 5)
})

t.test('clone: a copy with a new ID on another node, the original keeps running', async t => {
  const l = await gate(tn, 1, ['launch', prog('spin'), '--json'])
  t.equal(l.code, 0, l.stderr)
  const orig = JSON.parse(l.stdout).instance as string
  const c = await gate(tn, 1, ['clone', orig, id(3), '--json'])
  t.equal(c.code, 0, c.stderr)
  const copy = JSON.parse(c.stdout).instance as string
  t.not(copy, orig)
  t.equal((await instances(tn, 1)).find(r => r.instance === orig)?.status.state, 'running')
  t.equal((await instances(tn, 3)).find(r => r.instance === copy)?.status.state, 'running')
  t.equal((await gate(tn, 1, ['kill', orig])).code, 0)
  t.equal((await gate(tn, 3, ['kill', copy])).code, 0)
})

t.test('two programs on different nodes find each other by name and exchange messages', async t => {
  const p = await gate(tn, 1, ['publish', prog('peer')])
  const cid = p.stdout.trim()
  const bob = await gate(tn, 1, ['launch', cid, '--', 'bob', 'alice', 'pong'])
  t.equal(bob.code, 0, bob.stderr)
  const alice = await gate(tn, 3, ['run', cid, '--', 'alice', 'bob', 'ping'])
  t.equal(alice.code, 0, alice.stderr)
  t.match(alice.stdout, /pong/, `alice (n3) got bob's answer from n1: ${alice.stdout.trim()}`)
})

