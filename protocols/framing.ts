/**
 * Length-prefixed frames (u32 big-endian length, then the bytes) over any
 * byte duplex, with a size limit checked before the frame is buffered.
 */
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

export async function writeFrame (d: ByteDuplex, payload: Uint8Array): Promise<void> {
  const head = new Uint8Array(4)
  new DataView(head.buffer).setUint32(0, payload.byteLength)
  await d.write(head)
  await d.write(payload)
}

/** Frames from a byte source; throws FrameTooLargeError before buffering an oversized frame. */
export async function * readFrames (source: AsyncIterable<Uint8Array>, maxFrame: number): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(0)
  let need = -1
  for await (const chunk of source) {
    const merged = new Uint8Array(buf.length + chunk.length)
    merged.set(buf); merged.set(chunk, buf.length)
    buf = merged
    for (;;) {
      if (need < 0) {
        if (buf.length < 4) break
        need = new DataView(buf.buffer, buf.byteOffset).getUint32(0)
        if (need > maxFrame) throw new FrameTooLargeError(need, maxFrame)
        buf = buf.subarray(4)
      }
      if (buf.length < need) break
      yield buf.slice(0, need)
      buf = buf.subarray(need)
      need = -1
    }
  }
  if (need >= 0 || buf.length > 0) throw new UnexpectedEndError()
}
