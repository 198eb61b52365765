// Node-wide budgets on real nodes (127.0.0.1): memory reserved per instance
// and refused past the budget with RESOURCE_EXHAUSTED, released at exit and
// kill; remote CPU default; quotas per address range; the full-node signal
// in the executor directory; the figures in the control API and `gate status`.
import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { spawn, execFile } from 'node:child_process'
import { createInterface } from 'node:readline'
import { multiaddr } from '@multiformats/multiaddr'
import { program, ROOT, tempDir } from '../helpers.js'
import { startNet, startNode, stopAll, tcpAddr, waitFor } from './net.js'
import { ErrorCode } from '../../protocols/pb/gate.js'
import { addressRange, MiB } from '../../node/budget.js'
import { ControlServer } from '../../node/control-api/server.js'
import { ControlClient, CONTROL_FILE } from '../../cli/client.js'
import { nodeStatusText } from '../../cli/commands/net.js'
import type { GateNode } from '../../node/node.js'

const spin = program('spin')

async function executors (from: GateNode): Promise<string[]> {
  return (await from.directory.find('gate/executor', { limit: 10, signal: AbortSignal.timeout(10_000) })).map(p => p.id.toString())
}

t.test('address ranges', async t => {
  t.equal(addressRange('/ip4/10.1.2.3/tcp/4001'), '10.1.2.0/24')
  t.equal(addressRange('/ip6/2001:db8:abcd:12::1/tcp/4001'), '2001:db8:abcd::/48')
  t.equal(addressRange('/ip6/::ffff:192.168.7.9/tcp/1'), '192.168.7.0/24')
  t.equal(addressRange('/dns4/example.org/tcp/1'), 'dns4/example.org')
  t.equal(addressRange(undefined), undefined)
})

t.test('memory shares: one peer cannot hold more than its share of the budget; another still gets in', async t => {
  // budget 256 MiB, a peer's share 64 MiB (a quarter), remote cap 32 MiB: two deploys per peer
  const [a, b, c] = await startNet(3, 'star', { budget: { memoryBytes: 256 * MiB, remoteMemoryBytes: 32 * MiB, remoteCpuMs: 0, peerMemoryBytes: 64 * MiB, rangeMemoryBytes: 256 * MiB } })
  t.teardown(async () => { await stopAll([a, b, c]) })
  const mine = [await b.send(a.peerId, { module: spin, persist: true }), await b.send(a.peerId, { module: spin, persist: true })]
  const err = await b.send(a.peerId, { module: spin, persist: true }).catch(e => e)
  t.equal(err.code, ErrorCode.RESOURCE_EXHAUSTED)
  t.match(err.message, /memory share of a peer: 64 of 64 MiB held by this peer, this deploy needs 32 MiB/)
  const other = await c.send(a.peerId, { module: spin, persist: true })
  t.equal(a.table.get(other.instance)?.status.state, 'running', 'another peer still gets in')
  await a.kill(mine[0].instance)
  const again = await b.send(a.peerId, { module: spin, persist: true })
  t.equal(a.table.get(again.instance)?.status.state, 'running', 'a freed share can be used again')
  // one address range's share (all of these peers are on 127.0.0.0/24)
  const [x, y, z] = await startNet(3, 'star', { budget: { memoryBytes: 256 * MiB, remoteMemoryBytes: 32 * MiB, remoteCpuMs: 0, peerMemoryBytes: 256 * MiB, rangeMemoryBytes: 64 * MiB } })
  t.teardown(async () => { await stopAll([x, y, z]) })
  await y.send(x.peerId, { module: spin, persist: true })
  await z.send(x.peerId, { module: spin, persist: true })
  const rerr = await y.send(x.peerId, { module: spin, persist: true }).catch(e => e)
  t.match(rerr.message, /memory share of address range 127\.0\.0\.0\/24: 64 of 64 MiB held, this deploy needs 32 MiB/)
  for (const m of [...a.table.live(), ...x.table.live()]) await (a.table.get(m.id) != null ? a : x).kill(m.id)
})

t.test('memory budget', async t => {
  // budget 160 MiB, remote cap 64 MiB: two default deploys fit, a third does not
  // (the per-peer and per-range shares are the whole budget here: see the next test for them)
  const [a, b, c] = await startNet(3, 'star', { budget: { memoryBytes: 160 * MiB, remoteMemoryBytes: 64 * MiB, remoteCpuMs: 0, peerMemoryBytes: 160 * MiB, rangeMemoryBytes: 160 * MiB } })
  t.teardown(async () => { await stopAll([a, b, c]) })

  await waitFor(async () => (await executors(c)).length === 3, 15_000, 'every node to be found as an executor')
  const first = await b.send(a.peerId, { module: spin, persist: true })
  const second = await c.send(a.peerId, { module: spin, persist: true })
  t.equal(a.admission.memory.committedBytes, 128 * MiB, 'each reserves the remote cap')

  await t.test('a deploy past the budget is refused, naming it; the running ones continue', async t => {
    const err = await b.send(a.peerId, { module: spin, persist: true }).catch(e => e)
    t.equal(err.name, 'RemoteError')
    t.equal(err.code, ErrorCode.RESOURCE_EXHAUSTED)
    t.match(err.message, /memory budget: 128 of 160 MiB committed, this deploy needs 64 MiB/)
    // asking for less than the cap fits
    const small = await b.send(a.peerId, { module: spin, persist: true, memoryPages: 512 })
    t.equal(a.admission.memory.committedBytes, 160 * MiB)
    t.equal(a.table.get(first.instance)?.status.state, 'running')
    t.equal(a.table.get(second.instance)?.status.state, 'running')
    await a.kill(small.instance)
    t.equal(a.admission.memory.committedBytes, 128 * MiB, 'released at kill')
  })

  await t.test('a full node pauses its executor records; lookups skip it', async t => {
    t.equal(a.capacity.isFull, true)
    t.notOk(a.directory.names().includes('gate/executor'))
    t.ok(a.directory.pausedNames().includes('gate/executor'))
    const found = await executors(c)
    t.notOk(found.includes(a.self), 'the full node is left out')
    t.ok(found.includes(b.self), 'others are found')
  })

  await t.test('memory is released at kill and exit: a later deploy fits, the node has room again', async t => {
    await a.kill(first.instance)
    t.equal(a.admission.memory.committedBytes, 64 * MiB)
    t.equal(a.capacity.isFull, false)
    t.ok(a.directory.names().includes('gate/executor'))
    await waitFor(async () => (await executors(c)).includes(a.self), 15_000, 'the node to be found again')
    // a transient program that ends gives its memory back
    const r = await b.send(a.peerId, { module: program('hello'), attach: true })
    await r.io!.end()
    const st = await r.io!.done
    t.match(st.state, /^(halted|terminated)$/)
    await waitFor(() => a.admission.memory.committedBytes === 64 * MiB, 5000, 'release at exit')
    const third = await b.send(a.peerId, { module: spin, persist: true })
    t.equal(a.admission.memory.committedBytes, 128 * MiB)
    // a suspended instance holds nothing; resuming reserves again
    await a.suspend(third.instance)
    t.equal(a.admission.memory.committedBytes, 64 * MiB, 'released at suspend')
    await a.resume(third.instance)
    t.equal(a.admission.memory.committedBytes, 128 * MiB, 'reserved at resume')
    await a.kill(third.instance)
    await a.kill(second.instance)
    t.equal(a.admission.memory.committedBytes, 0)
  })
})

t.test('remote deploys get the default CPU limit', async t => {
  const [a, b] = await startNet(2, 'line', { budget: { remoteCpuMs: 300 } })
  t.teardown(async () => { await stopAll([a, b]) })
  const r = await b.send(a.peerId, { module: spin, attach: true })
  await r.io!.end()
  const st = await r.io!.done
  t.equal(st.state, 'killed')
  t.equal(st.cause, 'CPU_TIME_LIMIT')
  t.match(st.error, /300 ms/)
})

t.test('quotas count per address range as well as per peer ID', async t => {
  const target = await startNode({ policy: { maxInstancesPerRange: 2 } })
  const peers = await Promise.all([startNode(), startNode(), startNode()])
  t.teardown(async () => { await stopAll([target, ...peers]) })
  for (const p of peers) await p.libp2p.dial(multiaddr(tcpAddr(target)))
  await peers[0].send(target.peerId, { module: spin, persist: true })
  await peers[1].send(target.peerId, { module: spin, persist: true })
  const err = await peers[2].send(target.peerId, { module: spin, persist: true }).catch(e => e)
  t.equal(err.code, ErrorCode.RATE_LIMITED, 'the third peer ID from 127.0.0.0/24 is refused')
  t.match(err.message, /address range 127\.0\.0\.0\/24 already runs 2 instances here \(limit 2\)/)
  const f = target.admission.figures()
  t.same(f.perRange, [{ range: '127.0.0.0/24', instances: 2, memoryBytes: 2 * 256 * MiB }])
  t.equal(f.perPeer.length, 2)
  // the node's owner is not subject to range quotas
  const local = await target.run(target.self, { module: spin, transient: false })
  t.equal(local.status.state, 'running')
  for (const m of target.table.live()) await target.kill(m.id)
})

t.test('the control API and gate status show the figures', async t => {
  const [a, b] = await startNet(2, 'line', { budget: { memoryBytes: 1000 * MiB, remoteMemoryBytes: 100 * MiB, remoteCpuMs: 5000 } })
  const api = new ControlServer(a)
  const url = await api.start()
  await writeFile(join(a.init.dataDir, CONTROL_FILE), JSON.stringify({ url, peerId: a.self, pid: process.pid }))
  t.teardown(async () => { await api.stop(); await stopAll([a, b]) })
  const r = await b.send(a.peerId, { module: spin, persist: true })
  const s = await (await ControlClient.open(a.init.dataDir)).json('GET', 'node')
  t.equal(s.live.instances, 1)
  t.equal(s.live.max, 256)
  t.same(s.memory, { committedBytes: 100 * MiB, budgetBytes: 1000 * MiB, freeBytes: 900 * MiB })
  t.equal(s.defaults.remoteMemoryBytes, 100 * MiB)
  t.equal(s.defaults.remoteCpuMs, 5000)
  t.same(s.perPeer, [{ peer: b.self, instances: 1, memoryBytes: 100 * MiB }])
  t.same(s.perRange, [{ range: '127.0.0.0/24', instances: 1, memoryBytes: 100 * MiB }])
  t.equal(s.quotas.maxInstancesPerRange, 32)
  t.equal(s.full, false)
  const text = nodeStatusText(s)
  t.match(text, /instances live {2}1 of 256/)
  t.match(text, /memory {10}100 of 1000 MiB committed \(900 MiB free\)/)
  t.match(text, /memory cap 100 MiB, CPU limit 5000 ms/)
  t.match(text, new RegExp(`${b.self} {2}1 instance\\(s\\) {2}100 MiB`))
  t.match(text, /127\.0\.0\.0\/24 {2}1 instance\(s\) {2}100 MiB/)
  await a.kill(r.instance)
})

t.test('gate node start flags and gate status', async t => {
  const gate = join(ROOT, 'bin/gate')
  const dir = tempDir('gate-budget-cli-')
  const proc = spawn(gate, ['node', 'start', '--json', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-with', String(process.pid),
    '--memory-budget-mb', '300', '--remote-memory-mb', '50', '--remote-cpu-ms', '7000', '--range-instances', '5', '--message-rate', '10'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise(resolve => proc.once('exit', resolve))
  t.teardown(async () => { if (proc.exitCode == null) { proc.kill('SIGTERM'); await exited } })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('node did not start in 90 s')) }, 90_000)
    createInterface({ input: proc.stdout! }).on('line', l => { if (JSON.parse(l).event === 'started') { clearTimeout(timer); resolve() } })
  })
  const cli = async (...args: string[]): Promise<string> => await new Promise((resolve, reject) => {
    execFile(gate, ['--data-dir', dir, ...args], { timeout: 60_000 }, (err, stdout, stderr) => { if (err != null) reject(new Error(stderr)); else resolve(stdout) })
  })
  const text = await cli('status')
  t.match(text, /instances live {2}0 of 256/)
  t.match(text, /memory {10}0 of 300 MiB committed/)
  t.match(text, /memory cap 50 MiB, CPU limit 7000 ms/)
  t.match(text, /8 instances \(1024 hibernated\) and 60 deploys\/min per peer, 5 and 240 per address range; messages 10\/s per peer, 40\/s per range/)
  const j = JSON.parse(await cli('node', 'status', '--json'))
  t.equal(j.memory.budgetBytes, 300 * MiB)
})

t.test('inbound messages are rate limited per peer', async t => {
  const [a, b] = await startNet(2, 'line', { budget: { messagesPerSecond: 2 } })
  t.teardown(async () => { await stopAll([a, b]) })
  const codes: string[] = []
  let last = ''
  for (let i = 0; i < 20; i++) {
    const err = await b.message(a.peerId, '', new TextEncoder().encode(`m${i}`)).catch(e => e)
    codes.push(err?.code ?? 'OK')
    if (err != null) last = err.message
  }
  t.ok(codes.filter(c => c === 'OK').length >= 10, 'the burst goes through')
  t.ok(codes.filter(c => c === ErrorCode.RATE_LIMITED).length >= 3, `the rest is refused with RATE_LIMITED (${codes.join(' ')})`)
  t.match(last, /more than 2 messages per second from this peer/)
})
