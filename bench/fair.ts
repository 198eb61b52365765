// CPU fair share between owners (executor/worker/entry.ts takeNext): one
// worker, owner A runs N spinning programs, owner B one fixed amount of
// work (testprogs/counter). B's time alone is the baseline; then B with A's
// spinners when A and B are different owners (fair share: B gets every
// other slice) and when all are one owner (instances take plain turns, as
// before fair share: B gets 1/(N+1)). Ratios are against the baseline of
// the same run. Usage: node dist/bench/fair.js [N=6]
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Executor } from '../executor/index.js'

const ROOT = resolve(import.meta.dirname, '../..')
const prog = (n: string): Uint8Array => new Uint8Array(readFileSync(join(ROOT, 'build/testprogs', `${n}.wasm`)))
const N = Number(process.argv[2] ?? 6)
const WORK = ['counter', '400000000', '400000000']

async function main (): Promise<void> {
  const ex = new Executor({ workers: 1, compileOn: 'inline' })
  await ex.start()
  const counter = await ex.compile(prog('counter'))
  const spin = await ex.compile(prog('spin'))
  const timeB = async (principal: string): Promise<number> => {
    const t0 = performance.now()
    const st = await ex.launch(counter, { args: WORK, principal }).wait()
    if (st.state !== 'terminated') throw new Error(`B ended ${st.state}`)
    return performance.now() - t0
  }
  const alone = await timeB('B')
  const rows: Array<[string, number]> = [['B alone', alone]]
  for (const [label, owner] of [['B with A\'s spinners, different owners (fair share)', 'A'], ['B with the spinners, one owner (plain turns)', 'B']] as const) {
    const spinners = Array.from({ length: N }, () => ex.launch(spin, { args: ['spin'], principal: owner }))
    await new Promise(resolve => setTimeout(resolve, 50))
    rows.push([label, await timeB('B')])
    await Promise.all(spinners.map(async s => await s.kill()))
  }
  console.log(`## CPU fair share, one worker, ${N} spinners`)
  console.log('| run | B\'s time ms | vs alone |')
  console.log('|---|---|---|')
  for (const [label, ms] of rows) console.log(`| ${label} | ${ms.toFixed(0)} | ${(ms / alone).toFixed(2)}x |`)
  await ex.stop()
}

await main()
