// Each instrumentation trick measured on its own (npm run bench:tricks): the
// same module instrumented with one option changed, run on the main thread
// with a minimal WASI shim, against the plain module in the same process.
// Run with --no-liftoff --no-wasm-lazy-compilation so every variant is
// measured in TurboFan and compiled before its timing starts (lazily, a big
// program's compile would land inside it), and with
// --experimental-wasm-branch-hinting as the executor runs (compiler/engine.ts).
// BENCH_ONLY=regex picks cases; BENCH_VARIANTS=regex picks variants (plain always runs); BENCH_SHOW=1 shows the programs' output.
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { instrument, type InstrumentOptions } from '../compiler/instrument.js'

const ROOT = resolve(import.meta.dirname, '../..')
const QUANTUM = 20000

const SHOW = process.env.BENCH_SHOW != null

class Exit { constructor (readonly code: number) {} }

function run (bytes: Uint8Array, args: string[], stdin: Uint8Array = new Uint8Array(0)): number {
  let inPos = 0
  const argv = ['prog', ...args].map(a => Buffer.from(a + '\0'))
  let mem!: WebAssembly.Memory
  let counter: WebAssembly.Global | undefined
  const dv = (): DataView => new DataView(mem.buffer)
  const wasi: Record<string, (...a: any[]) => any> = {
    args_sizes_get: (c: number, s: number) => { dv().setUint32(c, argv.length, true); dv().setUint32(s, argv.reduce((a, b) => a + b.length, 0), true); return 0 },
    args_get: (pp: number, bp: number) => { for (const a of argv) { dv().setUint32(pp, bp, true); new Uint8Array(mem.buffer).set(a, bp); pp += 4; bp += a.length } return 0 },
    environ_sizes_get: (c: number, s: number) => { dv().setUint32(c, 0, true); dv().setUint32(s, 0, true); return 0 },
    environ_get: () => 0,
    fd_write: (_fd: number, iovs: number, n: number, nw: number) => {
      let t = 0
      for (let i = 0; i < n; i++) {
        const l = dv().getUint32(iovs + 8 * i + 4, true)
        if (SHOW) process.stderr.write(new Uint8Array(mem.buffer, dv().getUint32(iovs + 8 * i, true), l))
        t += l
      }
      dv().setUint32(nw, t, true); return 0
    },
    fd_read: (fd: number, iovs: number, n: number, nr: number) => {
      if (fd !== 0) return 8
      let t = 0
      for (let i = 0; i < n && inPos < stdin.length; i++) {
        const p = dv().getUint32(iovs + 8 * i, true); const l = dv().getUint32(iovs + 8 * i + 4, true)
        const k = Math.min(l, stdin.length - inPos)
        new Uint8Array(mem.buffer).set(stdin.subarray(inPos, inPos + k), p); inPos += k; t += k
      }
      dv().setUint32(nr, t, true); return 0
    },
    clock_time_get: (_id: number, _pr: bigint, p: number) => { dv().setBigUint64(p, process.hrtime.bigint(), true); return 0 },
    fd_prestat_get: () => 8, // no preopens (ENOSYS would make wasi-libc's start-up give up)
    fd_fdstat_get: (_fd: number, p: number) => { new Uint8Array(mem.buffer, p, 24).fill(0); dv().setUint8(p, 2); return 0 },
    proc_exit: (c: number) => { throw new Exit(c) }
  }
  const m = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)
  const imported = WebAssembly.Module.imports(m).some(i => i.module === 'gate_rt' && i.name === 'memory')
  const memory = imported ? new WebAssembly.Memory({ initial: 2048, maximum: 16384 }) : undefined
  const inst = new WebAssembly.Instance(m, {
    wasi_snapshot_preview1: new Proxy(wasi, { get: (o, k: string) => o[k] ?? (() => 52) }),
    gate_rt: { interrupt: () => { if (counter != null) counter.value = QUANTUM }, ...(memory != null ? { memory } : {}) }
  })
  mem = memory ?? inst.exports.memory as WebAssembly.Memory
  counter = inst.exports.__gate_counter as WebAssembly.Global | undefined
  if (counter != null) counter.value = QUANTUM
  const t0 = performance.now()
  try { (inst.exports._start as () => void)() } catch (e) { if (!(e instanceof Exit)) throw e }
  return performance.now() - t0
}

const base: InstrumentOptions = { interruptImport: ['gate_rt', 'interrupt'], importMemory: ['gate_rt', 'memory'], framePages: 64, startToExport: true, snapshotSafe: true }
const VARIANTS: Record<string, InstrumentOptions | null> = {
  'plain (baseline)': null,
  'full: auto entry checks (the default)': { ...base },
  'entry checks in every function': { ...base, entryChecks: 'all' },
  'entry budget 1 KiB (more entry checks)': { ...base, entryBudget: 1024 },
  'entry budget 64 KiB (fewer entry checks)': { ...base, entryBudget: 65536 },
  'loop checks only (unsafe: recursion unchecked)': { ...base, entryChecks: 'none' },
  'leaf loops count down the global, not a local copy': { ...base, unsafeOmit: ['leaf-counter'] },
  'no branch hints': { ...base, branchHints: false },
  'unsafe, to price liveness: save blocks save no locals': { ...base, unsafeOmit: ['saved-locals'] },
  'unsafe, to price the parts: no unwind checks after calls': { ...base, unsafeOmit: ['unwind-checks'] },
  'unsafe: no rewind dispatch (prologue and constructs)': { ...base, unsafeOmit: ['dispatch'] },
  'unsafe: no counter (loop and entry checks)': { ...base, unsafeOmit: ['counter'] },
  'unsafe: nothing but the module changes and save blocks': { ...base, unsafeOmit: ['unwind-checks', 'dispatch', 'counter'] }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const runs = Number(process.env.BENCH_RUNS ?? 5)
console.log(`# instrumentation tricks, node ${process.version}, median of ${runs} (ms, ratio to plain)`)
interface Case { name: string, file: string, args: string[], stdin?: string }
const CASES: Case[] = [
  { name: 'cpu', file: 'build/testprogs/cpu.wasm', args: ['16', '4'] },
  { name: 'rec', file: 'build/testprogs/rec.wasm', args: ['36', '12'] },
  { name: 'mem', file: 'build/testprogs/mem.wasm', args: ['64', '4'] },
  // real programs (make corpus): Lua scripts on stdin, SQLite's speedtest1
  { name: 'lua fib', file: 'build/corpus/wasm/lua.wasm', args: ['-', '32'], stdin: 'corpus/lua/bench/fib.lua' },
  { name: 'lua sort', file: 'build/corpus/wasm/lua.wasm', args: ['-', '100000'], stdin: 'corpus/lua/bench/sort.lua' },
  { name: 'speedtest1', file: 'build/corpus/wasm/speedtest1.wasm', args: ['--size', '15', '--memdb'] }
]
const only = process.env.BENCH_ONLY
for (const c of CASES.filter(c => only == null || new RegExp(only).test(c.name))) {
  let orig: Uint8Array
  try { orig = new Uint8Array(readFileSync(join(ROOT, c.file))) } catch { console.log(`\n## ${c.name}: ${c.file} not built, skipped`); continue }
  const stdin = c.stdin != null ? new Uint8Array(readFileSync(join(ROOT, c.stdin))) : undefined
  const vre = process.env.BENCH_VARIANTS != null ? new RegExp(process.env.BENCH_VARIANTS) : undefined
  const built = Object.entries(VARIANTS).filter(([k]) => vre == null || k === 'plain (baseline)' || vre.test(k)).map(([k, o]) => [k, o == null ? orig : instrument(orig, o).bytes] as const)
  const times = new Map<string, number[]>(built.map(([k]) => [k, []]))
  for (let r = 0; r < runs; r++) for (const [k, b] of built) times.get(k)!.push(run(b, c.args, stdin))
  const plain = median(times.get('plain (baseline)')!)
  console.log(`\n## ${c.name} ${c.args.join(' ')}`)
  for (const [k, b] of built) { const m = median(times.get(k)!); console.log(`${k.padEnd(60)} ${m.toFixed(0).padStart(6)}  ${(m / plain).toFixed(2)}x  size ${(b.byteLength / orig.byteLength).toFixed(2)}x`) }
}
