// Density benchmark (not CI): how many idle instances one executor holds.
// N instances of testprogs/cat (blocked on stdin, launched through the
// Executor API) with hibernation after --after ms (default 50) into a
// MemoryBlockstore (--store fs: an FsBlockstore in a temp dir): launch rate,
// RSS per instance live and hibernated, blockstore bytes per hibernated
// instance (identical chunks are shared), wake-on-input latency over 1000
// random instances; then without hibernation, how many launches succeed
// before V8 cannot reserve another wasm memory (capped by --cap), and the RSS
// per live instance there. All figures from this run. Each part runs in a
// process of its own (figures of one do not include another's leftovers);
// the hibernation part runs twice: with glibc malloc's defaults, and with
// MALLOC_MMAP_THRESHOLD_=131072 (a fixed threshold: the 1.2 MiB buffers a
// capture copies memory into are mmap'd and given back when freed; by
// default the threshold grows past their size and freed buffers stay in the
// arenas as RSS).
// Run: PATH=$PWD/node_modules/.bin:$PATH node dist/bench/density.js [N] [--after 50] [--store mem|fs] [--cap 8000] [--workers 2]
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, statSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Executor, HibernatingInstance, type Instance } from '../executor/index.js'
import { FsBlockstore, MemoryBlockstore, type Blockstore } from '../executor/snapshot/blockstore.js'
import { tempDir } from '../test/helpers.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const ARGS = parseArgs({ allowPositionals: true, options: { after: { type: 'string' }, store: { type: 'string' }, cap: { type: 'string' }, workers: { type: 'string' }, window: { type: 'string' }, phase: { type: 'string' } } })
const N = Number(ARGS.positionals[0] ?? 20000)
const AFTER = Number(ARGS.values.after ?? 50)
const STORE = ARGS.values.store ?? 'mem'
const CAP = Number(ARGS.values.cap ?? 8000)
const WORKERS = Number(ARGS.values.workers ?? 2)
/** Instances in workers at most while launching (each reserves address space for two memories). */
const WINDOW = Number(ARGS.values.window ?? 2000)
const WAKES = Math.min(1000, N)

const ROOT = join(import.meta.dirname, '../..')
const cat = new Uint8Array(readFileSync(join(ROOT, 'build/testprogs/cat.wasm')))
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))
const rss = (): number => { gc(); return process.memoryUsage().rss }
const kib = (b: number): string => (b / 1024).toFixed(1)
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] }

function storeBytes (store: Blockstore, dir?: string): { blocks: number, bytes: number } {
  if (store instanceof MemoryBlockstore) {
    let bytes = 0
    for (const b of store.blocks.values()) bytes += b.byteLength
    return { blocks: store.blocks.size, bytes }
  }
  let bytes = 0
  const names = readdirSync(dir!)
  for (const n of names) bytes += statSync(join(dir!, n)).size
  return { blocks: names.length, bytes }
}

async function hibernating (): Promise<void> {
  const dir = STORE === 'fs' ? tempDir('gate-density-store-') : undefined
  const store: Blockstore = dir != null ? new FsBlockstore(dir) : new MemoryBlockstore()
  const ex = new Executor({ cacheDir: tempDir('gate-cache-'), workers: WORKERS, hibernate: { afterMs: AFTER, store } })
  await ex.start()
  const cm = await ex.compile(cat)
  // one instance through a whole cycle first: workers warm, the module compiled
  const warm = ex.launch(cm) as HibernatingInstance
  while (warm.phase !== 'hibernated') await sleep(5)
  await warm.kill()
  const base = rss()
  const insts: HibernatingInstance[] = []
  const t0 = performance.now()
  let failed = 0
  for (let i = 0; i < N; i++) {
    while (ex.stats().live >= WINDOW) await sleep(1)
    const inst = ex.launch(cm) as HibernatingInstance
    void inst.wait().then(s => { if (s.state !== 'running' && s.state !== 'suspended' && insts.length < N) failed++ })
    insts.push(inst)
    if ((i & 255) === 255) await new Promise(resolve => setImmediate(resolve))
  }
  const launchedS = (performance.now() - t0) / 1000
  while (ex.stats().hibernated + failed < N) await sleep(5)
  const allS = (performance.now() - t0) / 1000
  await sleep(200)
  const after = rss()
  const sb = storeBytes(store, dir)
  console.log(`hibernation (malloc: ${process.env.MALLOC_MMAP_THRESHOLD_ != null ? 'MALLOC_MMAP_THRESHOLD_=' + process.env.MALLOC_MMAP_THRESHOLD_ : 'glibc defaults'}) after ${AFTER} ms, ${WORKERS} workers, at most ${WINDOW} instances in workers while launching, store: ${dir != null ? 'FsBlockstore (' + dir + ')' : 'MemoryBlockstore'}\n`)
  console.log('| figure | value |')
  console.log('|---|---|')
  console.log(`| instances launched | ${N.toLocaleString('en')} (${failed} failed) |`)
  console.log(`| launch rate | ${(N / launchedS).toFixed(0)} instances/s (${launchedS.toFixed(1)} s) |`)
  console.log(`| launch to all hibernated | ${allS.toFixed(1)} s (${(N / allS).toFixed(0)} instances/s) |`)
  console.log(`| RSS per hibernated instance | ${kib((after - base) / N)} KiB (process RSS ${(after / 2 ** 20).toFixed(0)} MiB, ${(base / 2 ** 20).toFixed(0)} MiB before) |`)
  console.log(`| blockstore per hibernated instance | ${kib(sb.bytes / N)} KiB (${sb.blocks.toLocaleString('en')} blocks, ${(sb.bytes / 2 ** 20).toFixed(1)} MiB in all) |`)
  console.log(`| stats() | ${JSON.stringify(ex.stats())} |`)

  // wake on input: one random hibernated instance at a time, write to first output byte
  const lat: number[] = []
  const picked = new Set<number>()
  while (picked.size < WAKES) picked.add(Math.floor(Math.random() * N))
  for (const i of picked) {
    const inst = insts[i]
    if (inst.phase !== 'hibernated') continue
    const got = new Promise<void>(resolve => { inst.once('stdout', () => { resolve() }) })
    const w0 = performance.now()
    inst.write(new TextEncoder().encode(`ping ${i}\n`))
    await got
    lat.push(performance.now() - w0)
  }
  console.log(`| wake on input, write to output (${lat.length} random instances, one at a time) | p50 ${pct(lat, 0.5).toFixed(2)} ms, p99 ${pct(lat, 0.99).toFixed(2)} ms, max ${Math.max(...lat).toFixed(2)} ms |`)
  const k0 = performance.now()
  await Promise.all(insts.map(async i => await i.kill()))
  console.log(`| kill of all (hibernated: no worker) | ${(performance.now() - k0).toFixed(0)} ms |`)
  await ex.stop()
  if (dir != null) rmSync(dir, { recursive: true, force: true })
}

async function plain (): Promise<void> {
  const ex = new Executor({ cacheDir: tempDir('gate-cache-'), workers: WORKERS })
  await ex.start()
  const cm = await ex.compile(cat)
  const w = ex.launch(cm)
  await new Promise(resolve => w.once('running', resolve))
  await w.kill()
  const base = rss()
  const insts: Instance[] = []
  let ok = 0
  let failure: string | undefined
  const t0 = performance.now()
  const BATCH = 250
  while (insts.length < CAP && failure == null) {
    const batch: Array<Promise<void>> = []
    for (let i = 0; i < BATCH && insts.length < CAP; i++) {
      const inst = ex.launch(cm)
      insts.push(inst)
      batch.push(new Promise<void>(resolve => {
        inst.once('running', () => { ok++; resolve() })
        void inst.wait().then(s => { if (s.state === 'killed') failure ??= `launch ${insts.indexOf(inst) + 1}: ${s.error ?? s.cause}`; resolve() })
      }))
    }
    await Promise.all(batch)
  }
  const s = (performance.now() - t0) / 1000
  const live = insts.filter(i => i.status.state === 'running').length
  const after = rss()
  console.log(`without hibernation (cap ${CAP.toLocaleString('en')}):\n`)
  console.log('| figure | value |')
  console.log('|---|---|')
  console.log(`| launches that succeeded | ${ok.toLocaleString('en')}${failure != null ? '' : ' (the cap)'} |`)
  console.log(`| first failure | ${failure ?? 'none'} |`)
  console.log(`| launch rate | ${(insts.length / s).toFixed(0)} instances/s |`)
  console.log(`| RSS per live instance | ${kib((after - base) / Math.max(1, live))} KiB (${live.toLocaleString('en')} live) |`)
  await Promise.all(insts.map(async i => await i.kill()))
  await ex.stop()
}

if (ARGS.values.phase === 'hib') await hibernating()
else if (ARGS.values.phase === 'plain') await plain()
else {
  const self = process.argv.slice(1).filter(a => !a.startsWith('--phase'))
  for (const [phase, env] of [['hib', {}], ['hib', { MALLOC_MMAP_THRESHOLD_: '131072' }], ['plain', {}]] as const) {
    const r = spawnSync(process.execPath, [...self, '--phase', phase], { stdio: 'inherit', env: { ...process.env, ...env } })
    if (r.status !== 0) console.log(`(${phase} part ended with ${r.status ?? r.signal})`)
    console.log()
  }
}
process.exit(0)
