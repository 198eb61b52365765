// Across computer architectures: a local testnet whose node 3 runs on the
// arm64 build of the same Node, under qemu-user (testnet/arm64.ts installs
// it when missing). A CPU-bound program is live-migrated x86-64 -> arm64 ->
// x86-64 while its sender follows the output; a clone and a snapshot CID
// cross the architectures too. The figures go to the test's output.
import t from 'tap'
import { LocalTestnet } from '../../testnet/index.js'
import { tempDir } from '../helpers.js'
import { dumpLogs, gate, gateBackground, instances, prog, runningCopies, waitFor } from './util.js'

// qemu is slow: two emulated compiles, a testnet start and runs on arm64 (~3 min on a quiet 2-core machine)
t.setTimeout(900_000)

let tn: LocalTestnet
const id = (i: number): string => tn.node(i).peerId
// long enough that the program is still running once the emulated target
// has compiled it (pre-copy keeps it running on the source meanwhile)
const ARGS = ['--', '20000000000', '200000000']
let whole = ''
// the snapshot's rest runs to its end under emulation: short, but still running 1 s after
// its launch (at 1.5e9 it had ended by then on a quiet CI machine: "it has no snapshot")
const SHORT = ['--', '6000000000', '400000000']
let wholeShort = ''

t.before(async () => {
  process.env.DEBUG ??= 'gate*:error'
  const t0 = performance.now()
  tn = await LocalTestnet.up({ dir: tempDir('gate-arch-'), nodes: 3, arm64: [3], startTimeoutMs: 90_000, exitWithPid: process.pid })
  t.comment(`testnet of 2 x86-64 nodes and 1 arm64 node (qemu-user) up in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  const r = await gate(tn, 0, ['run', prog('counter'), ...ARGS])
  if (r.code !== 0) throw new Error(`uninterrupted run failed: ${r.stderr}`)
  whole = r.stdout
  wholeShort = (await gate(tn, 0, ['run', prog('counter'), ...SHORT])).stdout
})
t.teardown(async () => { if (!t.passing()) dumpLogs(tn, 40); await tn?.down() })

const lineCount = (s: string): number => s.split('\n').length - 1

t.test('every node says what it runs on: gate id, gate peers, the DHT', async t => {
  const me = JSON.parse((await gate(tn, 3, ['id', '--json'])).stdout)
  t.equal(me.platform.arch, 'arm64', 'n3 runs on arm64')
  t.equal(me.platform.node, process.versions.node, 'the same Node version')
  t.match(me.agent, /^gate-p2p\/\S+ \(linux arm64; node /)
  t.equal(JSON.parse((await gate(tn, 1, ['id', '--json'])).stdout).platform.arch, process.arch)
  await waitFor(async () => {
    const peers = JSON.parse((await gate(tn, 1, ['peers', '--json'])).stdout).peers as any[]
    return peers.some(p => p.peerId === id(3) && p.platform?.arch === 'arm64')
  }, 30_000, 'n1 to see n3 as arm64 (identify)')
  t.pass('gate peers on n1 shows n3 as arm64')
  await waitFor(async () => (await gate(tn, 2, ['services', 'find', 'gate/executor/arm64'])).stdout.includes(id(3)), 60_000, 'the gate/executor/arm64 record')
  t.pass('the DHT names n3 as an arm64 executor')
})

t.test('live migration x86-64 -> arm64 -> x86-64: the output continues on the sender, byte-identical', async t => {
  const sender = gateBackground(tn, 2, ['send', id(1), prog('counter'), '--no-stdin', ...ARGS])
  await waitFor(() => lineCount(sender.out()) >= 2, 60_000, 'first output lines on n2')
  const row = (await instances(tn, 1)).find(r => r.status.state === 'running')
  t.ok(row, 'the program runs on n1')
  const inst = row!.instance
  const there = await gate(tn, 1, ['migrate', inst, id(3), '--json'], '', 240_000)
  t.equal(there.code, 0, there.stderr)
  const a = JSON.parse(there.stdout)
  t.equal(await runningCopies(tn, inst), 1, 'exactly one running copy')
  t.equal((await instances(tn, 3)).find(r => r.instance === inst)?.status.state, 'running', 'it runs on the arm64 node')
  const at = lineCount(sender.out())
  await waitFor(() => lineCount(sender.out()) >= at + 2, 120_000, 'output from the arm64 node')
  t.pass(`the sender got ${lineCount(sender.out()) - at} lines from arm64`)
  const back = await gate(tn, 3, ['migrate', inst, id(1), '--json'], '', 240_000)
  t.equal(back.code, 0, back.stderr)
  const b = JSON.parse(back.stdout)
  t.equal(await runningCopies(tn, inst), 1, 'exactly one running copy')
  t.equal((await instances(tn, 1)).find(r => r.instance === inst)?.status.state, 'running', 'it runs on n1 again')
  // the same move between two x86-64 nodes, in the same run, for comparison
  const x = await gate(tn, 1, ['migrate', inst, id(2), '--json'], '', 240_000)
  t.equal(x.code, 0, x.stderr)
  const c = JSON.parse(x.stdout)
  t.equal(await runningCopies(tn, inst), 1, 'exactly one running copy')
  const f = (r: any): string => `total ${Number(r.totalMs).toFixed(0)} ms, downtime ${Number(r.downtimeMs).toFixed(0)} ms`
  t.comment(`x86-64 -> arm64 (cold: the target compiles under emulation): ${f(a)}; arm64 -> x86-64: ${f(b)}; x86-64 -> x86-64 (cold): ${f(c)}`)
  const code = await sender.done
  t.equal(code, 0, sender.err())
  t.equal(sender.out(), whole, 'stdout on the sender is byte-identical to an uninterrupted run')
})

t.test('a clone across architectures: a new ID on arm64, both copies finish alike', async t => {
  const l = await gate(tn, 1, ['launch', prog('counter'), '--json', ...ARGS])
  t.equal(l.code, 0, l.stderr)
  const orig = JSON.parse(l.stdout).instance as string
  await new Promise(resolve => setTimeout(resolve, 1000))
  const c = await gate(tn, 1, ['clone', orig, id(3), '--json'], '', 240_000)
  t.equal(c.code, 0, c.stderr)
  const copy = JSON.parse(c.stdout).instance as string
  t.not(copy, orig, 'the clone has a new ID')
  t.equal((await instances(tn, 3)).find(r => r.instance === copy)?.status.state, 'running', 'the clone runs on arm64')
  t.equal((await instances(tn, 1)).find(r => r.instance === orig)?.status.state, 'running', 'the original keeps running on n1')
  t.equal((await gate(tn, 1, ['kill', orig])).code, 0)
  t.equal((await gate(tn, 3, ['kill', copy])).code, 0)
})

t.test('a snapshot CID made on x86-64 resumes on arm64 and ends like an uninterrupted run', async t => {
  const l = await gate(tn, 1, ['launch', prog('counter'), '--json', ...SHORT])
  t.equal(l.code, 0, l.stderr)
  const inst = JSON.parse(l.stdout).instance as string
  await new Promise(resolve => setTimeout(resolve, 1000))
  const s = await gate(tn, 1, ['snapshot', inst])
  t.equal(s.code, 0, s.stderr)
  const cid = s.stdout.trim()
  t.match(cid, /^b[a-z2-7]+$/, `snapshot CID ${cid}`)
  await gate(tn, 1, ['kill', inst])
  const r = await gate(tn, 3, ['run', cid], '', 240_000)
  t.equal(r.code, 0, r.stderr)
  t.ok(r.stdout.length > 0 && wholeShort.endsWith(r.stdout), `the arm64 run printed the rest of the uninterrupted run's output (${lineCount(r.stdout)} of ${lineCount(wholeShort)} lines)`)
  t.ok(r.stdout.endsWith(wholeShort.split('\n').slice(-2).join('\n')), 'with the same final line')
})
