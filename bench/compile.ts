// Compile bench (not in CI): node dist/bench/compile.js
// (build first: npx tsc -p tsconfig.json; corpus: make corpus).
//
//  1. Per module of build/corpus/wasm and build/testprogs, median of
//     BENCH_RUNS (default 5): (a) compileModule (our validate + instrument,
//     plus its WebAssembly.validate of the output), (b) V8's
//     WebAssembly.compile of the instrumented output, (c) V8's compile of
//     the ORIGINAL module, the baseline measured in the same run. Each V8
//     compile gets a fresh nonce custom section appended so V8's in-process
//     module cache cannot answer it. Note that V8 compiles wasm lazily by
//     default (functions on first call), so (b) and (c) are decode +
//     validate + setup; run with `node --no-wasm-lazy-compilation
//     dist/bench/compile.js` to see eager compiles.
//  2. Cold start to first output of speedtest1: `bin/gate run` with an
//     empty GATE_CACHE_DIR and with a warm one, native, and plain V8 (the
//     child-process shim of bench/plain-wasi.ts, which compiles the module
//     itself), all spawned from here and timed to the first stdout byte.
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { compileModule, compilerId } from '../compiler/compile.js'
import { plainCommand, timeToFirstOutput } from './plain-wasi.js'

const ROOT = resolve(import.meta.dirname, '../..')
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
const fmt = (x: number, d = 2): string => x.toFixed(x < 10 ? d : x < 100 ? 1 : 0)

let nonce = 0
/** bytes + a custom section "bench-nonce" holding a fresh counter: same code, new wire bytes. */
function withNonce (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const name = new TextEncoder().encode('bench-nonce')
  const payload = new TextEncoder().encode(`${process.pid}-${nonce++}`)
  const content = [name.length, ...name, ...payload]
  const out = new Uint8Array(bytes.length + 2 + content.length)
  out.set(bytes)
  out[bytes.length] = 0
  out[bytes.length + 1] = content.length // < 128: one LEB byte
  out.set(content, bytes.length + 2)
  return out
}

async function v8Compile (bytes: Uint8Array): Promise<number> {
  const b = withNonce(bytes)
  const t0 = performance.now()
  await WebAssembly.compile(b)
  return performance.now() - t0
}

function modules (): string[] {
  const list: string[] = []
  for (const dir of ['build/corpus/wasm', 'build/testprogs']) {
    let names: string[]
    try { names = readdirSync(join(ROOT, dir)) } catch { console.log(`(no ${dir}: run make corpus / make testprogs)`); continue }
    for (const n of names.sort()) if (n.endsWith('.wasm')) list.push(join(ROOT, dir, n))
  }
  return list
}

async function compileTable (): Promise<void> {
  console.log('\n## Compile: median of %d, ms; (a) compileModule = our validate + instrument; (b) V8 compile of (a)\'s output; (c) V8 compile of the original (baseline)', RUNS)
  const header = ['module', 'input KiB', 'output KiB', 'out/in', '(a) ours ms', '(b) V8 of output ms', '(c) V8 of original ms', '(a)+(b) / (c)', '(a) MB/s', '(a)+(b) MB/s']
  console.log('| ' + header.join(' | ') + ' |')
  console.log('|' + header.map(() => '---').join('|') + '|')
  const tot = { corpus: { in: 0, out: 0, a: 0, b: 0, c: 0 }, all: { in: 0, out: 0, a: 0, b: 0, c: 0 } }
  for (const file of modules()) {
    const bytes = new Uint8Array(readFileSync(file))
    const a: number[] = []; const b: number[] = []; const c: number[] = []
    let outLen = 0
    let failed: string | undefined
    try { compileModule(bytes) } catch {} // untimed warm-up: (a) is warm-JIT throughput (cold start is part 2)
    for (let r = 0; r < RUNS; r++) {
      let out: Uint8Array
      const t0 = performance.now()
      try { out = compileModule(bytes).bytes } catch (err: any) { failed = String(err?.message ?? err); break }
      a.push(performance.now() - t0)
      outLen = out.length
      b.push(await v8Compile(out))
      c.push(await v8Compile(bytes))
    }
    const name = `${basename(join(file, '..'))}/${basename(file)}`
    if (failed != null) { console.log(`| ${name} | ${(bytes.length / 1024).toFixed(1)} | compile failed: ${failed.slice(0, 120)} |`); continue }
    const ma = median(a); const mb = median(b); const mc = median(c)
    const mbps = (ms: number): string => (bytes.length / 1e6 / (ms / 1000)).toFixed(1)
    console.log(`| ${name} | ${(bytes.length / 1024).toFixed(1)} | ${(outLen / 1024).toFixed(1)} | ${(outLen / bytes.length).toFixed(3)} | ${fmt(ma)} | ${fmt(mb)} | ${fmt(mc)} | ${((ma + mb) / mc).toFixed(2)}x | ${mbps(ma)} | ${mbps(ma + mb)} |`)
    for (const t of file.includes('/build/corpus/') ? [tot.corpus, tot.all] : [tot.all]) {
      t.in += bytes.length; t.out += outLen; t.a += ma; t.b += mb; t.c += mc
    }
  }
  for (const [label, t] of [['TOTAL corpus (build/corpus/wasm)', tot.corpus], ['TOTAL all', tot.all]] as const) {
    if (t.in === 0) continue
    console.log(`| **${label}** | ${(t.in / 1024).toFixed(1)} | ${(t.out / 1024).toFixed(1)} | ${(t.out / t.in).toFixed(3)} | ${fmt(t.a)} | ${fmt(t.b)} | ${fmt(t.c)} | ${((t.a + t.b) / t.c).toFixed(2)}x | ${(t.in / 1e6 / (t.a / 1000)).toFixed(1)} | ${(t.in / 1e6 / ((t.a + t.b) / 1000)).toFixed(1)} |`)
  }
  console.log('(each module is compiled once untimed before its runs, so (a) is warm-JIT throughput; totals are sums of medians; MB/s is of input bytes)')
}

async function coldStart (): Promise<void> {
  const wasm = join(ROOT, 'build/corpus/wasm/speedtest1.wasm')
  const nat = join(ROOT, 'build/corpus/native/speedtest1')
  const args = ['--size', '1', '--memdb']
  const gate = join(ROOT, 'bin/gate')
  const node = process.execPath
  console.log(`\n## Cold start to first output: speedtest1 ${args.join(' ')} (median of ${RUNS}, ms from spawn; exit = until the process is gone)`)
  console.log('| runner | first stdout byte ms | exit ms | first / plain V8 |')
  console.log('|---|---|---|---|')
  const rows: Array<[string, () => Promise<{ firstMs: number, exitMs: number, code: number | null }>]> = []
  const warmDir = mkdtempSync(join(tmpdir(), 'gate-bench-warm-'))
  const dirs: string[] = [warmDir]
  rows.push(['native (gcc -O2; stdout is a pipe: fully buffered)', async () => await timeToFirstOutput(nat, args)])
  rows.push(['plain V8 (shim; compiles + runs the original)', async () => await timeToFirstOutput(node, plainCommand(wasm, args))])
  rows.push(['gate run, empty GATE_CACHE_DIR (cold)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'gate-bench-cold-')); dirs.push(d)
    return await timeToFirstOutput(gate, ['run', wasm, '--', ...args], { ...process.env, GATE_CACHE_DIR: d })
  }])
  rows.push(['gate run, warm GATE_CACHE_DIR', async () => await timeToFirstOutput(gate, ['run', wasm, '--', ...args], { ...process.env, GATE_CACHE_DIR: warmDir })])
  await timeToFirstOutput(gate, ['run', wasm, '--', ...args], { ...process.env, GATE_CACHE_DIR: warmDir }) // fill the warm cache
  const res: Array<{ first: number[], exit: number[] }> = rows.map(() => ({ first: [], exit: [] }))
  for (let r = 0; r < RUNS; r++) {
    for (let i = 0; i < rows.length; i++) {
      const t = await rows[i][1]()
      if (t.code !== 0) throw new Error(`${rows[i][0]}: exit ${t.code}`)
      res[i].first.push(t.firstMs); res[i].exit.push(t.exitMs)
    }
  }
  const plain = median(res[1].first)
  for (let i = 0; i < rows.length; i++) {
    const f = median(res[i].first)
    console.log(`| ${rows[i][0]} | ${fmt(f)} | ${fmt(median(res[i].exit))} | ${(f / plain).toFixed(2)}x |`)
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
}

console.log(`# gate-p2p compile bench, node ${process.version}, compiler: ${compilerId()}`)
await compileTable()
if (process.env.BENCH_SKIP_START == null) await coldStart()
