// One-way throughput of a libp2p stream between two Gate nodes (MB/s).
import './gate-env.js' // first: bin/gate's environment (cli/glibc-env.ts)
import type { GateNode } from '../node/node.js'

export const BENCH_PROTOCOL = '/gate/bench/1.0.0'
const CHUNK = new Uint8Array(64 * 1024).fill(7)

/** Let `a` count bytes sent to it on BENCH_PROTOCOL and answer one byte at the end. */
export async function serveSink (a: GateNode): Promise<void> {
  await a.libp2p.handle(BENCH_PROTOCOL, async (stream) => {
    for await (const _ of stream) { /* count nothing: the sender times */ }
    stream.send(new Uint8Array([1]))
    await stream.close()
  })
}

export async function streamMBps (from: GateNode, to: GateNode, size: number): Promise<number> {
  const s = await from.libp2p.dialProtocol(to.peerId, BENCH_PROTOCOL)
  const t0 = performance.now()
  for (let o = 0; o < size; o += CHUNK.byteLength) if (!s.send(CHUNK)) await s.onDrain()
  await s.close()
  for await (const _ of s) break
  return size / (1024 * 1024) / ((performance.now() - t0) / 1000)
}
