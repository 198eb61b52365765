/**
 * The control API's streamed responses (`application/x-gate-frames`): a
 * sequence of `u8 kind, u32 big-endian length, payload`. Program output
 * goes through unchanged; the rest is JSON.
 */
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
  const out = new Uint8Array(5 + body.byteLength)
  out[0] = kind
  new DataView(out.buffer).setUint32(1, body.byteLength)
  out.set(body, 5)
  return out
}

export async function * readFramesOf (source: AsyncIterable<Uint8Array>): AsyncGenerator<{ kind: FrameKind, payload: Uint8Array }> {
  let buf = new Uint8Array(0)
  for await (const chunk of source) {
    const merged = new Uint8Array(buf.byteLength + chunk.byteLength)
    merged.set(buf); merged.set(chunk, buf.byteLength)
    buf = merged
    while (buf.byteLength >= 5) {
      const len = new DataView(buf.buffer, buf.byteOffset).getUint32(1)
      if (buf.byteLength < 5 + len) break
      yield { kind: buf[0] as FrameKind, payload: buf.slice(5, 5 + len) }
      buf = buf.subarray(5 + len)
    }
  }
  if (buf.byteLength > 0) throw new Error('control API stream ended mid-frame')
}
