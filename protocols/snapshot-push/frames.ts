/**
 * Framing of the snapshot push: u32 big-endian length, u8 kind, body.
 * Blocks travel as raw bytes after a small header (no CBOR around 256 KiB
 * of memory), so the sender writes the header and the block as they are
 * and the reader slices frames out of the stream's chunks without copying
 * more than once.
 */
import { CID } from 'multiformats/cid'
import { FrameTooLargeError, UnexpectedEndError, type ByteDuplex } from '../framing.js'
import { ProtocolError } from './errors.js'
import { ByteQueue } from '../../executor/byte-queue.js'

export const KIND_CONTROL = 0
export const KIND_BLOCK = 1
export const KIND_PATCH = 2

/** Reads frames from a byte source: whole frames as one Uint8Array (kind byte first). */
export class FrameReader {
  private readonly it: AsyncIterator<Uint8Array>
  private readonly queue = new ByteQueue()

  constructor (source: AsyncIterable<Uint8Array>, private readonly maxFrame: number) {
    this.it = source[Symbol.asyncIterator]()
  }

  private async fill (n: number): Promise<boolean> {
    while (this.queue.size < n) {
      const r = await this.it.next()
      if (r.done === true) return false
      this.queue.push(r.value)
    }
    return true
  }

  /** The next frame, or undefined at a clean end of stream. */
  async next (): Promise<Uint8Array | undefined> {
    if (!(await this.fill(4))) {
      if (this.queue.size > 0) throw new UnexpectedEndError()
      return undefined
    }
    const head = this.queue.take(4)
    const len = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0
    if (len > this.maxFrame) throw new FrameTooLargeError(len, this.maxFrame)
    if (len === 0) throw new ProtocolError('empty frame')
    if (!(await this.fill(len))) throw new UnexpectedEndError()
    return this.queue.take(len)
  }
}

function header (kind: number, bodyLength: number, prefix: Uint8Array[]): Uint8Array {
  const n = prefix.reduce((a, p) => a + p.byteLength, 0)
  const h = new Uint8Array(5 + n)
  new DataView(h.buffer).setUint32(0, 1 + n + bodyLength)
  h[4] = kind
  let o = 5
  for (const p of prefix) { h.set(p, o); o += p.byteLength }
  return h
}

const cidField = (cid: CID): Uint8Array => { const b = cid.bytes; const f = new Uint8Array(1 + b.byteLength); f[0] = b.byteLength; f.set(b, 1); return f }

export async function writeControl (d: ByteDuplex, body: Uint8Array): Promise<void> {
  await d.write(header(KIND_CONTROL, body.byteLength, []))
  await d.write(body)
}

/** A block: kind, cid, then the bytes as they are (two writes, no copy). */
export async function writeBlock (d: ByteDuplex, cid: CID, bytes: Uint8Array): Promise<number> {
  const h = header(KIND_BLOCK, bytes.byteLength, [cidField(cid)])
  await d.write(h)
  await d.write(bytes)
  return h.byteLength + bytes.byteLength
}

/** A block as changes to a base block the receiver has: (u32 offset, u32 length, bytes)... */
export async function writePatch (d: ByteDuplex, cid: CID, base: CID, total: number, ranges: Array<[number, Uint8Array]>): Promise<number> {
  const len = new Uint8Array(4); new DataView(len.buffer).setUint32(0, total)
  const body = ranges.reduce((a, [, b]) => a + 8 + b.byteLength, 0)
  const h = header(KIND_PATCH, body, [cidField(cid), cidField(base), len])
  const out = new Uint8Array(h.byteLength + body)
  out.set(h)
  const dv = new DataView(out.buffer)
  let o = h.byteLength
  for (const [off, b] of ranges) { dv.setUint32(o, off); dv.setUint32(o + 4, b.byteLength); out.set(b, o + 8); o += 8 + b.byteLength }
  await d.write(out)
  return out.byteLength
}

/** Cursor over a received frame body. */
export class Body {
  private o = 1
  constructor (readonly frame: Uint8Array) {}
  get kind (): number { return this.frame[0] }
  cid (): CID {
    const n = this.frame[this.o]
    if (n == null || this.o + 1 + n > this.frame.byteLength) throw new ProtocolError('truncated CID')
    const bytes = this.frame.subarray(this.o + 1, this.o + 1 + n)
    this.o += 1 + n
    try { return CID.decode(bytes) } catch { throw new ProtocolError('malformed CID') }
  }

  u32 (): number {
    if (this.o + 4 > this.frame.byteLength) throw new ProtocolError('truncated frame')
    const v = new DataView(this.frame.buffer, this.frame.byteOffset + this.o, 4).getUint32(0)
    this.o += 4
    return v
  }

  bytes (n?: number): Uint8Array {
    const end = n == null ? this.frame.byteLength : this.o + n
    if (end > this.frame.byteLength) throw new ProtocolError('truncated frame')
    const b = this.frame.subarray(this.o, end)
    this.o = end
    return b
  }

  get done (): boolean { return this.o >= this.frame.byteLength }
}
