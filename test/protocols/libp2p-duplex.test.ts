// Backpressure on libp2p streams (protocols/libp2p-duplex.ts), between two
// real nodes on 127.0.0.1: a writer waits while its peer reads nothing, the
// reader's buffering stays bounded, and every byte arrives, in order.
import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { streamDuplex, WRITE_HIGH_WATER } from '../../protocols/libp2p-duplex.js'
import { startNode, tcpAddr } from '../node/net.js'

const PROTOCOL = '/gate-test/backpressure/1.0.0'
const TOTAL = 64 << 20
const CHUNK = 256 << 10
/** yamux's largest window (16 MiB) + our read high-water mark (4 MiB) + slack for frames in flight. */
const READER_BOUND = 24 << 20

t.test('a writer waits while the reader reads nothing; nothing is lost', async t => {
  const [a, b] = [await startNode(), await startNode()]
  t.teardown(async () => { await a.stop(); await b.stop() })
  let release!: () => void
  const released = new Promise<void>(resolve => { release = resolve })
  let peak = 0
  const received = new Promise<{ bytes: number, hash: string }>((resolve, reject) => {
    void b.libp2p.handle(PROTOCOL, async (stream: any) => {
      const d = streamDuplex(stream)
      await released
      // what the reading side holds once the writer has stopped: the stream's buffer
      peak = stream.readBufferLength as number
      const h = createHash('sha256')
      let n = 0
      try {
        for await (const c of d.source) { h.update(c); n += c.byteLength }
        resolve({ bytes: n, hash: h.digest('hex') })
      } catch (err) { reject(err) }
    })
  })
  await a.libp2p.dial(multiaddr(tcpAddr(b)))
  const s = await a.libp2p.dialProtocol(b.libp2p.peerId, PROTOCOL)
  const d = streamDuplex(s)
  const data = randomBytes(TOTAL)
  let written = 0
  let maxBuffered = 0
  const writer = (async () => {
    for (let off = 0; off < TOTAL; off += CHUNK) {
      await d.write(data.subarray(off, off + CHUNK))
      written += CHUNK
      maxBuffered = Math.max(maxBuffered, s.writeBufferLength)
    }
    await d.close()
  })()
  // wait until the writer stops making progress (its peer reads nothing)
  let last = -1
  while (written !== last) { last = written; await new Promise(resolve => setTimeout(resolve, 300)) }
  t.ok(written < TOTAL, `the writer waits: ${(written / 1048576).toFixed(1)} of 64 MiB written while the peer read nothing`)
  release()
  await writer
  const r = await received
  t.equal(r.bytes, TOTAL, 'every byte arrived')
  t.equal(r.hash, createHash('sha256').update(data).digest('hex'), 'in order, unchanged')
  t.ok(maxBuffered <= WRITE_HIGH_WATER + CHUNK, `the writer buffered at most ${(maxBuffered / 1048576).toFixed(2)} MiB`)
  t.ok(peak <= READER_BOUND, `the reader's stream held ${(peak / 1048576).toFixed(1)} MiB while paused (bound ${READER_BOUND >> 20} MiB)`)
})
