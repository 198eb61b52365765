// Migration benchmark (not CI): for 1, 16 and 64 MiB of touched memory on
// loopback, pre-copy migration a -> b: bytes sent, total time next to the
// time raw libp2p stream throughput (measured in the same run) needs for
// those bytes, downtime, and what a migration back b -> a sends; then the
// time of each step. Every run fills its memory with its own seed, so no
// run benefits from blocks an earlier one left in a store.
// Run: npm run bench:migrate [-- <MiB> ...]
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { GateNode } from '../node/node.js'
import type { MigrateResult } from '../node/migrate.js'
import { tempDir } from '../test/helpers.js'
import { serveSink, streamMBps } from './stream.js'

const ROOT = join(import.meta.dirname, '../..')
const MIB = 1024 * 1024
/** MiB of touched memory per run; `node dist/bench/migrate.js 64` runs one size. */
const SIZES = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1, 16, 64]

async function mk (): Promise<GateNode> {
  const n = new GateNode({ dataDir: tempDir('gate-bench-'), listen: ['/ip4/127.0.0.1/tcp/0'], executor: { workers: 2 } })
  await n.start()
  return n
}

/** Launch touch and resolve once it has filled its memory. */
async function filled (a: GateNode, touch: Uint8Array, mib: number, seed: number): Promise<string> {
  let done!: () => void
  const ready = new Promise<void>(resolve => { done = resolve })
  const sink = { stdout: (d: Uint8Array) => { if (Buffer.from(d).toString().includes('filled')) done() }, stderr: () => {}, status: () => {} }
  const m = await a.run(a.self, { module: touch, args: ['touch', String(mib), String(seed)], transient: false, sinks: [sink] })
  await ready
  m.sinks.delete(sink)
  return m.id
}

const ms = (x: number | undefined): string => x == null ? '-' : x.toFixed(0)

/** Runs per size; the table shows the one with the median ratio. */
const REPS = Number(process.env.REPS ?? 3)
/** Bytes of each raw throughput measurement. */
const RAW_BYTES = 32 * MIB

interface Row { mib: number, r: MigrateResult, back: MigrateResult, rawIdle: number, rawBusy: number, ratio: number }

async function main (): Promise<void> {
  const [a, b] = [await mk(), await mk()]
  await serveSink(a); await serveSink(b)
  await b.libp2p.dial(multiaddr(a.libp2p.getMultiaddrs()[0]))
  await a.libp2p.dial(multiaddr(b.libp2p.getMultiaddrs()[0])) // both know the other's address, should the connection drop
  const touch = new Uint8Array(readFileSync(join(ROOT, 'build/testprogs/touch.wasm')))
  await a.executor.compile(touch); await b.executor.compile(touch)
  await streamMBps(a, b, RAW_BYTES) // warm up
  const rows: Row[] = []
  let seed = Date.now() % 100000
  for (const mib of SIZES) {
    const reps: Row[] = []
    for (let k = 0; k < REPS; k++) {
      // raw throughput right before each run: idle, and with the program already spinning on a (as during pre-copy)
      const rawIdle = await streamMBps(a, b, RAW_BYTES)
      const id = await filled(a, touch, mib, seed++)
      const rawBusy = await streamMBps(a, b, RAW_BYTES)
      let r: MigrateResult, back: MigrateResult
      let phase = ''
      try {
        r = await a.migrate(id, b.self, { onProgress: e => { phase = `a -> b ${e.phase} ${e.sentBlocks} blocks` } })
        back = await b.migrate(id, a.self, { onProgress: e => { phase = `b -> a ${e.phase} ${e.sentBlocks} blocks` } })
      } catch (err) {
        console.error('%d MiB run %d failed at %s: %s', mib, k, phase, (err as Error).message)
        await a.kill(id).catch(() => {}); await b.kill(id).catch(() => {})
        continue
      }
      await a.kill(id)
      const sent = r.precopyBytes + r.finalBytes
      reps.push({ mib, r, back, rawIdle, rawBusy, ratio: r.totalMs / (sent / MIB / rawIdle * 1000) })
    }
    reps.sort((x, y) => x.ratio - y.ratio)
    if (reps.length > 0) rows.push(reps[Math.floor(reps.length / 2)])
  }
  console.log('pre-copy migration a -> b on loopback, median of %d runs per size by ratio; raw = libp2p stream a -> b measured just before each run\n', REPS)
  console.log('| touched MiB | bytes sent | total ms | bytes/raw ms | ratio | downtime ms | back-migration % |')
  console.log('|---|---|---|---|---|---|---|')
  for (const { mib, r, back, rawIdle } of rows) {
    const sent = r.precopyBytes + r.finalBytes
    const ideal = sent / MIB / rawIdle * 1000
    const backSent = back.precopyBytes + back.finalBytes
    console.log('| %d | %s | %s | %s | %s | %s | %s |', mib, sent.toLocaleString('en'), ms(r.totalMs), ms(ideal), (r.totalMs / ideal).toFixed(2), r.downtimeMs.toFixed(1), (100 * backSent / sent).toFixed(2))
  }
  console.log('\nraw MiB/s idle and with the program running on a (it spins on one of the cores during pre-copy), ratio against the latter:\n')
  console.log('| touched MiB | raw idle | raw busy | ratio vs busy | back: bytes | back: total ms | back: downtime ms |')
  console.log('|---|---|---|---|---|---|---|')
  for (const { mib, r, back, rawIdle, rawBusy } of rows) {
    const sent = r.precopyBytes + r.finalBytes
    console.log('| %d | %s | %s | %s | %s | %s | %s |', mib, rawIdle.toFixed(0), rawBusy.toFixed(0), (r.totalMs / (sent / MIB / rawBusy * 1000)).toFixed(2), (back.precopyBytes + back.finalBytes).toLocaleString('en'), ms(back.totalMs), back.downtimeMs.toFixed(1))
  }
  const phases = (r: MigrateResult): Record<string, number> => r.phases ?? {}
  const keys = [...new Set(rows.flatMap(({ r }) => Object.keys(phases(r))))]
  console.log('\nsteps of a -> b, ms (capture: snapshot in the worker; encode: hash + store; push: transfer incl. target verify + store; prepare: target decode + compile; commit: target verifies the final snapshot; go: start there -> RUNNING; the downtime is final.* + commit + go)\n')
  console.log('| touched MiB | ' + keys.join(' | ') + ' |')
  console.log('|---|' + keys.map(() => '---').join('|') + '|')
  for (const { mib, r } of rows) console.log('| %d | %s |', mib, keys.map(k => ms(phases(r)[k])).join(' | '))
  await a.stop(); await b.stop()
  rmSync(a.init.dataDir, { recursive: true, force: true }); rmSync(b.init.dataDir, { recursive: true, force: true })
}

await main()
