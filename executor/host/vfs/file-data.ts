/**
 * The bytes of one regular file: a list of FILE_CHUNK-sized chunks (null =
 * zeros, a hole), so a snapshot stores and sends a file chunk by chunk and a
 * write dirties only the chunks it touches. A chunk's buffer may be shorter
 * than FILE_CHUNK while the file grows (capacity doubles), so appending in
 * small pieces stays linear.
 */
import { FILE_CHUNK } from './image.js'
import { isZero } from '../../zero.js'

export class FileData {
  private chunks: Array<Uint8Array | null>
  /** Bytes of each chunk that hold data (the rest of the buffer is spare capacity). */
  size: number

  constructor (size = 0, chunks: Array<Uint8Array | null> = []) {
    this.size = size
    this.chunks = chunks.map(c => c == null ? null : c.slice())
    while (this.chunks.length < Math.ceil(size / FILE_CHUNK)) this.chunks.push(null)
  }

  /** Copy up to `len` bytes at `off` into `dst` (from its start); returns the count. */
  readInto (off: number, dst: Uint8Array): number {
    const end = Math.min(this.size, off + dst.byteLength)
    let n = 0
    for (let p = off; p < end;) {
      const i = Math.floor(p / FILE_CHUNK)
      const inChunk = p - i * FILE_CHUNK
      const take = Math.min(end - p, FILE_CHUNK - inChunk)
      const c = this.chunks[i]
      if (c == null || inChunk >= c.byteLength) dst.fill(0, n, n + take)
      else {
        const have = Math.min(take, c.byteLength - inChunk)
        dst.set(c.subarray(inChunk, inChunk + have), n)
        if (have < take) dst.fill(0, n + have, n + take)
      }
      n += take
      p += take
    }
    return Math.max(0, n)
  }

  /** Write `src` at `off`, growing the file (with a hole between) if needed. */
  write (off: number, src: Uint8Array): void {
    const end = off + src.byteLength
    if (end > this.size) this.resize(end)
    let s = 0
    for (let p = off; p < end;) {
      const i = Math.floor(p / FILE_CHUNK)
      const inChunk = p - i * FILE_CHUNK
      const take = Math.min(end - p, FILE_CHUNK - inChunk)
      const c = this.ensure(i, inChunk + take)
      c.set(src.subarray(s, s + take), inChunk)
      s += take
      p += take
    }
  }

  /** Truncate or extend (with zeros). */
  resize (size: number): void {
    if (size < this.size) {
      const n = Math.ceil(size / FILE_CHUNK)
      this.chunks.length = n
      const last = n - 1
      const c = last >= 0 ? this.chunks[last] : null
      const keep = size - last * FILE_CHUNK
      if (c != null && c.byteLength > keep) c.fill(0, keep)
    } else {
      while (this.chunks.length < Math.ceil(size / FILE_CHUNK)) this.chunks.push(null)
    }
    this.size = size
  }

  /** The buffer of chunk i, at least `need` bytes long. */
  private ensure (i: number, need: number): Uint8Array {
    const c = this.chunks[i]
    if (c != null && c.byteLength >= need) return c
    let cap = Math.max(c?.byteLength ?? 0, 4096)
    while (cap < need) cap *= 2
    const b = new Uint8Array(Math.min(cap, FILE_CHUNK))
    if (c != null) b.set(c)
    this.chunks[i] = b
    return b
  }

  /** The chunks as they are saved: each exactly its data length (views), zero-only chunks as null. */
  save (): Array<Uint8Array | null> {
    return this.chunks.map((c, i) => {
      if (c == null) return null
      const len = Math.min(FILE_CHUNK, this.size - i * FILE_CHUNK)
      const v = c.byteLength >= len ? c.subarray(0, len) : padded(c, len)
      return isZero(v) ? null : v
    })
  }

  bytes (): Uint8Array {
    const out = new Uint8Array(this.size)
    this.readInto(0, out)
    return out
  }
}

function padded (c: Uint8Array, len: number): Uint8Array {
  const b = new Uint8Array(len)
  b.set(c)
  return b
}
