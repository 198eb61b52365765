// Scale check (not CI, run by hand): local testnets of 3 (the baseline), 20
// and 50 `gate node start` processes on 127.0.0.1, one OS process each,
// node 1 the bootstrap node. Per size: startup time; how long a new node
// takes from its spawn to finding a service another node advertises; DHT
// lookup rate and latency from one node (hits and misses, sequential and 8
// at once), timed at the control API, not through a CLI process per lookup;
// RSS of every node. Run: npm run bench:scale [-- [--concurrency 4] 3 20 50]
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ControlClient } from '../cli/client.js'
import { LocalTestnet, bootstrapAddrs, type TestnetEvent } from '../testnet/local.js'
import { spawnNode, stopProcess } from '../testnet/process.js'

const ARGS = parseArgs({ allowPositionals: true, options: { concurrency: { type: 'string' } } })
const SIZES = ARGS.positionals.map(Number).filter(n => n > 0)
if (SIZES.length === 0) SIZES.push(3, 20, 50)
/** Nodes started at once by LocalTestnet.up after the bootstrap node. */
const CONCURRENCY = Number(ARGS.values.concurrency ?? 4)
/** Idle window over which the nodes' CPU use is sampled. */
const IDLE_MS = 10_000
/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat. */
const CLK_TCK = 100
/** Service names advertised per testnet (by nodes other than the lookup node, node 2). */
const NAMES = 16
/** Names the new node looks up once it is up (CLI semantics: limit 20). */
const FIND_NAMES = 7
const HIT_SEQ = 100
const HIT_CONC = 200
const MISS_SEQ = 30
const MISS_CONC = 80
const WIDTH = 8
const START_TIMEOUT_MS = 180_000
const LOOKUP_TIMEOUT_MS = 10_000
/** A lookup phase stops early after this long. */
const PHASE_MS = 60_000
/** The new node must find the advertiser within this long after its spawn. */
const NEW_NODE_FIND_MS = 90_000
/** Stop (and take the testnet down) when the machine has less memory available than this. */
const MIN_AVAILABLE_KIB = 1536 * 1024

interface Lookups { count: number, seconds: number, ms: number[], failed: number, why: string[] }
interface NewNode { startedMs: number, foundMs: number, attempts: number, peers: number, findMs: number[], findMissed: number }
interface Result {
  n: number
  startupS: number
  startMs: number[]
  warnings: string[]
  advertiseMs: number[]
  fresh?: NewNode
  freshError?: string
  apiMs: number[]
  hitSeq: Lookups
  hitConc: Lookups
  missSeq: Lookups
  missConc: Lookups
  idleCpuPct: number[]
  rssKiB: number[]
  pssKiB: number[]
  peers: number[]
  load: [number, number]
}

const stop = new AbortController()
let interrupts = 0
process.on('SIGINT', () => {
  // the first ^C stops the phases and takes the testnet down in the finally below
  if (++interrupts > 1) { console.error('scale: second interrupt, exiting; node processes may be left (gate testnet down --testnet-dir <dir>)'); process.exit(130) }
  console.error('scale: interrupted, stopping the testnet')
  stop.abort()
})

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b)
/** Nearest-rank percentile; NaN for no samples. */
const pct = (xs: number[], p: number): number => { const s = sorted(xs); return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(p / 100 * s.length) - 1))] }
const median = (xs: number[]): number => pct(xs, 50)
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
let stopReason = 'interrupted'
const checkStop = (): void => { if (stop.signal.aborted) throw new Error(stopReason) }

/** A `<key>: <n> kB` line of a /proc file, in KiB (NaN if absent). */
async function procKiB (path: string, key: string): Promise<number> {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(await readFile(path, 'utf8').catch(() => ''))
  return m == null ? NaN : Number(m[1])
}

/** CPU seconds (user + system) pid has used so far. */
async function cpuSeconds (pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) / CLK_TCK
}

/**
 * Node processes whose data dir is under `root` that are still alive
 * (LocalTestnet.up can leave some behind when it fails): stopped.
 */
async function reap (root: string): Promise<number> {
  const left: Array<{ pid: number, dataDir: string }> = []
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue
    const cmd = (await readFile(`/proc/${e}/cmdline`, 'utf8').catch(() => '')).split('\0')
    const i = cmd.indexOf('--data-dir')
    if (i >= 0 && cmd[i + 1]?.startsWith(root + '/') === true && cmd.includes('node')) left.push({ pid: Number(e), dataDir: cmd[i + 1] })
  }
  await Promise.all(left.map(async x => { await stopProcess(x.pid, x.dataDir, 'SIGTERM') }))
  return left.length
}

/**
 * At 50 nodes the testnet needs most of the machine's memory; other
 * engineers' tests share it, so give up before the OOM killer picks one.
 */
function memoryGuard (): NodeJS.Timeout {
  const t = setInterval(() => {
    void procKiB('/proc/meminfo', 'MemAvailable').then(kib => {
      if (kib < MIN_AVAILABLE_KIB && !stop.signal.aborted) {
        stopReason = `memory guard: only ${(kib / 1024).toFixed(0)} MiB available`
        console.error(`scale: ${stopReason}, stopping`)
        stop.abort()
      }
    })
  }, 500)
  t.unref()
  return t
}

/** `count` lookups from `c`, `width` at a time; a hit must list a provider. */
async function lookups (c: ControlClient, names: string[], count: number, width: number, hit: boolean): Promise<Lookups> {
  const ms: number[] = []
  let failed = 0
  let next = 0
  const why: string[] = []
  const t0 = performance.now()
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count && performance.now() - t0 < PHASE_MS && !stop.signal.aborted) {
      const name = names[next++ % names.length]
      const t = performance.now()
      // limit 1: a hit ends at the first provider; without it a hit walks as far as a miss
      const r = await c.json('GET', 'services', { name, limit: '1', 'timeout-ms': String(LOOKUP_TIMEOUT_MS) }).catch((err: Error) => err)
      ms.push(performance.now() - t)
      const bad = r instanceof Error ? r.message : hit && r.providers.length === 0 ? `no provider of ${name}` : undefined
      if (bad != null) { failed++; if (why.length < 3) why.push(`${bad} (${(performance.now() - t).toFixed(0)} ms)`) }
    }
  }))
  return { count: ms.length, seconds: (performance.now() - t0) / 1000, ms, failed, why }
}

/**
 * A node that is not part of the testnet state: spawned with a fresh data
 * dir, joining via node 1, polling `services find <name>` (as the CLI asks
 * it) until `advertiser` is listed; then the find latency alone.
 */
async function newNode (tn: LocalTestnet, name: string, advertiser: string, findNames: string[], providerOf: Map<string, string>): Promise<NewNode> {
  const dataDir = join(tn.dir, 'new')
  await mkdir(dataDir, { recursive: true })
  const args = ['--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws', ...bootstrapAddrs(tn.node(1)).flatMap(a => ['--bootstrap', a])]
  const t0 = performance.now()
  const s = await spawnNode({ args, log: join(tn.dir, 'new.log'), timeoutMs: START_TIMEOUT_MS, signal: stop.signal })
  try {
    const startedMs = performance.now() - t0
    const c = await ControlClient.open(dataDir)
    let attempts = 0
    for (;;) {
      checkStop()
      attempts++
      const r = await c.json('GET', 'services', { name, 'timeout-ms': '5000' }).catch(() => ({ providers: [] }))
      if (r.providers.some((p: any) => p.peerId === advertiser)) break
      if (performance.now() - t0 > NEW_NODE_FIND_MS) throw new Error(`the new node did not find ${name} (offered by ${advertiser}) in ${NEW_NODE_FIND_MS / 1000} s, ${attempts} attempts`)
      await sleep(100)
    }
    const foundMs = performance.now() - t0
    const peers = (await c.json('GET', 'peers')).peers.length
    const findMs: number[] = []
    let findMissed = 0
    for (const nm of findNames) {
      checkStop()
      const t = performance.now()
      const r = await c.json('GET', 'services', { name: nm, 'timeout-ms': String(LOOKUP_TIMEOUT_MS) }).catch(() => ({ providers: [] }))
      findMs.push(performance.now() - t)
      if (!r.providers.some((p: any) => p.peerId === providerOf.get(nm))) findMissed++
    }
    return { startedMs, foundMs, attempts, peers, findMs, findMissed }
  } finally {
    await stopProcess(s.pid, dataDir, 'SIGTERM')
  }
}

async function measure (n: number, dir: string): Promise<Result> {
  const startMs: number[] = []
  const warnings: string[] = []
  const onEvent = (e: TestnetEvent): void => {
    if (e.type === 'testnet:node:started') startMs.push(e.ms)
    if (e.type === 'testnet:warning') { warnings.push(e.message); console.error(`  warning: ${e.message}`) }
  }
  const loadBefore = loadavg()[0]
  const t0 = performance.now()
  const tn = await LocalTestnet.up({ dir, nodes: n, concurrency: CONCURRENCY, startTimeoutMs: START_TIMEOUT_MS, signal: stop.signal, onEvent })
  try {
    const startupS = (performance.now() - t0) / 1000
    console.error(`  ${n} nodes up in ${startupS.toFixed(1)} s`)
    const clients = await Promise.all(tn.nodes.map(async x => await ControlClient.open(x.dataDir)))
    // node 2 looks up, the others advertise (the last node first: the new node looks for its name)
    const advertisers = tn.nodes.filter(x => x.index !== 2).reverse()
    const names = Array.from({ length: NAMES }, (_, j) => `scale-${n}-${j}`)
    const providerOf = new Map<string, string>()
    const advertiseMs: number[] = []
    let next = 0
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let j = next++; j < NAMES && !stop.signal.aborted; j = next++) {
        const a = advertisers[j % advertisers.length]
        const t = performance.now()
        await clients[a.index - 1].json('POST', 'services', { action: 'advertise', name: names[j] })
        advertiseMs.push(performance.now() - t)
        providerOf.set(names[j], a.peerId)
      }
    }))
    checkStop()
    console.error(`  ${NAMES} names advertised (median ${median(advertiseMs).toFixed(0)} ms each)`)

    let fresh: NewNode | undefined
    let freshError: string | undefined
    try {
      fresh = await newNode(tn, names[0], advertisers[0].peerId, names.slice(1, 1 + FIND_NAMES), providerOf)
      console.error(`  new node: started ${fresh.startedMs.toFixed(0)} ms, found ${names[0]} at ${fresh.foundMs.toFixed(0)} ms`)
    } catch (err) {
      freshError = (err as Error).message
      console.error(`  new node failed: ${freshError}`)
    }

    const cpu0 = await Promise.all(tn.nodes.map(async x => await cpuSeconds(x.pid)))
    await sleep(IDLE_MS)
    checkStop()
    const cpu1 = await Promise.all(tn.nodes.map(async x => await cpuSeconds(x.pid)))
    const idleCpuPct = cpu1.map((x, j) => (x - cpu0[j]) / (IDLE_MS / 1000) * 100)
    console.error(`  idle CPU per node: median ${median(idleCpuPct).toFixed(1)} %, total ${sum(idleCpuPct).toFixed(0)} % of one core`)
    const c = clients[1]
    // the control API's own cost (HTTP, signed token, no DHT): the floor under every lookup
    const apiMs: number[] = []
    for (let j = 0; j < 30; j++) { const t = performance.now(); await c.json('GET', 'services'); apiMs.push(performance.now() - t) }
    const misses = Array.from({ length: MISS_SEQ + MISS_CONC }, (_, j) => `scale-miss-${n}-${j}`)
    const hitSeq = await lookups(c, names, HIT_SEQ, 1, true)
    const hitConc = await lookups(c, names, HIT_CONC, WIDTH, true)
    const missSeq = await lookups(c, misses.slice(0, MISS_SEQ), MISS_SEQ, 1, false)
    const missConc = await lookups(c, misses.slice(MISS_SEQ), MISS_CONC, WIDTH, false)
    checkStop()
    const rss = await Promise.all(tn.nodes.map(async x => await procKiB(`/proc/${x.pid}/status`, 'VmRSS')))
    // PSS counts shared pages (the node binary, libraries) once across processes
    const pss = await Promise.all(tn.nodes.map(async x => await procKiB(`/proc/${x.pid}/smaps_rollup`, 'Pss')))
    const peers = await Promise.all(clients.map(async cl => (await cl.json('GET', 'peers').catch(() => ({ peers: [] }))).peers.length as number))
    return { n, startupS, startMs, warnings, advertiseMs, fresh, freshError, apiMs, idleCpuPct, hitSeq, hitConc, missSeq, missConc, rssKiB: rss, pssKiB: pss, peers, load: [loadBefore, loadavg()[0]] }
  } finally {
    await rm(join(dir, 'new'), { recursive: true, force: true })
    await rm(join(dir, 'new.log'), { force: true })
    await tn.down()
  }
}

const f = (x: number, d = 0): string => Number.isFinite(x) ? x.toFixed(d) : '-'
const rate = (l: Lookups): number => l.count / l.seconds
const lat = (l: Lookups): string => `${f(pct(l.ms, 50))}/${f(pct(l.ms, 95))}`

function report (results: Result[]): void {
  const cols = ['N', 'startup s', 'new-node find ms', 'find ms p50/p95', 'hit/s seq/8', 'hit ms p50/p95 seq', 'miss/s seq/8', 'miss ms p50/p95 seq', 'RSS MiB med/max', 'RSS GiB total']
  const rows = results.map(r => [
    String(r.n),
    f(r.startupS, 1),
    r.fresh != null ? f(r.fresh.foundMs) : 'failed',
    r.fresh != null ? `${f(median(r.fresh.findMs))}/${f(pct(r.fresh.findMs, 95))}` : '-',
    `${f(rate(r.hitSeq), 1)}/${f(rate(r.hitConc), 1)}`,
    lat(r.hitSeq),
    `${f(rate(r.missSeq), 1)}/${f(rate(r.missConc), 1)}`,
    lat(r.missSeq),
    `${f(median(r.rssKiB) / 1024)}/${f(Math.max(...r.rssKiB) / 1024)}`,
    f(sum(r.rssKiB) / 1024 / 1024, 2)
  ])
  const w = cols.map((c, i) => Math.max(c.length, ...rows.map(r => r[i].length)))
  const line = (xs: string[]): string => '| ' + xs.map((x, i) => x.padStart(w[i])).join(' | ') + ' |'
  console.log(`\n## Scale check: local testnet on 127.0.0.1, one process per node, started ${CONCURRENCY} at a time`)
  console.log(line(cols))
  console.log('|' + w.map(x => '-'.repeat(x + 1) + ':').join('|') + '|')
  for (const r of rows) console.log(line(r))

  console.log('\n## Details')
  for (const r of results) {
    console.log(`N=${r.n}: per-node start ms median ${f(median(r.startMs))} max ${f(Math.max(...r.startMs))}; join warnings ${r.warnings.length}; advertise ms median ${f(median(r.advertiseMs))} max ${f(Math.max(...r.advertiseMs))}`)
    if (r.fresh != null) console.log(`  new node: spawn->started ${f(r.fresh.startedMs)} ms, started->found ${f(r.fresh.foundMs - r.fresh.startedMs)} ms (${r.fresh.attempts} finds), ${r.fresh.peers} connections then; find (limit 20) ${r.fresh.findMs.map(x => f(x)).join(' ')} ms, ${r.fresh.findMissed} without the advertiser`)
    else console.log(`  new node: ${r.freshError ?? 'not run'}`)
    console.log(`  control API floor (GET services, no DHT) ms p50 ${f(median(r.apiMs), 1)} p95 ${f(pct(r.apiMs, 95), 1)}`)
    for (const [k, l] of [['hit seq', r.hitSeq], ['hit x8', r.hitConc], ['miss seq', r.missSeq], ['miss x8', r.missConc]] as const) {
      console.log(`  ${k.padEnd(8)} ${String(l.count).padStart(4)} lookups in ${f(l.seconds, 1)} s: ${f(rate(l), 1)}/s, ms p50 ${f(pct(l.ms, 50))} p95 ${f(pct(l.ms, 95))} p99 ${f(pct(l.ms, 99))} max ${f(Math.max(...l.ms))}; ${l.failed} ${k.startsWith('hit') ? 'without a provider or failed' : 'failed'}${l.why.length > 0 ? ': ' + l.why.join('; ') : ''}`)
    }
    console.log(`  memory: RSS total ${f(sum(r.rssKiB) / 1024 / 1024, 2)} GiB, PSS total ${f(sum(r.pssKiB) / 1024 / 1024, 2)} GiB (shared pages counted once), PSS per node median ${f(median(r.pssKiB) / 1024)} MiB`)
    console.log(`  idle CPU (${IDLE_MS / 1000} s, no lookups): per node median ${f(median(r.idleCpuPct), 1)} % max ${f(Math.max(...r.idleCpuPct), 1)} %, all nodes ${f(sum(r.idleCpuPct))} % of one core (the machine has 2)`)
    console.log(`  connections per node: median ${f(median(r.peers))} min ${f(Math.min(...r.peers))} max ${f(Math.max(...r.peers))}; load average ${f(r.load[0], 1)} before, ${f(r.load[1], 1)} after`)
  }

  const base = results[0]
  if (results.length < 2) return
  console.log(`\n## Ratios against N=${base.n} (same run)`)
  const ratio = (a: number, b: number): string => f(a / b, 2)
  for (const r of results.slice(1)) {
    console.log(`${r.n}/${base.n}: startup per node ${ratio(r.startupS / r.n, base.startupS / base.n)}, new-node find ${r.fresh != null && base.fresh != null ? ratio(r.fresh.foundMs, base.fresh.foundMs) : '-'}, ` +
      `find p50 ${r.fresh != null && base.fresh != null ? ratio(median(r.fresh.findMs), median(base.fresh.findMs)) : '-'}, hit p50 seq ${ratio(pct(r.hitSeq.ms, 50), pct(base.hitSeq.ms, 50))}, ` +
      `miss p50 seq ${ratio(pct(r.missSeq.ms, 50), pct(base.missSeq.ms, 50))}, hit/s x8 ${ratio(rate(r.hitConc), rate(base.hitConc))}, miss/s x8 ${ratio(rate(r.missConc), rate(base.missConc))}, ` +
      `RSS per node ${ratio(median(r.rssKiB), median(base.rssKiB))}`)
  }
}

async function main (): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'gate-scale-'))
  const results: Result[] = []
  const failures: string[] = []
  const guard = memoryGuard()
  try {
    for (const n of SIZES) {
      checkStop()
      console.error(`scale: N=${n} (load average ${f(loadavg()[0], 1)})`)
      // a size that fails (start timeout, ...) is reported and the next one still runs
      try { results.push(await measure(n, join(root, `n${n}`))) } catch (err) {
        const left = await reap(root)
        failures.push(`N=${n}: ${(err as Error).message}${left > 0 ? ` (${left} node process(es) were left running: stopped)` : ''}`)
        console.error(`scale: N=${n} failed: ${(err as Error).message}`)
      }
    }
  } finally {
    if (results.length > 0) report(results)
    for (const x of failures) console.log(`failed ${x}`)
    clearInterval(guard)
    await reap(root)
    await rm(root, { recursive: true, force: true })
  }
}

await main()
