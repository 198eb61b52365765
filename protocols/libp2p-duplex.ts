/**
 * A libp2p v3 stream as a ByteDuplex: read by iterating the stream, write
 * with backpressure, half-close with `close()`.
 *
 * Backpressure is ours, not `send()`/`onDrain()`: in @libp2p/utils 7.4
 * onDrain() keeps the promise of the first drain, resolved, so after one
 * drain every later wait returns at once and writes pile up in the stream's
 * buffer without bound (measured: 64 MiB "written" in 18 ms to a peer that
 * read nothing, 62.8 MiB of it buffered). Waiting on the stream's own
 * write buffer makes a write resolve when its bytes have left for the
 * muxer, so progress (and the stall deadlines built on it) means what the
 * peer has taken.
 *
 * Reading is bounded too: the stream's own iterator queues whatever
 * arrives, however slowly it is consumed, and yamux grants the sender more
 * window as data arrives, not as it is read. Here a reader that falls
 * READ_HIGH_WATER behind pauses the stream (yamux then stops granting
 * window, so the sender waits) and resumes it below READ_LOW_WATER.
 */
import type { Stream } from '@libp2p/interface'
import type { ByteDuplex } from './framing.js'

/** A write returns while the stream buffers at most this much unsent. */
export const WRITE_HIGH_WATER = 1024 * 1024
/** Unread bytes at which the stream is paused, and below which it is resumed. */
export const READ_HIGH_WATER = 4 * 1024 * 1024
export const READ_LOW_WATER = 1024 * 1024
/** Re-check this often too, in case an event is missed. */
const POLL_MS = 25

export function streamDuplex (stream: Stream): ByteDuplex {
  return {
    source: readStream(stream),
    write: async (bytes) => {
      if (stream.status !== 'open') throw new Error(`stream is ${stream.status}`)
      stream.send(bytes)
      await drained(stream)
    },
    close: async () => {
      if (stream.status !== 'open') return
      await stream.close().catch(() => {})
    },
    abort: () => { stream.abort(new Error('aborted by local side')) }
  }
}

/** Until the stream buffers no more than WRITE_HIGH_WATER unsent bytes; rejects once it closes. */
async function drained (stream: Stream): Promise<void> {
  while (stream.writeBufferLength > WRITE_HIGH_WATER) {
    if (stream.status === 'aborted' || stream.status === 'reset' || stream.status === 'closed') throw new Error(`stream is ${stream.status}`)
    await new Promise<void>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        stream.removeEventListener('drain', done)
        stream.removeEventListener('idle', done)
        stream.removeEventListener('close', done)
        resolve()
      }
      const timer = setTimeout(done, POLL_MS)
      stream.addEventListener('drain', done)
      stream.addEventListener('idle', done)
      stream.addEventListener('close', done)
    })
  }
  if (stream.status === 'aborted' || stream.status === 'reset') throw new Error(`stream is ${stream.status}`)
}

/**
 * The stream's data as chunks, pausing the stream while the reader is
 * behind. Listens from the call on (not from the first read), so nothing
 * piles up unpaused before the reader starts.
 */
function readStream (stream: Stream): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = []
  let queued = 0
  let ended = stream.readStatus !== 'readable' && stream.readStatus !== 'paused'
  let error: Error | undefined
  let wake: (() => void) | undefined
  const onMessage = (evt: any): void => {
    const d = evt.data
    const chunk: Uint8Array = d instanceof Uint8Array ? d : d.subarray()
    queue.push(chunk)
    queued += chunk.byteLength
    if (queued > READ_HIGH_WATER && stream.readStatus === 'readable') stream.pause()
    wake?.()
  }
  const onClose = (evt: any): void => { ended = true; error ??= evt?.error; wake?.() }
  const onEnd = (): void => { ended = true; wake?.() }
  const detach = (): void => {
    stream.removeEventListener('message', onMessage)
    stream.removeEventListener('close', onClose)
    stream.removeEventListener('remoteCloseWrite', onEnd)
  }
  if (!ended) {
    stream.addEventListener('message', onMessage)
    stream.addEventListener('close', onClose)
    stream.addEventListener('remoteCloseWrite', onEnd)
  }
  return (async function * () {
    try {
      for (;;) {
        const chunk = queue.shift()
        if (chunk != null) {
          queued -= chunk.byteLength
          if (queued < READ_LOW_WATER && stream.readStatus === 'paused') stream.resume()
          yield chunk
          continue
        }
        if (ended) {
          if (error != null) throw error
          return
        }
        await new Promise<void>(resolve => { wake = resolve })
        wake = undefined
      }
    } finally {
      detach()
    }
  })()
}
