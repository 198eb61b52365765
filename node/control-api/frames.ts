/**
 * The control API's streamed responses (`application/x-gate-frames`): a
 * sequence of `u8 kind, u32 big-endian length, payload`. Program output
 * goes through unchanged; the rest is JSON.
 */
import { ByteQueue } from '../../executor/byte-queue.js'

export const FRAMES_TYPE = 'application/x-gate-frames'

export enum FrameKind {
  STDOUT = 1,
  STDERR = 2,
  /** Final instance status JSON `{state, cause?, result?, error?}`. */
  STATUS = 3,
  /** Transfer progress JSON `{phase, received, total?}`. */
  PROGRESS = 4,
  /** Instance started JSON `{instance, module, peer}`. */
  INFO = 5,
  /** The request failed JSON `{code, error}`; the stream ends after it. */
  ERROR = 6
}

export function frame (kind: FrameKind, payload: Uint8Array | object): Uint8Array {
  const body = payload instanceof Uint8Array ? payload : new TextEncoder().encode(JSON.stringify(payload))
  const out = Buffer.allocUnsafe(5 + body.byteLength) // every byte is set below
  out[0] = kind
  out.writeUInt32BE(body.byteLength, 1)
  out.set(body, 5)
  return out
}

/**
 * The frames of a response body. Chunks are queued as they come (not
 * merged), so a frame larger than the chunks is assembled once; a payload
 * inside one chunk is a view of it, not a copy.
 */
export async function * readFramesOf (source: AsyncIterable<Uint8Array>): AsyncGenerator<{ kind: FrameKind, payload: Uint8Array }> {
  const q = new ByteQueue()
  let kind = -1
  let need = 0
  for await (const chunk of source) {
    q.push(chunk)
    for (;;) {
      if (kind < 0) {
        if (q.size < 5) break
        const h = q.take(5)
        kind = h[0]
        need = ((h[1] << 24) | (h[2] << 16) | (h[3] << 8) | h[4]) >>> 0
      }
      if (q.size < need) break
      yield { kind: kind as FrameKind, payload: q.take(need) }
      kind = -1
    }
  }
  if (kind >= 0 || q.size > 0) throw new Error('control API stream ended mid-frame')
}
