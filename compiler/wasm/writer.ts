/**
 * A growable byte buffer with the wasm binary encodings: LEB128s, names,
 * raw copies. Everything the instrumenter emits goes through one of these.
 */
export class ByteWriter {
  buf: Uint8Array
  len = 0

  constructor (initial = 256) { this.buf = new Uint8Array(initial) }

  private room (n: number): void {
    if (this.len + n <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.len + n) cap *= 2
    const b = new Uint8Array(cap)
    b.set(this.buf.subarray(0, this.len))
    this.buf = b
  }

  u8 (x: number): this {
    if (this.len >= this.buf.length) this.room(1)
    this.buf[this.len++] = x
    return this
  }

  u32 (x: number): this {
    this.room(5)
    do {
      let b = x & 0x7f
      x = Math.floor(x / 128)
      if (x !== 0) b |= 0x80
      this.buf[this.len++] = b
    } while (x !== 0)
    return this
  }

  /** Signed LEB128 of a safe integer (i32 constants, block type indexes). */
  s32 (x: number): this {
    this.room(10)
    for (;;) {
      const b = x & 0x7f
      x = Math.floor(x / 128)
      const done = (x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)
      this.buf[this.len++] = done ? b : b | 0x80
      if (done) return this
    }
  }

  bytes (b: Uint8Array): this {
    this.room(b.length)
    this.buf.set(b, this.len)
    this.len += b.length
    return this
  }

  /** Copy src[start, end). */
  copy (src: Uint8Array, start: number, end: number): this {
    const n = end - start
    this.room(n)
    this.buf.set(src.subarray(start, end), this.len)
    this.len += n
    return this
  }

  name (s: string): this {
    const b = new TextEncoder().encode(s)
    return this.u32(b.length).bytes(b)
  }

  /** A section or sized entry: id, u32 size, then the contents of `w`. */
  section (id: number, w: ByteWriter): this {
    this.u8(id).u32(w.len)
    return this.copy(w.buf, 0, w.len)
  }

  sized (w: ByteWriter): this { return this.u32(w.len).copy(w.buf, 0, w.len) }

  result (): Uint8Array { return this.buf.slice(0, this.len) }
}

