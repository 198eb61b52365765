// Density on a node (not CI): N idle instances of testprogs/cat (blocked on
// stdin) launched through GateNode.run in one node process (real libp2p
// node on 127.0.0.1, its FsBlockstore on disk), hibernated after --after ms
// (default 50). Figures: launch rate, process RSS and RSS per instance,
// blockstore bytes on disk, wake on input (write a line, wait for its echo,
// check it) over 1000 random instances one at a time, and after a node
// restart: stop and start times, how many are hibernated again (none in a
// worker), RSS, and the same wake figures. The process runs with glibc's
// malloc defaults; --mmap-threshold N sets MALLOC_MMAP_THRESHOLD_=N for it
// (doc/rationale.md, "Why hibernate idle instances, and how").
// --profile-wakes FILE writes a CPU profile of the main thread over the
// first round of wakes, and FILE.heapprofile of what it allocated meanwhile
// (open them in Chrome's DevTools).
// Run: PATH=$PWD/node_modules/.bin:$PATH node dist/bench/node-density.js [N] [--after 50] [--window 1000] [--wakes 1000] [--profile-wakes FILE]
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { GateNode } from '../node/node.js'
import type { Managed } from '../node/instances.js'
import { tempDir } from '../test/helpers.js'

const ARGS = parseArgs({ allowPositionals: true, options: { after: { type: 'string' }, window: { type: 'string' }, wakes: { type: 'string' }, 'mmap-threshold': { type: 'string' }, 'profile-wakes': { type: 'string' }, child: { type: 'boolean' } } })
if (ARGS.values.child !== true) {
  const env = { ...process.env }
  if (ARGS.values['mmap-threshold'] != null) env.MALLOC_MMAP_THRESHOLD_ = ARGS.values['mmap-threshold']
  const r = spawnSync(process.execPath, [...process.argv.slice(1), '--child'], { stdio: 'inherit', env })
  process.exit(r.status ?? 1)
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const N = Number(ARGS.positionals[0] ?? 100000)
const AFTER = Number(ARGS.values.after ?? 50)
const WINDOW = Number(ARGS.values.window ?? 1000)
const WAKES = Math.min(Number(ARGS.values.wakes ?? 1000), N)
const ROOT = join(import.meta.dirname, '../..')
const cat = new Uint8Array(readFileSync(join(ROOT, 'build/testprogs/cat.wasm')))
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))
const mib = (b: number): string => (b / 2 ** 20).toFixed(0)
const rss = (): number => { gc(); return process.memoryUsage().rss }
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] }
const enc = new TextEncoder()

function du (dir: string): { files: number, bytes: number } {
  let files = 0
  let bytes = 0
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name)); else { files++; bytes += statSync(join(d, e.name)).size }
    }
  }
  walk(dir)
  return { files, bytes }
}

async function start (dataDir: string): Promise<GateNode> {
  const node = new GateNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], hibernateAfterMs: AFTER, executor: { workers: 2 } })
  await node.start()
  return node
}

/** Wake `count` random hibernated instances one at a time: write a line, wait for its echo. */
async function wakes (node: GateNode, ids: string[], count: number): Promise<{ lat: number[], load: number[], wrong: number, skipped: number, loop: string }> {
  // how late this thread's event loop ran meanwhile: a wake waits behind whatever holds it
  const h = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  const lat: number[] = []
  const load: number[] = []
  let wrong = 0
  let skipped = 0
  const picked = new Set<number>()
  while (picked.size < count) picked.add(Math.floor(Math.random() * ids.length))
  for (const i of picked) {
    const m = node.table.get(ids[i])
    if (m?.instance == null || !m.hibernated) { skipped++; continue }
    const line = `wake ${i} ${ids[i]}\n`
    let got = ''
    const done = new Promise<void>(resolve => {
      const on = (d: Uint8Array): void => { got += Buffer.from(d).toString(); if (got.length >= line.length) { m.instance?.off('stdout', on); resolve() } }
      m.instance!.on('stdout', on)
    })
    // 'waking' -> 'running': the snapshot read from the store; the rest is the worker's restore and the echo
    let wakingAt = 0
    const phase = (p: string): void => { if (p === 'waking') wakingAt = performance.now(); else if (p === 'running' && wakingAt > 0) { load.push(performance.now() - wakingAt) } }
    m.instance.on('phase', phase)
    const t0 = performance.now()
    m.instance.write(enc.encode(line))
    await done
    lat.push(performance.now() - t0)
    m.instance?.off('phase', phase)
    if (got !== line) wrong++
  }
  h.disable()
  return { lat, load, wrong, skipped, loop: `event-loop delay p50 ${(h.percentile(50) / 1e6).toFixed(1)}, p99 ${(h.percentile(99) / 1e6).toFixed(1)}, max ${(h.max / 1e6).toFixed(1)} ms` }
}

const dir = tempDir('gate-node-density-')
const rows: Array<[string, string]> = []
const row = (k: string, v: string): void => { rows.push([k, v]); console.error(`${k}: ${v}`) }

let node = await start(dir)
const self = node.peerId.toString()
// warm: the module compiled and in the module store, workers warm
const warm = await node.run(self, { module: cat, transient: true, memoryPages: 32 })
await node.kill(warm.id)
const base = rss()
row('node before launches', `RSS ${mib(base)} MiB`)

const ids: string[] = []
const t0 = performance.now()
let failed = 0
for (let i = 0; i < N; i++) {
  while (node.table.inWorkers() >= WINDOW) await sleep(1)
  try {
    const m: Managed = await node.run(self, { module: cat, transient: false, memoryPages: 32 })
    ids.push(m.id)
  } catch (err) {
    if (failed++ === 0) console.error('launch failed:', (err as Error).message)
  }
  if (i % 10000 === 9999) console.error(`${i + 1} launched, ${node.table.hibernated()} hibernated, RSS ${mib(process.memoryUsage().rss)} MiB, ${((i + 1) / ((performance.now() - t0) / 1000)).toFixed(0)}/s`)
}
const launchS = (performance.now() - t0) / 1000
while (node.table.hibernated() < ids.length) await sleep(20)
const allS = (performance.now() - t0) / 1000
await sleep(500)
const held = rss()
row('instances launched (GateNode.run, the owner\'s deploys)', `${ids.length.toLocaleString('en')} (${failed} failed)`)
row('launch rate', `${(ids.length / launchS).toFixed(0)} instances/s (${launchS.toFixed(0)} s); all hibernated after ${allS.toFixed(0)} s`)
row('process RSS with all hibernated', `${mib(held)} MiB (${((held - base) / ids.length / 1024).toFixed(1)} KiB per instance over the ${mib(base)} MiB before)`)
const st = du(join(dir, 'blocks'))
row('blockstore on disk', `${(st.bytes / 2 ** 20).toFixed(0)} MiB in ${st.files.toLocaleString('en')} files (${(st.bytes / ids.length / 1024).toFixed(1)} KiB per instance)`)
row('node figures', JSON.stringify({ inWorkers: node.table.inWorkers(), hibernated: node.table.hibernated(), committedMiB: Number(mib(node.admission.memory.committedBytes)), executor: node.executor.stats() }))

// --profile-wakes FILE: a CPU profile of this thread over the first wakes (inspector), for finding what a slow wake spends
const profile = ARGS.values['profile-wakes']
const session = profile != null ? new Session() : undefined
const post = async (method: string, params?: object): Promise<any> => await new Promise((resolve, reject) => { session!.post(method, params, (err, r) => { if (err != null) reject(err); else resolve(r) }) })
if (session != null) {
  session.connect()
  await post('Profiler.enable'); await post('Profiler.setSamplingInterval', { interval: 200 }); await post('Profiler.start')
  // and what is allocated, collected or not (FILE.heapprofile)
  await post('HeapProfiler.enable'); await post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
}
let w = await wakes(node, ids, WAKES)
if (session != null) {
  writeFileSync(profile!, JSON.stringify((await post('Profiler.stop')).profile))
  writeFileSync(`${profile!}.heapprofile`, JSON.stringify((await post('HeapProfiler.stopSampling')).profile))
  session.disconnect()
}
row(`wake on input, write to echo (${w.lat.length} random instances, one at a time)`, `p50 ${pct(w.lat, 0.5).toFixed(2)} ms, p99 ${pct(w.lat, 0.99).toFixed(2)} ms, max ${Math.max(...w.lat).toFixed(1)} ms (of which the read from the store p50 ${pct(w.load, 0.5).toFixed(2)}, p99 ${pct(w.load, 0.99).toFixed(2)} ms; ${w.loop}); ${w.wrong} wrong answers, ${w.skipped} not hibernated when picked`)
while (node.table.hibernated() < ids.length) await sleep(20)

let s0 = performance.now()
await node.stop()
row('node stop (records every hibernated instance)', `${((performance.now() - s0) / 1000).toFixed(1)} s`)
s0 = performance.now()
node = await start(dir)
const startS = (performance.now() - s0) / 1000
const back = ids.filter(id => node.table.get(id)?.hibernated === true).length
row('node start (adopts them hibernated)', `${startS.toFixed(1)} s; ${back.toLocaleString('en')} of ${ids.length.toLocaleString('en')} hibernated again, ${node.executor.stats().live} in workers`)
await sleep(500)
const after = rss()
row('process RSS after the restart', `${mib(after)} MiB`)
w = await wakes(node, ids, WAKES)
row(`after the restart: wake on input (${w.lat.length} random instances)`, `p50 ${pct(w.lat, 0.5).toFixed(2)} ms, p99 ${pct(w.lat, 0.99).toFixed(2)} ms, max ${Math.max(...w.lat).toFixed(1)} ms (read from the store p50 ${pct(w.load, 0.5).toFixed(2)}, p99 ${pct(w.load, 0.99).toFixed(2)} ms; ${w.loop}); ${w.wrong} wrong answers, ${w.skipped} not hibernated when picked`)
await node.stop()
rmSync(dir, { recursive: true, force: true })

console.log(`\nnode density: ${N.toLocaleString('en')} idle cat.wasm, hibernation after ${AFTER} ms, at most ${WINDOW} in workers while launching, 2 workers, malloc: ${process.env.MALLOC_MMAP_THRESHOLD_ != null ? `MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_}` : 'glibc defaults'}\n`)
console.log('| figure | value |')
console.log('|---|---|')
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`)
process.exit(0)
