// A real program moved while it runs: SQLite's speedtest1 (make corpus),
// sent from n3 to n1, live-migrated to n2 and then to n3, the sender's
// terminal following it; its output (step timings aside) is that of an
// uninterrupted run. The first moves are cold: each target compiles the
// 1.1 MB module while the program keeps running at the source. Skipped
// when build/corpus is missing.
import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { LocalTestnet } from '../../testnet/index.js'
import { ROOT } from '../helpers.js'
import { dumpLogs, gate, gateBackground, instances, runningCopies, up, waitFor } from './util.js'

const wasm = join(ROOT, 'build/corpus/wasm/speedtest1.wasm')
// long enough (~15 s here, idle) that both cold moves happen while it runs: at --size 100 (4 s) it
// could end before the second move once the compiler got fast
const args = ['--', '--size', '300', '--memdb', '--verify']
const untimed = (s: string): string => s.replace(/\s+\d+\.\d+s$/gm, ' #s')

if (!existsSync(wasm)) {
  t.comment('build/corpus/wasm/speedtest1.wasm missing (make corpus): skipped')
} else {
  let tn: LocalTestnet
  const id = (i: number): string => tn.node(i).peerId
  t.before(async () => { tn = await up(3) })
  t.teardown(async () => { if (!t.passing()) dumpLogs(tn); await tn?.down() })

  t.test('speedtest1 migrated mid-run n1 -> n2 -> n3: output identical to an uninterrupted run', async t => {
    const whole = await gate(tn, 0, ['run', wasm, ...args], '', 300_000)
    t.equal(whole.code, 0, whole.stderr)
    const sender = gateBackground(tn, 3, ['send', id(1), wasm, '--no-stdin', ...args])
    // its stdout is a pipe (fully buffered): wait for the instance, not for output
    await waitFor(async () => (await instances(tn, 1)).some(r => r.status.state === 'running'), 120_000, 'speedtest1 running on n1')
    await new Promise(resolve => setTimeout(resolve, 500))
    let at = 1
    for (const to of [2, 3]) {
      const row = (await instances(tn, at)).find(r => r.status.state === 'running')
      if (row == null) { t.fail(`the program no longer runs on n${at} (it ended before the move)`); break }
      const m = await gate(tn, at, ['migrate', row.instance, id(to), '--json'], '', 120_000)
      if (m.code !== 0) dumpLogs(tn, 60)
      t.equal(m.code, 0, `n${at} -> n${to}: ${m.stderr}`)
      if (m.code === 0) {
        const r = JSON.parse(m.stdout)
        t.comment(`n${at} -> n${to}: total ${Number(r.totalMs).toFixed(0)} ms, downtime ${Number(r.downtimeMs).toFixed(1)} ms`)
      }
      t.equal(await runningCopies(tn, row.instance), (await instances(tn, to)).some(r => r.instance === row.instance && r.status.state === 'running') ? 1 : 0, 'exactly one running copy')
      at = to
    }
    const code = await sender.done
    t.equal(code, 0, sender.err())
    t.equal(untimed(sender.out()), untimed(whole.stdout), 'the sender saw the uninterrupted run\'s output')
  })
}
