// Benchmarks (npm run bench; not in CI). Every ratio is against a baseline
// measured in the same run, never against a stored number.
//
//  1. CPU-heavy C programs: native gcc -O2, plain V8 (node:wasi, in a child
//     process), and our instrumented build on the executor, plus a variant
//     of the instrumentation (entry checks everywhere) so its cost is
//     visible (bench/tricks.ts has the others).
//  2. Snapshot: suspend request -> state captured, and restore, at 1/16/64 MiB.
//  3. Start latency of an instance of a cached module.
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Executor, type Instance } from '../executor/index.js'
import { compilerId } from '../compiler/compile.js'

const ROOT = resolve(import.meta.dirname, '../..')
const PROGS = join(ROOT, 'build/testprogs')
const NATIVE = join(ROOT, 'build/native')
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const work = mkdtempSync(join(tmpdir(), 'gate-bench-'))

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
const fmt = (x: number): string => x.toFixed(x < 10 ? 2 : 0)

async function runInstance (ex: Executor, bytes: Uint8Array, opts: Record<string, any>, args: string[]): Promise<{ ms: number, out: string }> {
  const cm = await ex.compile(bytes, opts)
  const t0 = performance.now()
  const inst = ex.launch(cm, { args: ['prog', ...args] })
  let out = ''
  inst.on('stdout', d => { out += Buffer.from(d).toString() })
  inst.end()
  const st = await inst.wait()
  if (st.state !== 'terminated') throw new Error(`run ended ${JSON.stringify(st)}`)
  return { ms: performance.now() - t0, out }
}

/**
 * Plain V8: the original module in a child process with a minimal JS WASI
 * shim (node:wasi crashes after large memory growth on these Node versions).
 * `flags` lets the run force TurboFan (--no-liftoff): V8 has no on-stack
 * replacement for wasm, so a hot loop in a function entered once (main) can
 * stay in Liftoff for a whole plain run; the fair baseline is the faster one.
 */
function plainV8 (file: string, args: string[], flags: string[] = []): { ms: number, out: string } {
  const script = join(work, 'plain.mjs')
  writeFileSync(script, `
import { readFileSync, writeSync } from 'node:fs'
import { randomFillSync } from 'node:crypto'
const argv = ['prog', ...process.argv.slice(3)].map(a => Buffer.from(a + '\\0'))
let mem
class Exit { constructor (c) { this.code = c } }
const dv = () => new DataView(mem.buffer)
const wasi = {
  args_sizes_get: (c, s) => { dv().setUint32(c, argv.length, true); dv().setUint32(s, argv.reduce((a, b) => a + b.length, 0), true); return 0 },
  args_get: (pp, bp) => { for (const a of argv) { dv().setUint32(pp, bp, true); new Uint8Array(mem.buffer).set(a, bp); pp += 4; bp += a.length } return 0 },
  environ_sizes_get: (c, s) => { dv().setUint32(c, 0, true); dv().setUint32(s, 0, true); return 0 },
  environ_get: () => 0,
  fd_write: (fd, iovs, n, nw) => { let t = 0; for (let i = 0; i < n; i++) { const p = dv().getUint32(iovs + 8 * i, true), l = dv().getUint32(iovs + 8 * i + 4, true); writeSync(fd, new Uint8Array(mem.buffer, p, l)); t += l } dv().setUint32(nw, t, true); return 0 },
  fd_fdstat_get: (fd, p) => { new Uint8Array(mem.buffer, p, 24).fill(0); dv().setUint8(p, 2); return 0 },
  fd_close: () => 0, fd_seek: () => 70, fd_read: () => 0, fd_prestat_get: () => 8, fd_prestat_dir_name: () => 8,
  clock_time_get: (id, pr, p) => { dv().setBigUint64(p, process.hrtime.bigint(), true); return 0 },
  random_get: (p, l) => { randomFillSync(new Uint8Array(mem.buffer, p, l)); return 0 },
  proc_exit: (c) => { throw new Exit(c) }, sched_yield: () => 0, poll_oneoff: () => 52
}
const mod = await WebAssembly.compile(readFileSync(process.argv[2]))
const t0 = performance.now()
const inst = await WebAssembly.instantiate(mod, { wasi_snapshot_preview1: new Proxy(wasi, { get: (o, k) => o[k] ?? (() => 52) }) })
mem = inst.exports.memory
try { inst.exports._start() } catch (e) { if (!(e instanceof Exit)) throw e }
process.stderr.write('TIME ' + (performance.now() - t0) + '\\n')
`)
  const r = spawnSync(process.execPath, [...flags, script, file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const m = /TIME ([0-9.]+)/.exec(r.stderr)
  if (m == null) throw new Error(`plain run of ${file} failed: ${r.stderr.slice(0, 300)}`)
  return { ms: Number(m[1]), out: r.stdout }
}

function native (name: string, args: string[]): { ms: number, out: string } | undefined {
  const bin = join(NATIVE, name)
  if (!existsSync(bin)) return undefined
  const t0 = performance.now()
  const out = execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 64 << 20 })
  return { ms: performance.now() - t0, out }
}

async function cpuBench (ex: Executor): Promise<void> {
  console.log('\n## CPU: time to run each program (median of %d, ms) and ratio to plain V8', RUNS)
  const variants: Array<[string, Record<string, any>]> = [
    ['gate (auto entry checks)', {}],
    ['gate, checks in every function', { entryChecks: 'all' }]
  ]
  const header = ['program', 'native gcc -O2', 'plain V8 (Liftoff+TurboFan / TurboFan only)', ...variants.map(v => v[0])]
  console.log('| ' + header.join(' | ') + ' |')
  console.log('|' + header.map(() => '---').join('|') + '|')
  const ratios: number[][] = variants.map(() => [])
  for (const [name, args] of [['cpu', ['16', '4']], ['rec', ['36', '12']], ['mem', ['64', '4']]] as Array<[string, string[]]>) {
    const file = join(PROGS, `${name}.wasm`)
    const bytes = new Uint8Array(readFileSync(file))
    for (const [, o] of variants) await ex.compile(bytes, o) // compile outside the timing
    const times: number[][] = [[], [], ...variants.map(() => []), []]
    const tf = times.length - 1
    let reference: string | undefined
    for (let r = 0; r < RUNS; r++) {
      const n = native(name, args)
      if (n != null) times[0].push(n.ms)
      const p = plainV8(file, args)
      times[1].push(p.ms)
      reference ??= p.out
      times[tf].push(plainV8(file, args, ['--no-liftoff']).ms)
      for (let v = 0; v < variants.length; v++) {
        const g = await runInstance(ex, bytes, variants[v][1], args)
        if (g.out !== reference) throw new Error(`${name}: instrumented output differs from plain`)
        times[2 + v].push(g.ms)
      }
    }
    // the baseline: the faster of plain V8's two tierings
    const plain = Math.min(median(times[1]), median(times[tf]))
    const cells = [name, times[0].length > 0 ? `${fmt(median(times[0]))} (${(median(times[0]) / plain).toFixed(2)}x)` : 'n/a', `${fmt(median(times[1]))} / ${fmt(median(times[tf]))}`]
    for (let v = 0; v < variants.length; v++) {
      const m = median(times[2 + v])
      ratios[v].push(m / plain)
      cells.push(`${fmt(m)} (${(m / plain).toFixed(2)}x)`)
    }
    console.log('| ' + cells.join(' | ') + ' |')
  }
  for (let v = 0; v < variants.length; v++) {
    const g = Math.exp(ratios[v].reduce((a, b) => a + Math.log(b), 0) / ratios[v].length)
    console.log(`geomean ${variants[v][0]} / plain V8: ${g.toFixed(3)}x`)
  }
}

/** A program that touches N MiB and then keeps computing. */
function touchProgram (): Uint8Array {
  const src = join(work, 'touch.c')
  writeFileSync(src, `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 1;
  unsigned char *buf = malloc(mib << 20);
  unsigned x = 2463534242u;
  for (size_t i = 0; i < (mib << 20); i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; buf[i] = (unsigned char)x | 1; }
  printf("ready\\n"); fflush(stdout);
  volatile unsigned long long acc = 0;
  for (unsigned long long i = 0;; i++) { acc += buf[i % (mib << 20)]; if (i == (1ull << 62)) break; }
  printf("%llu\\n", acc);
  return 0;
}`)
  const out = join(work, 'touch.wasm')
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', '-Wl,--strip-debug', '-o', out, src])
  return new Uint8Array(readFileSync(out))
}

async function waitFor (inst: Instance, text: string): Promise<void> {
  await new Promise<void>(resolve => {
    let seen = ''
    const on = (d: Uint8Array): void => { seen += Buffer.from(d).toString(); if (seen.includes(text)) { inst.off('stdout', on); resolve() } }
    inst.on('stdout', on)
  })
}

async function snapshotBench (ex: Executor): Promise<void> {
  console.log('\n## Snapshot: suspend request -> captured, and restore (median of %d, ms)', RUNS)
  console.log('| touched memory | request -> captured (worker) | request -> snapshot on main thread | restore (worker: instantiate + memory + rewind) | resume() -> running (main) |')
  console.log('|---|---|---|---|---|')
  const bytes = touchProgram()
  const cm = await ex.compile(bytes)
  for (const mib of [1, 16, 64]) {
    const cap: number[] = []; const tot: number[] = []; const rest: number[] = []; const restMain: number[] = []
    for (let r = 0; r < RUNS; r++) {
      const inst = ex.launch(cm, { args: ['touch', String(mib)] })
      inst.end()
      await waitFor(inst, 'ready')
      await new Promise(resolve => setTimeout(resolve, 20))
      const s = await inst.suspend()
      cap.push(s.requestToCapturedMs); tot.push(s.totalMs)
      const t0 = performance.now()
      const again = await ex.resume(s.snapshot, bytes, { transfer: true })
      const { initMs } = await new Promise<{ initMs: number }>(resolve => again.once('running', resolve))
      restMain.push(performance.now() - t0)
      rest.push(initMs)
      await again.kill()
    }
    console.log(`| ${mib} MiB | ${fmt(median(cap))} | ${fmt(median(tot))} | ${fmt(median(rest))} | ${fmt(median(restMain))} |`)
  }
}

async function startBench (ex: Executor): Promise<void> {
  const bytes = new Uint8Array(readFileSync(join(PROGS, 'hello.wasm')))
  await ex.compile(bytes)
  const t0 = performance.now()
  const cm = await ex.compile(bytes)
  const cacheHit = performance.now() - t0
  const inits: number[] = []; const mains: number[] = []
  for (let i = 0; i < 50; i++) {
    const t = performance.now()
    const inst = ex.launch(cm, { args: ['hello'] })
    const { initMs } = await new Promise<{ initMs: number }>(resolve => inst.once('running', resolve))
    mains.push(performance.now() - t)
    inits.push(initMs)
    inst.end()
    await inst.wait()
  }
  console.log('\n## Start of a cached module (hello, 50 starts)')
  console.log(`compile cache hit: ${fmt(cacheHit)} ms; instantiate in worker: median ${median(inits).toFixed(3)} ms; launch() -> running on main thread: median ${median(mains).toFixed(3)} ms`)
}

async function main (): Promise<void> {
  console.log(`# gate-p2p bench, node ${process.version}, compiler: ${compilerId()}`)
  const ex = new Executor({ cacheDir: join(work, 'cache'), workers: 1 })
  await ex.start()
  try {
    if (process.env.BENCH_SKIP_CPU == null) await cpuBench(ex)
    await snapshotBench(ex)
    await startBench(ex)
  } finally {
    await ex.stop()
  }
}

await main()
