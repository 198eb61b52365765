/**
 * A libp2p v3 stream as a ByteDuplex: read by iterating the stream, write
 * with backpressure (`send()` returning false means wait for drain; ignoring
 * it buffers without bound), half-close with `close()`.
 */
import type { Stream } from '@libp2p/interface'
import type { ByteDuplex } from './framing.js'

export function streamDuplex (stream: Stream): ByteDuplex {
  return {
    source: (async function * () {
      for await (const chunk of stream) {
        yield chunk instanceof Uint8Array ? chunk : chunk.subarray()
      }
    })(),
    write: async (bytes) => {
      if (stream.status !== 'open') throw new Error(`stream is ${stream.status}`)
      if (!stream.send(bytes)) await stream.onDrain()
    },
    close: async () => {
      if (stream.status !== 'open') return
      await stream.close().catch(() => {})
    },
    abort: () => { stream.abort(new Error('aborted by local side')) }
  }
}
