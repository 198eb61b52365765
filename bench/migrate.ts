// Migration benchmark (not CI): for 1, 16 and 64 MiB of touched memory on
// loopback, total time, downtime and bytes sent, next to the raw libp2p
// stream throughput measured in the same run; then a migration back.
// Run: npm run bench:migrate
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { GateNode } from '../node/node.js'
import { tempDir } from '../test/helpers.js'
import { serveSink, streamMBps } from './stream.js'

const ROOT = join(import.meta.dirname, '../..')
const MIB = 1024 * 1024

async function main (): Promise<void> {
  const mk = async (): Promise<GateNode> => { const n = new GateNode({ dataDir: tempDir('gate-bench-'), listen: ['/ip4/127.0.0.1/tcp/0'], executor: { workers: 2 } }); await n.start(); return n }
  const [a, b] = [await mk(), await mk()]
  await serveSink(a); await serveSink(b)
  await b.libp2p.dial(multiaddr(a.libp2p.getMultiaddrs()[0]))
  const touch = new Uint8Array(readFileSync(join(ROOT, 'build/testprogs/touch.wasm')))
  await a.executor.compile(touch); await b.executor.compile(touch)
  const raw = Math.max(await streamMBps(a, b, 64 * MIB), await streamMBps(a, b, 64 * MIB))
  console.log('raw libp2p stream a -> b: %s MB/s (best of 2, 64 MiB)\n', raw.toFixed(0))
  console.log('| touched | mode | sent MB | total ms | bytes/raw ms | ratio | downtime ms |')
  console.log('|---|---|---|---|---|---|---|')
  for (const mib of [1, 16, 64]) {
    for (const precopy of [true, false]) {
      const m = await a.run(a.self, { module: touch, args: ['touch', String(mib)], transient: false })
      await new Promise(resolve => setTimeout(resolve, 300 + mib * 15)) // let it fill its memory
      const r = await a.migrate(m.id, b.self, { precopy })
      const sent = r.precopyBytes + r.finalBytes
      const ideal = sent / MIB / raw * 1000
      console.log('| %d MiB | %s | %s | %s | %s | %s | %s |', mib, precopy ? 'pre-copy' : 'stop-and-copy', (sent / 1e6).toFixed(2), r.totalMs.toFixed(0), ideal.toFixed(0), (r.totalMs / ideal).toFixed(2), r.downtimeMs.toFixed(1))
      if (precopy) {
        const back = await b.migrate(m.id, a.self)
        const bs = back.precopyBytes + back.finalBytes
        console.log('| %d MiB | back again | %s | %s | | | %s |  (%s%% of the first)', mib, (bs / 1e6).toFixed(3), back.totalMs.toFixed(0), back.downtimeMs.toFixed(1), (100 * bs / sent).toFixed(1))
        await a.kill(m.id)
      } else {
        await b.kill(m.id)
      }
    }
  }
  await a.stop(); await b.stop()
  rmSync(a.init.dataDir, { recursive: true, force: true }); rmSync(b.init.dataDir, { recursive: true, force: true })
}

await main()
