// Corpus bench (not in CI): node dist/bench/corpus.js
// (build first: npx tsc -p tsconfig.json; corpus: make corpus).
// Every ratio is against a baseline measured in the same run.
//
//  1. CPU overhead on real programs: each corpusPrograms entry with
//     benchArgs and no hostIssue, plus minigzip/bzip2 on a few MB of
//     generated data (reported as failing, not fatal, while the host cannot
//     run them). Median of BENCH_RUNS (default 3) of: native; plain V8 (the
//     original module in a child process, bench/plain-wasi.ts, default
//     tiering and --no-liftoff: the baseline is the faster of the two, see
//     bench/run.ts); gate (compiled outside the timing, launched through
//     the Executor in this process with stdin written and ended; launch ->
//     exit). gate's stdout must equal plain's (normalized as programs.ts).
//  2. Suspend latency: each program again under the Executor, suspended at
//     BENCH_SUSPENDS (default 20) random moments and resumed from the
//     snapshot each time (ex.resume), to the end; requestToCapturedMs
//     p50/p99/max, and the final stdout checked against the uninterrupted run.
//
// BENCH_ONLY=regex limits the programs; BENCH_SKIP_CPU / BENCH_SKIP_SUSPEND skip a table.
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg, cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Executor, DEFAULT_LIMITS, type Instance, type InstanceStatus } from '../executor/index.js'
import { compilerId } from '../compiler/compile.js'
import { corpusPrograms, isBuilt, CORPUS_DIR, type CorpusProgram } from '../test/corpus/programs.js'
import { plainRun } from './plain-wasi.js'

const ROOT = resolve(import.meta.dirname, '../..')
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const SUSPENDS = Number(process.env.BENCH_SUSPENDS ?? 20)
const work = mkdtempSync(join(tmpdir(), 'gate-bench-corpus-'))
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.max(0, Math.ceil(p * s.length) - 1)] }
const fmt = (x: number): string => x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0)
const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, b) => a + Math.log(b), 0) / xs.length)
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

interface Prog { p: CorpusProgram, args: string[], stdinFile?: string, extra: boolean }

/** A few MB of text-like data for the compressors, and its .gz/.bz2 made natively. */
function compressorPrograms (): Prog[] {
  const data = join(CORPUS_DIR, 'data')
  const gz = corpusPrograms.find(p => p.program === 'minigzip')
  const bz = corpusPrograms.find(p => p.program === 'bzip2')
  if (gz == null || bz == null || !existsSync(join(data, 'sample2.ref'))) return []
  // sample1.ref + sample2.ref, 12 times, each copy with its lines numbered
  // differently so neither compressor sees whole copies repeat.
  const base = [readFileSync(join(data, 'sample1.ref')), readFileSync(join(data, 'sample2.ref'))]
  const parts: Buffer[] = []
  for (let i = 0; i < 12; i++) {
    for (const b of base) {
      const lines = b.toString('latin1').split('\n')
      parts.push(Buffer.from(lines.map((l, j) => `${(j * 7919 + i * 104729) % 1000003} ${l}`).join('\n'), 'latin1'))
    }
  }
  const raw = join(work, 'data.raw')
  writeFileSync(raw, Buffer.concat(parts))
  const out: Prog[] = []
  const gzBin = gz.native; const bzBin = bz.native
  const gzFile = join(work, 'data.gz'); const bzFile = join(work, 'data.bz2')
  if (existsSync(gzBin)) {
    writeFileSync(gzFile, spawnSync(gzBin, [], { input: readFileSync(raw), maxBuffer: 1 << 30 }).stdout)
    out.push({ p: { ...gz, name: 'minigzip (~4 MB)', binary: true, hostIssue: undefined }, args: [], stdinFile: raw, extra: true })
    out.push({ p: { ...gz, name: 'minigzip -d (~4 MB)', binary: true, hostIssue: undefined }, args: ['-d'], stdinFile: gzFile, extra: true })
  }
  if (existsSync(bzBin)) {
    writeFileSync(bzFile, spawnSync(bzBin, ['-c'], { input: readFileSync(raw), maxBuffer: 1 << 30 }).stdout)
    out.push({ p: { ...bz, name: 'bzip2 -c (~4 MB)', binary: true, hostIssue: undefined }, args: ['-c'], stdinFile: raw, extra: true })
    out.push({ p: { ...bz, name: 'bzip2 -dc (~4 MB)', binary: true, hostIssue: undefined }, args: ['-d', '-c'], stdinFile: bzFile, extra: true })
  }
  return out
}

function programs (): Prog[] {
  const list: Prog[] = corpusPrograms
    .filter(p => p.benchArgs != null && p.hostIssue == null && isBuilt(p))
    .map(p => ({ p, args: p.benchArgs!, stdinFile: p.stdinFile, extra: false }))
  list.push(...compressorPrograms())
  const only = process.env.BENCH_ONLY
  return only != null ? list.filter(x => new RegExp(only).test(x.p.name)) : list
}

const same = (x: Prog, a: Buffer, b: Buffer): boolean => {
  if (x.p.binary === true || x.p.normalize == null) return a.equals(b)
  return x.p.normalize(a.toString()) === x.p.normalize(b.toString())
}

function native (x: Prog): { ms: number, out: Buffer } {
  const input = x.stdinFile != null ? readFileSync(x.stdinFile) : Buffer.alloc(0)
  const t0 = performance.now()
  const r = spawnSync(x.p.native, x.args, { input, env: { ...process.env, ...x.p.env }, maxBuffer: 1 << 30 })
  const ms = performance.now() - t0
  if (r.error != null) throw r.error
  return { ms, out: r.stdout }
}

interface GateRun { ms: number, out: Buffer, status: InstanceStatus, stderr: string }

function collectOn (inst: Instance, out: Buffer[], err: Buffer[]): void {
  inst.on('stdout', d => out.push(Buffer.from(d)))
  inst.on('stderr', d => err.push(Buffer.from(d)))
}

async function gateRun (ex: Executor, bytes: Uint8Array, x: Prog, stdin: Uint8Array): Promise<GateRun> {
  const cm = await ex.compile(bytes)
  const out: Buffer[] = []; const err: Buffer[] = []
  const t0 = performance.now()
  const inst = ex.launch(cm, { args: ['prog', ...x.args] })
  collectOn(inst, out, err)
  if (stdin.byteLength > 0) inst.write(stdin)
  inst.end()
  const status = await inst.wait()
  return { ms: performance.now() - t0, out: Buffer.concat(out), status, stderr: Buffer.concat(err).toString() }
}

const okStatus = (s: InstanceStatus, code: number): boolean => s.state === 'terminated' && (s.result ?? 0) === code

interface CpuResult { x: Prog, bytes: Uint8Array, stdin: Uint8Array, reference: Buffer, code: number, gateMs: number }

async function cpuBench (ex: Executor, progs: Prog[]): Promise<CpuResult[]> {
  console.log('\n## CPU: real programs, median of %d runs, ms (ratio to plain V8 = the faster of its two tierings)', RUNS)
  const header = ['program', 'args', 'native gcc -O2', 'plain V8 default / --no-liftoff', 'gate', 'gate / plain', 'native / plain', 'stdout']
  console.log('| ' + header.join(' | ') + ' |')
  console.log('|' + header.map(() => '---').join('|') + '|')
  const ratios: number[] = []; const nratios: number[] = []
  const results: CpuResult[] = []
  for (const x of progs) {
    const bytes = new Uint8Array(readFileSync(x.p.wasm))
    const stdin = x.stdinFile != null ? new Uint8Array(readFileSync(x.stdinFile)) : new Uint8Array(0)
    const row = (cells: string[]): void => { console.log('| ' + [x.p.name, x.args.join(' '), ...cells].join(' | ') + ' |') }
    try {
      await ex.compile(bytes) // outside the timing
    } catch (err: any) { row([`gate compile failed: ${err.message}`]); continue }
    const t: number[][] = [[], [], [], []]
    let reference: Buffer | undefined; let code = 0
    let problem: string | undefined
    for (let r = 0; r < RUNS && problem == null; r++) {
      t[0].push(native(x).ms)
      const p = plainRun(x.p.wasm, x.args, { stdinFile: x.stdinFile })
      if (reference == null) { reference = p.out; code = p.code }
      t[1].push(p.ms)
      t[2].push(plainRun(x.p.wasm, x.args, { stdinFile: x.stdinFile, flags: ['--no-liftoff'] }).ms)
      const g = await gateRun(ex, bytes, x, stdin)
      if (!okStatus(g.status, code)) problem = `gate ended ${JSON.stringify(g.status)} (plain exit ${code}) ${g.stderr.slice(-200).trim()}`
      else if (!same(x, g.out, reference)) problem = `gate stdout (${g.out.length} B) differs from plain's (${reference.length} B)`
      t[3].push(g.ms)
    }
    const plain = Math.min(median(t[1]), median(t[2]))
    const n = median(t[0])
    if (problem != null) {
      row([fmt(n), `${fmt(median(t[1]))} / ${fmt(median(t[2]))}`, `FAILS: ${problem}`, '', (n / plain).toFixed(2) + 'x', 'MISMATCH'])
      continue
    }
    const g = median(t[3])
    ratios.push(g / plain); nratios.push(n / plain)
    row([fmt(n), `${fmt(median(t[1]))} / ${fmt(median(t[2]))}`, fmt(g), (g / plain).toFixed(2) + 'x', (n / plain).toFixed(2) + 'x', 'ok'])
    results.push({ x, bytes, stdin, reference: reference!, code, gateMs: g })
  }
  console.log(`(load average now ${loadavg().map(x => x.toFixed(2)).join(' ')})`)
  if (ratios.length > 0) {
    console.log(`geomean gate / plain V8: ${geomean(ratios).toFixed(3)}x over ${ratios.length} programs; native / plain V8: ${geomean(nratios).toFixed(3)}x`)
  }
  return results
}

/** A seeded PRNG (mulberry32) so a run's suspend moments can be repeated. */
function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function suspendBench (ex: Executor, results: CpuResult[]): Promise<void> {
  const seed = Number(process.env.BENCH_SEED ?? (Date.now() % 1e9))
  const rand = prng(seed)
  console.log(`\n## Suspend latency: ${SUSPENDS} suspends at random moments, each resumed (ex.resume) from its snapshot, run to the end; quantum ${DEFAULT_LIMITS.quantum} (default limits); BENCH_SEED=${seed}`)
  console.log('request -> stopped (the instance unwound or waiting, no longer executing) and request -> captured (its state copied out: for a large memory mostly first-touch page faults of the copy) are measured in the worker; "main" is suspend() called -> snapshot on the main thread; p99 is nearest-rank, so with fewer than 100 samples it is the max')
  const header = ['program', 'suspends', 'stopped p50 ms', 'stopped p99 ms', 'captured p50 ms', 'captured p99 ms', 'captured max ms', 'main p50 ms', 'main max ms', 'resume() -> running p50 ms', 'snapshot memory MiB (max)', 'run ms (uninterrupted)', 'stdout vs uninterrupted']
  console.log('| ' + header.join(' | ') + ' |')
  console.log('|' + header.map(() => '---').join('|') + '|')
  const mismatches: string[] = []
  for (const r of results) {
    const { x, bytes, stdin } = r
    const cm = await ex.compile(bytes)
    // moments spread over the uninterrupted run time, as gaps of running time (each gap from the moment the resumed instance runs)
    // (in the first 2-60% of it: the table-1 median may have been measured under more load)
    const at = Array.from({ length: SUSPENDS }, () => (0.02 + 0.58 * rand()) * r.gateMs).sort((a, b) => a - b)
    const out: Buffer[] = []; const err: Buffer[] = []
    let inst = ex.launch(cm, { args: ['prog', ...x.args] })
    collectOn(inst, out, err)
    if (stdin.byteLength > 0) inst.write(stdin)
    inst.end()
    const stop: number[] = []; const cap: number[] = []; const main: number[] = []; const resumeMs: number[] = []
    let memMax = 0
    let prev = 0
    let note = ''
    for (const t of at) {
      await sleep(t - prev)
      prev = t
      if (inst.status.state !== 'running') break
      let s
      try { s = await inst.suspend() } catch (e: any) { note = ` (ended before suspend ${cap.length + 1}: ${e.message})`; break }
      stop.push(s.requestToStoppedMs); cap.push(s.requestToCapturedMs); main.push(s.totalMs)
      memMax = Math.max(memMax, s.snapshot.memory.byteLength)
      const t0 = performance.now()
      inst = await ex.resume(s.snapshot, bytes)
      collectOn(inst, out, err)
      const i = inst
      // the next gap starts once it runs again: a request during the restore would measure the restore
      await new Promise<void>(resolve => {
        i.once('running', () => { resumeMs.push(performance.now() - t0); resolve() })
        i.once('exit', () => { resolve() })
      })
    }
    const status = await inst.wait()
    const got = Buffer.concat(out)
    let check = 'ok'
    if (!okStatus(status, r.code)) check = `ENDED ${JSON.stringify(status)} ${Buffer.concat(err).toString().slice(-200).trim()}`
    else if (!same(x, got, r.reference)) check = `STDOUT MISMATCH (${got.length} B vs ${r.reference.length} B)`
    if (check !== 'ok') mismatches.push(`${x.p.name}: ${check}`)
    const f = (xs: number[], p: number): string => xs.length > 0 ? fmt(pct(xs, p)) : 'n/a'
    console.log(`| ${x.p.name} | ${cap.length}${note} | ${f(stop, 0.5)} | ${f(stop, 0.99)} | ${f(cap, 0.5)} | ${f(cap, 0.99)} | ${f(cap, 1)} | ${f(main, 0.5)} | ${f(main, 1)} | ${f(resumeMs, 0.5)} | ${(memMax / 2 ** 20).toFixed(1)} | ${fmt(r.gateMs)} | ${check} |`)
  }
  if (mismatches.length > 0) {
    console.log('\n!!!!!!!! SUSPEND/RESUME CHANGED THE RESULT !!!!!!!!')
    for (const m of mismatches) console.log('!!! ' + m)
  } else {
    console.log('every suspended-and-resumed run ended like the uninterrupted one')
  }
}

async function main (): Promise<void> {
  console.log(`# gate-p2p corpus bench, node ${process.version} (${process.execPath}${process.execArgv.length > 0 ? ' ' + process.execArgv.join(' ') : ''}), compiler: ${compilerId()}`)
  console.log(`# ${cpus().length} CPUs, load average at start ${loadavg().map(x => x.toFixed(2)).join(' ')} (the Executor runs in this process: node flags given to this bench apply to gate, not to the plain children)`)
  const progs = programs()
  if (progs.length === 0) { console.log('no corpus programs built: make corpus'); return }
  const ex = new Executor({ cacheDir: join(work, 'cache'), workers: 2 })
  await ex.start()
  try {
    let results: CpuResult[] = []
    if (process.env.BENCH_SKIP_CPU == null) results = await cpuBench(ex, progs)
    if (process.env.BENCH_SKIP_SUSPEND == null) {
      if (results.length === 0 && process.env.BENCH_SKIP_CPU != null) {
        // no CPU table: one plain run for the reference output and one gate run for the duration
        for (const x of progs) {
          const bytes = new Uint8Array(readFileSync(x.p.wasm))
          const stdin = x.stdinFile != null ? new Uint8Array(readFileSync(x.stdinFile)) : new Uint8Array(0)
          const p = plainRun(x.p.wasm, x.args, { stdinFile: x.stdinFile })
          const g = await gateRun(ex, bytes, x, stdin)
          if (okStatus(g.status, p.code) && same(x, g.out, p.out)) results.push({ x, bytes, stdin, reference: p.out, code: p.code, gateMs: g.ms })
          else console.log(`${x.p.name}: gate does not match plain; left out of the suspend table`)
        }
      }
      await suspendBench(ex, results)
    }
  } finally {
    await ex.stop()
  }
}

await main()
