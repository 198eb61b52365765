// I/O throughput (not CI, run by hand): a 100 MB random file piped through
// the system's cat (the baseline, measured in the same run), through
// `gate run cat.wasm` and, on a local testnet of two node processes on
// 127.0.0.1, through `gate send <peer> cat.wasm`. Every command is a real
// process between real pipes: `cat IN | X | cat > OUT`; OUT's hash must
// equal IN's. MB/s is reported two ways: over the whole wall time, and net
// of start-up (the same command with empty input, measured in the same run:
// Node, compile-cache lookup, worker start, for send the control API and
// the deploy), which is what the I/O path itself moves.
// Run: npm run -s build && node dist/bench/io.js [MB]. BENCH_BEFORE=<dir>
// (another built checkout, e.g. an older commit) adds its `gate` and cat.wasm
// to the same run; BENCH_NO_SEND=1 skips the testnet.
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LocalTestnet } from '../testnet/index.js'
import { ROOT, tempDir } from '../test/helpers.js'

const MB = Number(process.argv[2] ?? 100)
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3)
const GATE = join(ROOT, 'bin/gate')
const CAT = join(ROOT, 'build/testprogs/cat.wasm')
const work = tempDir('gate-bench-io-')
const IN = join(work, 'in')
const OUT = join(work, 'out')
const EMPTY = join(work, 'empty')
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
const q = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`
const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex')

const data = randomBytes(MB * 1e6)
writeFileSync(IN, data)
writeFileSync(EMPTY, new Uint8Array(0))
const want = createHash('sha256').update(data).digest('hex')

/** Wall time (ms) of `cat input | cmd | cat > OUT`; checks OUT against the input. */
function pipeMs (cmd: string, input: string, env: NodeJS.ProcessEnv = process.env): number {
  rmSync(OUT, { force: true })
  const t0 = performance.now()
  const r = spawnSync('sh', ['-c', `cat ${q(input)} | ${cmd} | cat > ${q(OUT)}`], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  const ms = performance.now() - t0
  if (r.status !== 0) throw new Error(`${cmd} failed (${String(r.status)}): ${r.stderr.slice(0, 500)}`)
  const got = sha(OUT)
  if (got !== (input === IN ? want : sha(input))) throw new Error(`${cmd}: output differs from the input (sha256 ${got})`)
  return ms
}

interface Row { name: string, ms: number, startMs: number }
function measure (name: string, cmd: string, env?: NodeJS.ProcessEnv): Row {
  pipeMs(cmd, EMPTY, env) // warm: compile cache, page cache
  const ms: number[] = []
  const start: number[] = []
  for (let i = 0; i < ROUNDS; i++) { start.push(pipeMs(cmd, EMPTY, env)); ms.push(pipeMs(cmd, IN, env)) }
  return { name, ms: median(ms), startMs: median(start) }
}

async function main (): Promise<void> {
  const rows: Row[] = []
  rows.push(measure('/bin/cat', 'cat'))
  const before = process.env.BENCH_BEFORE
  const gateOf = (dir: string): string => q(join(dir, 'bin/gate'))
  const catOf = (dir: string): string => q(join(dir, 'build/testprogs/cat.wasm'))
  if (before != null) rows.push(measure('before: gate run cat.wasm', `${gateOf(before)} run ${catOf(before)} 2>/dev/null`))
  rows.push(measure('gate run cat.wasm', `${q(GATE)} run ${q(CAT)} 2>/dev/null`))
  if (process.env.BENCH_NO_SEND == null) {
    const tn = await LocalTestnet.up({ dir: tempDir('gate-bench-io-tn-'), nodes: 2, startTimeoutMs: 90_000, exitWithPid: process.pid })
    try {
      const env = { ...process.env, GATE_TESTNET_DIR: tn.dir }
      const send = (dir: string): string => `${gateOf(dir)} --data-dir ${q(tn.node(1).dataDir)} send ${tn.node(2).peerId} ${catOf(dir)} 2>/dev/null`
      rows.push(measure('gate send cat.wasm (n1 -> n2)', send(ROOT), env))
    } finally {
      await tn.down()
    }
    if (before != null) {
      // the old code's nodes: its executor and its CLI
      const { LocalTestnet: Old } = await import(join(before, 'dist/testnet/index.js')) as { LocalTestnet: typeof LocalTestnet }
      const tn = await Old.up({ dir: tempDir('gate-bench-io-tn-'), nodes: 2, startTimeoutMs: 90_000, exitWithPid: process.pid })
      try {
        const env = { ...process.env, GATE_TESTNET_DIR: tn.dir }
        rows.splice(rows.length - 1, 0, measure('before: gate send cat.wasm (n1 -> n2)', `${gateOf(before)} --data-dir ${q(tn.node(1).dataDir)} send ${tn.node(2).peerId} ${catOf(before)} 2>/dev/null`, env))
      } finally {
        await tn.down()
      }
    }
  }
  const base = rows[0]
  const mbps = (r: Row): number => MB / (r.ms / 1000)
  const netMbps = (r: Row): number => MB / (Math.max(1, r.ms - r.startMs) / 1000)
  console.log('## I/O: %d MB through `cat IN | X | cat > OUT` (median of %d; output sha256-checked)', MB, ROUNDS)
  console.log('| X | wall ms | empty-input ms | MB/s (wall) | MB/s (net of start) | ratio to cat (net) |')
  console.log('|---|---|---|---|---|---|')
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.ms.toFixed(0)} | ${r.startMs.toFixed(0)} | ${mbps(r).toFixed(0)} | ${netMbps(r).toFixed(0)} | ${(netMbps(r) / netMbps(base)).toFixed(3)} |`)
  }
  rmSync(work, { recursive: true, force: true })
}

await main()
