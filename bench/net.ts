// Network benchmarks (not CI): stream throughput between two Gate nodes on
// loopback next to raw TCP measured in the same run, and send-to-first-output
// latency of `send` next to a local launch. Run: npm run bench:net
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import { createServer, connect } from 'node:net'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { GateNode } from '../node/node.js'
import { tempDir } from '../test/helpers.js'
import { serveSink, streamMBps } from './stream.js'

const ROOT = join(import.meta.dirname, '../..')
const MIB = 1024 * 1024
const SIZE = 64 * MIB
const CHUNK = 64 * 1024
const ROUNDS = 5
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
const chunk = new Uint8Array(CHUNK).fill(7)

async function rawTcp (): Promise<number> {
  let received = 0
  let done!: () => void
  const server = createServer(s => {
    s.on('data', (d: Buffer) => { received += d.byteLength; if (received >= SIZE) done() })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as any).port
  const sock = connect(port, '127.0.0.1')
  await new Promise(resolve => sock.once('connect', resolve))
  const finished = new Promise<void>(resolve => { done = resolve })
  const t0 = performance.now()
  for (let o = 0; o < SIZE; o += CHUNK) if (!sock.write(chunk)) await new Promise(resolve => sock.once('drain', resolve))
  await finished
  const ms = performance.now() - t0
  sock.destroy(); server.close()
  return SIZE / MIB / (ms / 1000)
}

async function main (): Promise<void> {
  const mk = async (): Promise<GateNode> => { const n = new GateNode({ dataDir: tempDir('gate-bench-'), listen: ['/ip4/127.0.0.1/tcp/0'], executor: { workers: 1 } }); await n.start(); return n }
  const [a, b] = [await mk(), await mk()]
  await serveSink(a)
  await b.libp2p.dial(multiaddr(a.libp2p.getMultiaddrs()[0]))

  const tcp: number[] = []
  const p2p: number[] = []
  for (let i = 0; i < ROUNDS; i++) { tcp.push(await rawTcp()); p2p.push(await streamMBps(b, a, SIZE)) }
  console.log('## Stream throughput, 64 MiB on 127.0.0.1, 64 KiB writes (median of %d, MB/s)', ROUNDS)
  console.log('raw TCP                 %s', median(tcp).toFixed(0))
  console.log('libp2p noise+yamux      %s   ratio %s', median(p2p).toFixed(0), (median(p2p) / median(tcp)).toFixed(2))

  const hello = new Uint8Array(readFileSync(join(ROOT, 'build/testprogs/hello.wasm')))
  const firstOutput = async (start: () => Promise<{ on: (e: 'stdout', f: () => void) => void, end: () => Promise<void> | void, done: Promise<unknown> }>): Promise<number> => {
    const t0 = performance.now()
    const io = await start()
    const t = await new Promise<number>(resolve => io.on('stdout', () => { resolve(performance.now() - t0) }))
    await io.end()
    await io.done
    return t
  }
  const remote: number[] = []
  const local: number[] = []
  for (let i = 0; i < 21; i++) {
    remote.push(await firstOutput(async () => { const r = await b.send(a.peerId, { module: hello, attach: true }); return r.io! }))
    local.push(await firstOutput(async () => {
      const cm = await a.executor.compile(hello)
      const inst = a.executor.launch(cm)
      return { on: (e, f) => inst.on(e, f), end: () => { inst.end() }, done: inst.wait() }
    }))
  }
  console.log('\n## Send-to-first-output latency, hello.wasm (33 KB, compiled and cached), median of 21 (ms)')
  console.log('local launch            %s', median(local).toFixed(2))
  console.log('send to a peer          %s   (module uploaded each time, new stream, remote launch)', median(remote).toFixed(2))
  await a.stop(); await b.stop()
  rmSync(a.init.dataDir, { recursive: true, force: true }); rmSync(b.init.dataDir, { recursive: true, force: true })
}

await main()
