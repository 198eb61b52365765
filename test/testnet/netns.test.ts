// A testnet with one network namespace per node (root on Linux): a node cut
// off the network in the middle of a migration to it. The cut is silent
// (its cable is pulled: no reset), so the source must notice by itself.
import t from 'tap'
import { join } from 'node:path'
import { LocalTestnet, netnsAvailable } from '../../testnet/index.js'
import { api, dirBytes, dumpLogs, gate, instances, prog, runningCopies, up, waitFor } from './util.js'

if (!(await netnsAvailable())) {
  // CI runs as root; elsewhere this needs `sudo make test`
  t.fail('network namespaces are not available here (needs root on Linux with iproute2)')
} else {
  let tn: LocalTestnet
  const id = (i: number): string => tn.node(i).peerId
  t.before(async () => { tn = await up(3, { netns: true }) })
  t.teardown(async () => { if (!t.passing()) dumpLogs(tn); await tn?.down() })

  t.test('nodes in their own namespaces reach each other over the bridge', async t => {
    t.match(tn.node(1).addresses.join(' '), /\/ip4\/10\.77\.0\.1\/tcp\//)
    const r = await gate(tn, 3, ['send', id(1), prog('hello'), '--', '2'])
    t.equal(r.stdout, 'hello, world\narg 1: 2\n')
    t.equal(r.code, 2)
  })

  t.test('a cut-off node fails a send with a clear error; healed, it serves again', async t => {
    await tn.cut(2)
    const r = await gate(tn, 3, ['send', id(2), prog('hello')], '', 120_000)
    t.not(r.code, 0)
    t.match(r.stderr, /UNAVAILABLE|cannot reach|timed out|aborted/i, `clear error: ${r.stderr.trim()}`)
    await tn.heal(2)
    await waitFor(async () => (await gate(tn, 3, ['send', id(2), prog('hello'), '--', '3'])).code === 3, 120_000, 'n2 to serve again after the heal')
    t.pass('n2 serves again')
  })

  t.test('the target cut off in the middle of a migration: the original keeps running, once', async t => {
    const l = await gate(tn, 1, ['launch', prog('touch'), '--json', '--', '256'])
    t.equal(l.code, 0, l.stderr)
    const inst = JSON.parse(l.stdout).instance as string
    await new Promise(resolve => setTimeout(resolve, 3000))
    const c = await api(tn, 1)
    const moving = c.json('POST', `instance/${inst}`, { action: 'migrate', to: id(2) }).then(() => 'completed', (e: Error) => e.message)
    await waitFor(() => dirBytes(join(tn.node(2).dataDir, 'blocks')) > 8 << 20, 120_000, 'blocks to arrive on n2')
    await tn.cut(2)
    const outcome = await moving
    t.not(outcome, 'completed', `the migration failed: ${outcome}`)
    await waitFor(async () => (await instances(tn, 1)).find(r => r.instance === inst)?.status.state === 'running', 60_000, 'the original to run on n1')
    t.equal(await runningCopies(tn, inst), 1, 'exactly one running copy while n2 is cut off')
    await tn.heal(2)
    await waitFor(async () => (await gate(tn, 3, ['send', id(2), prog('hello'), '--', '4'])).code === 4, 120_000, 'n2 back')
    t.notOk((await instances(tn, 2)).some(r => r.instance === inst && r.status.state === 'running'), 'n2 runs no copy after the heal')
    t.equal(await runningCopies(tn, inst), 1, 'still exactly one')
    await gate(tn, 1, ['kill', inst])
  })
}
