// A node process frozen (SIGSTOP) in the middle of a migration to it, for
// less than the stall deadline: the move waits for it and completes.
import t from 'tap'
import { join } from 'node:path'
import { LocalTestnet } from '../../testnet/index.js'
import { api, dirBytes, dumpLogs, gate, instances, prog, runningCopies, up, waitFor } from './util.js'

let tn: LocalTestnet
const id = (i: number): string => tn.node(i).peerId
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

t.before(async () => { tn = await up(3) })
t.teardown(async () => { if (!t.passing()) dumpLogs(tn); await tn?.down() })

t.test('a target frozen for 7 s in the middle of a transfer (SIGSTOP): the migration waits for it and completes, once', async t => {
  // 7 s: longer than libp2p's default ping deadline (5 s), shorter than the
  // migration's stall deadline (10 s). A pause like this (a VM or a process
  // descheduled, a long GC) must not fail a move.
  const l = await gate(tn, 1, ['launch', prog('touch'), '--json', '--', '256', '7'])
  t.equal(l.code, 0, l.stderr)
  const inst = JSON.parse(l.stdout).instance as string
  await sleep(3000)
  const blocks = join(tn.node(3).dataDir, 'blocks')
  const before = dirBytes(blocks)
  const c = await api(tn, 1)
  const moving = c.json('POST', `instance/${inst}`, { action: 'migrate', to: id(3) }).then(() => 'completed', (e: Error) => e.message)
  await waitFor(() => dirBytes(blocks) > before + (8 << 20), 120_000, 'blocks to arrive on n3')
  const pid = tn.node(3).pid
  process.kill(pid, 'SIGSTOP')
  try { await sleep(7000) } finally { process.kill(pid, 'SIGCONT') }
  const outcome = await moving
  if (outcome !== 'completed') dumpLogs(tn, 60)
  t.equal(outcome, 'completed', 'the migration completed after the pause')
  t.equal((await instances(tn, 3)).find(r => r.instance === inst)?.status.state, 'running', 'it runs on n3')
  t.equal(await runningCopies(tn, inst), 1, 'exactly one running copy')
  await gate(tn, 3, ['kill', inst])
})
