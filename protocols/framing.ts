/**
 * Length-prefixed frames (u32 big-endian length, then the bytes) over any
 * byte duplex, with a size limit checked before the frame is buffered.
 */
import { ByteQueue } from '../executor/byte-queue.js'

export interface ByteDuplex {
  source: AsyncIterable<Uint8Array>
  write: (bytes: Uint8Array) => Promise<void>
  close: () => Promise<void>
  /** Drop the connection at once (both directions). */
  abort?: () => void
}

export class FrameTooLargeError extends Error {
  static name = 'FrameTooLargeError'
  constructor (size: number, limit: number) { super(`frame of ${size} bytes exceeds the limit of ${limit}`); this.name = 'FrameTooLargeError' }
}

export class UnexpectedEndError extends Error {
  static name = 'UnexpectedEndError'
  constructor (message = 'stream ended in the middle of a frame') { super(message); this.name = 'UnexpectedEndError' }
}

/** Payloads from framePayload(): 4 free bytes precede each in its buffer. */
const roomForHead = new WeakSet<Uint8Array>()

/**
 * A buffer of `n` bytes for a frame's payload, with room for the length in
 * front of it, so that writeFrame() sends it without copying. For encoders
 * that build the payload themselves (an IoFrame's data, say).
 */
export function framePayload (n: number): Uint8Array {
  const p = Buffer.allocUnsafe(4 + n).subarray(4)
  roomForHead.add(p)
  return p
}

/**
 * One write of prefix and payload together: over libp2p every write is its
 * own muxer frame, Noise message and socket write (two), so a separate
 * 4-byte head would double those per frame; copying the payload once is
 * cheaper, and a payload from framePayload() is not copied at all.
 */
export async function writeFrame (d: ByteDuplex, payload: Uint8Array): Promise<void> {
  const n = payload.byteLength
  let out: Uint8Array
  if (roomForHead.delete(payload)) {
    out = new Uint8Array(payload.buffer, payload.byteOffset - 4, n + 4)
  } else {
    out = Buffer.allocUnsafe(4 + n)
    out.set(payload, 4)
  }
  out[0] = n >>> 24; out[1] = (n >>> 16) & 255; out[2] = (n >>> 8) & 255; out[3] = n & 255
  await d.write(out)
}

/**
 * Frames from a byte source; throws FrameTooLargeError before buffering an
 * oversized frame. Chunks are queued as they come (not merged), so a frame
 * larger than the chunks is assembled once, when it is complete; a frame
 * inside one chunk is a view of that chunk, not a copy.
 */
export async function * readFrames (source: AsyncIterable<Uint8Array>, maxFrame: number): AsyncGenerator<Uint8Array> {
  const q = new ByteQueue()
  let need = -1
  for await (const chunk of source) {
    q.push(chunk)
    for (;;) {
      if (need < 0) {
        if (q.size < 4) break
        const h = q.take(4)
        need = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0
        if (need > maxFrame) throw new FrameTooLargeError(need, maxFrame)
      }
      if (q.size < need) break
      yield q.take(need)
      need = -1
    }
  }
  if (need >= 0 || q.size > 0) throw new UnexpectedEndError()
}
