// Launch rate benchmark (not CI): how fast instances of a cached module
// start, idle and with the workers busy. N instances of testprogs/cat
// (blocked on stdin; the module compiled and cached before timing starts)
// are launched with at most --window W of them alive at a time; each one's
// stdin is closed as soon as it is 'running' (cat then exits), which frees
// its place in the window. Figures per scenario: (a) the launch call itself
// (wall time until the N-th call returned, time spent inside the calls,
// p50/p99 per call), (b) launch call -> the instance's 'running' event
// (instantiated in its worker) p50/p99, and the rate at which instances
// reach 'running' (N over first launch -> last 'running'; once the window
// is full a launch waits for an exit, so this is the throughput of the
// whole cycle: launch, instantiate, end, exit), and the burst rate: the
// first W launches, none of which waits for a place (W over first call ->
// the last of them running). The same with W = 1 (one at a time, --single
// launches): the latency without a queue.
// Scenarios, all in this run: idle; under load (--spinners S, default 2,
// instances of testprogs/spin, an infinite loop, running in the same
// executor on its --workers, default 2, throughout); idle again (a drift
// check: the machine's own load changing during the run). Ratios are
// under-load / idle with the idle baseline of this same run. Executor
// level (Executor.launch) and, unless --no-node, node level (GateNode.run
// with the node's own peer ID as owner, a real libp2p node on 127.0.0.1
// with its data in a temp dir; its default hibernation, 30 s, never
// applies to these short-lived instances). os.loadavg() is printed
// before and after each part: another job on the machine shows there.
// An instance not ended --stall-ms (20000) after its launch is killed and
// listed under the tables (the run goes on).
// Run: PATH=$PWD/node_modules/.bin:$PATH node dist/bench/launch.js [N] [--window 500] [--single 200] [--spinners 2] [--workers 2] [--no-node]
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Executor, type Instance } from '../executor/index.js'
import { GateNode } from '../node/node.js'
import { tempDir } from '../test/helpers.js'

const ARGS = parseArgs({ allowPositionals: true, options: { window: { type: 'string' }, single: { type: 'string' }, spinners: { type: 'string' }, workers: { type: 'string' }, 'no-node': { type: 'boolean' }, 'stall-ms': { type: 'string' } } })
const N = Number(ARGS.positionals[0] ?? 2000)
const WINDOW = Number(ARGS.values.window ?? 500)
const SINGLE = Math.min(Number(ARGS.values.single ?? 200), N)
const SPINNERS = Number(ARGS.values.spinners ?? 2)
const WORKERS = Number(ARGS.values.workers ?? 2)
const NODE = ARGS.values['no-node'] !== true
/** An instance not ended this long after its launch is reported as stalled and killed (the run goes on). */
const STALL_MS = Number(ARGS.values['stall-ms'] ?? 20000)
/** Linear memory per instance (cat needs its 128 KiB buffer): 2 MiB, as bench/node-density.ts. */
const PAGES = 32

const ROOT = join(import.meta.dirname, '../..')
const cat = new Uint8Array(readFileSync(join(ROOT, 'build/testprogs/cat.wasm')))
const spin = new Uint8Array(readFileSync(join(ROOT, 'build/testprogs/spin.wasm')))
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))
const pct = (xs: number[], p: number): number => { if (xs.length === 0) return NaN; const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] }
const load = (): string => loadavg().map(x => x.toFixed(2)).join(' ')
const log = (s: string): void => { console.error(s) }

/** Starts one instance; resolves once the launch call has returned. */
type Launcher = () => Instance | Promise<Instance>

interface Result {
  n: number
  window: number
  failed: number
  /** First launch call -> the N-th call returned, ms (includes waiting for a place in the window). */
  launchWallMs: number
  /** Time spent inside the launch calls, per call, ms. */
  call: number[]
  /** Launch call (start) -> 'running', per instance, ms. */
  toRunning: number[]
  /** First launch call -> the last 'running', ms. */
  runningWallMs: number
  /** The first `window` launches (a burst: none has exited yet, none waited for a place): first call -> the last of them running, ms. */
  burstMs: number
  /** This process's CPU time over the part, ms (user + system, all threads). */
  cpuMs: number
  firstError?: string
  /** Instances killed by the watchdog (not ended STALL_MS after launch): what they were. */
  stalled: string[]
}

/** Launch `n` instances, at most `window` alive at a time; each one's stdin is closed once it runs. */
async function measure (launch: Launcher, n: number, window: number): Promise<Result> {
  const call: number[] = []
  const toRunning: number[] = []
  let failed = 0
  let firstError: string | undefined
  let alive = 0
  let freed: (() => void) | undefined
  let lastRunning = 0
  let burstEnd = 0
  const stalled: string[] = []
  const ended: Array<Promise<unknown>> = []
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let lastReturn = t0
  for (let i = 0; i < n; i++) {
    while (alive >= window) await new Promise<void>(resolve => { freed = resolve })
    const a = performance.now()
    let inst: Instance
    try {
      inst = await launch()
    } catch (err) {
      failed++
      firstError ??= (err as Error).message
      continue
    }
    const b = performance.now()
    lastReturn = b
    call.push(b - a)
    alive++
    let ran = false
    inst.once('running', () => {
      const t = performance.now()
      ran = true
      toRunning.push(t - a)
      lastRunning = t
      if (i < window) burstEnd = Math.max(burstEnd, t)
      inst.end()
    })
    const watchdog = setTimeout(() => {
      const phase = (inst as Instance & { phase?: string }).phase
      stalled.push(`#${i} ${ran ? 'running' : 'never running'}, state ${inst.status.state}${phase != null ? ', phase ' + phase : ''}`)
      log(`stalled: ${stalled[stalled.length - 1]}`)
      void inst.kill()
    }, STALL_MS)
    ended.push(inst.wait().then(s => {
      clearTimeout(watchdog)
      if (!ran) { failed++; firstError ??= `ended ${s.state} before running: ${s.error ?? s.cause ?? ''}` }
      alive--
      const f = freed
      freed = undefined
      f?.()
    }))
    // let the event loop in now and then, as a real caller would
    if ((i & 63) === 63) await new Promise(resolve => setImmediate(resolve))
  }
  await Promise.all(ended)
  const cpu = process.cpuUsage(cpu0)
  return { n, window, failed, launchWallMs: lastReturn - t0, call, toRunning, runningWallMs: lastRunning - t0, burstMs: burstEnd - t0, cpuMs: (cpu.user + cpu.system) / 1000, firstError, stalled }
}

interface Part { name: string, windowed: Result, single: Result, loadBefore: string, loadAfter: string }

/** One scenario: the windowed run and the one-at-a-time run. */
async function part (name: string, launch: Launcher): Promise<Part> {
  const loadBefore = load()
  log(`${name}: ${N} launches, window ${WINDOW} (load ${loadBefore})`)
  const windowed = await measure(launch, N, WINDOW)
  log(`${name}: ${windowed.toRunning.length} running at ${(windowed.toRunning.length / windowed.runningWallMs * 1000).toFixed(0)}/s, ${windowed.failed} failed${windowed.firstError != null ? ' (' + windowed.firstError + ')' : ''}`)
  const single = await measure(launch, SINGLE, 1)
  log(`${name}: ${SINGLE} one at a time, p50 ${pct(single.toRunning, 0.5).toFixed(2)} ms`)
  for (const r of [windowed, single]) if (r.stalled.length > 0) notes.push(`${name}${r === single ? ', one at a time' : ''}: ${r.stalled.length} stalled (killed after ${STALL_MS} ms): ${r.stalled.slice(0, 5).join('; ')}`)
  return { name, windowed, single, loadBefore, loadAfter: load() }
}

/** Start `count` spinners; resolves once all are running. */
async function spinners (launch: () => Instance | Promise<Instance>, count: number): Promise<Instance[]> {
  const out: Instance[] = []
  for (let i = 0; i < count; i++) {
    const inst = await launch()
    await new Promise<void>((resolve, reject) => {
      inst.once('running', () => { resolve() })
      void inst.wait().then(s => { reject(new Error(`spinner ended: ${s.state} ${s.error ?? s.cause ?? ''}`)) })
    })
    out.push(inst)
  }
  await sleep(200) // spinning, not just instantiated
  return out
}

async function killAll (insts: Instance[]): Promise<string> {
  const still = insts.filter(i => i.status.state === 'running').length
  await Promise.all(insts.map(async i => await i.kill()))
  return `${still} of ${insts.length} spinners still running at the end`
}

/** Idle, under load, idle again, with one launcher. */
async function scenarios (level: string, launch: Launcher, launchSpin: Launcher, workersOf?: (i: Instance) => string): Promise<{ parts: Part[], notes: string[] }> {
  const notes: string[] = []
  // warm: workers booted, the instantiate path and this code hot; not counted
  await measure(launch, Math.min(200, N), Math.min(50, WINDOW))
  const idle = await part(`${level}, idle`, launch)
  const spinning = await spinners(launchSpin, SPINNERS)
  if (workersOf != null) notes.push(`${level}: spinners on worker threads ${spinning.map(workersOf).join(', ')}`)
  const loaded = await part(`${level}, under load (${SPINNERS} spinners)`, launch)
  notes.push(`${level}: ${await killAll(spinning)}`)
  const again = await part(`${level}, idle again`, launch)
  return { parts: [idle, loaded, again], notes }
}

function ms (x: number): string { return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0) }
function ratio (x: number, base: number): string { return (x / base).toFixed(2) }

function table (level: string, parts: Part[]): void {
  const [base] = parts
  const rate = (r: Result): number => r.toRunning.length / (r.runningWallMs / 1000)
  const callRate = (r: Result): number => r.call.length / (r.call.reduce((a, b) => a + b, 0) / 1000)
  console.log(`\n### ${level}: ${N.toLocaleString('en')} launches of cat.wasm, at most ${WINDOW} alive; then ${SINGLE} one at a time\n`)
  console.log('| scenario | failed | launch calls: N-th returned after | inside the calls: total, per call p50 / p99 | launch -> running p50 / p99 / max | reach running: rate | the first W (a burst): rate | one at a time: launch -> running p50 / p99 / max | process CPU | loadavg before -> after |')
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const p of parts) {
    const w = p.windowed
    const s = p.single
    console.log(`| ${p.name} | ${w.failed + s.failed}${w.stalled.length + s.stalled.length > 0 ? `, ${w.stalled.length + s.stalled.length} stalled (see below)` : ''}${w.firstError != null || s.firstError != null ? ' (' + (w.firstError ?? s.firstError ?? '') + ')' : ''} | ${ms(w.launchWallMs)} ms | ${ms(w.call.reduce((a, b) => a + b, 0))} ms (${callRate(w).toFixed(0)}/s), ${(pct(w.call, 0.5) * 1000).toFixed(0)} / ${(pct(w.call, 0.99) * 1000).toFixed(0)} us | ${ms(pct(w.toRunning, 0.5))} / ${ms(pct(w.toRunning, 0.99))} / ${ms(Math.max(...w.toRunning))} ms | ${rate(w).toFixed(0)}/s (${ms(w.runningWallMs)} ms) | ${(Math.min(w.window, w.n) / (w.burstMs / 1000)).toFixed(0)}/s (${ms(w.burstMs)} ms) | ${ms(pct(s.toRunning, 0.5))} / ${ms(pct(s.toRunning, 0.99))} / ${ms(Math.max(...s.toRunning))} ms | ${(w.cpuMs / 1000).toFixed(1)} s | ${p.loadBefore} -> ${p.loadAfter} |`)
  }
  console.log(`\nratios against "${base.name}" (same run):\n`)
  console.log('| scenario | reach-running rate | burst rate | launch -> running p50 | p99 | inside the calls, per call p50 | one at a time p50 | p99 |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const p of parts.slice(1)) {
    const w = p.windowed
    const s = p.single
    console.log(`| ${p.name} | ${ratio(rate(w), rate(base.windowed))} | ${ratio(base.windowed.burstMs, w.burstMs)} | ${ratio(pct(w.toRunning, 0.5), pct(base.windowed.toRunning, 0.5))} | ${ratio(pct(w.toRunning, 0.99), pct(base.windowed.toRunning, 0.99))} | ${ratio(pct(w.call, 0.5), pct(base.windowed.call, 0.5))} | ${ratio(pct(s.toRunning, 0.5), pct(base.single.toRunning, 0.5))} | ${ratio(pct(s.toRunning, 0.99), pct(base.single.toRunning, 0.99))} |`)
  }
}

const notes: string[] = []
const results: Array<[string, Part[]]> = []

// ---- executor level ---------------------------------------------------------
{
  const cacheDir = tempDir('gate-launch-cache-')
  const ex = new Executor({ cacheDir, workers: WORKERS })
  await ex.start()
  const cm = await ex.compile(cat)
  const cms = await ex.compile(spin)
  const r = await scenarios('executor', () => ex.launch(cm, { limits: { memoryPages: PAGES } }), () => ex.launch(cms, { limits: { memoryPages: PAGES } }), i => String(i.worker.worker.threadId))
  notes.push(...r.notes, `executor: stats() at the end ${JSON.stringify(ex.stats())}`)
  results.push(['executor (Executor.launch)', r.parts])
  await ex.stop()
  rmSync(cacheDir, { recursive: true, force: true })
}

// ---- node level -------------------------------------------------------------
if (NODE) {
  const dir = tempDir('gate-launch-node-')
  try {
    const node = new GateNode({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], executor: { workers: WORKERS } })
    await node.start()
    const self = node.self
    const run = async (module: Uint8Array): Promise<Instance> => {
      const m = await node.run(self, { module, transient: true, memoryPages: PAGES })
      if (m.instance == null) throw new Error(`instance ${m.id} is ${m.status.state}`)
      return m.instance
    }
    const r = await scenarios('node', async () => await run(cat), async () => await run(spin))
    notes.push(...r.notes, `node: table at the end: ${node.table.inWorkers()} in workers, ${node.table.hibernated()} hibernated; executor stats() ${JSON.stringify(node.executor.stats())}`)
    results.push(['node (GateNode.run, the node\'s own deploys)', r.parts])
    await node.stop()
  } catch (err) {
    notes.push(`node level failed: ${(err as Error).stack ?? String(err)}`)
  }
  rmSync(dir, { recursive: true, force: true })
} else notes.push('node level not run (--no-node)')

const c = cpus()
console.log(`\nlaunch benchmark: ${c.length} cores (${c[0]?.model ?? '?'}), Node ${process.version}, ${WORKERS} workers; N=${N}, window ${WINDOW}, ${SINGLE} one at a time, ${SPINNERS} spinners (spin.wasm) for "under load"; cat.wasm ${PAGES} pages max memory, module cached and compiled before timing; loadavg at the end ${load()}`)
for (const [level, parts] of results) table(level, parts)
console.log()
for (const n of notes) console.log(`- ${n}`)
process.exit(0)
