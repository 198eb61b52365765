/**
 * Bytes in arrival order, taken from the front: the chunks are kept as
 * they came, and a take that one chunk covers is a view of it, not a copy.
 * Shared by the host's input buffer and the snapshot push's frame reader.
 */
export class ByteQueue {
  private chunks: Uint8Array[] = []
  private bytes = 0

  /** Bytes queued. */
  get size (): number { return this.bytes }

  /** Queue `chunk` (kept, not copied). */
  push (chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return
    this.chunks.push(chunk)
    this.bytes += chunk.byteLength
  }

  /** Remove and return the first min(n, size) bytes. */
  take (n: number): Uint8Array {
    n = Math.min(n, this.bytes)
    this.bytes -= n
    const first = this.chunks[0]
    if (first == null || n === 0) return new Uint8Array(0)
    if (first.byteLength >= n) {
      if (first.byteLength === n) this.chunks.shift(); else this.chunks[0] = first.subarray(n)
      return first.subarray(0, n)
    }
    const out = new Uint8Array(n)
    let o = 0
    while (o < n) {
      const c = this.chunks[0]
      const k = Math.min(c.byteLength, n - o)
      out.set(c.subarray(0, k), o)
      o += k
      if (k === c.byteLength) this.chunks.shift(); else this.chunks[0] = c.subarray(k)
    }
    return out
  }

  /** Move up to dst.byteLength bytes from the front into `dst`; returns the count. */
  takeInto (dst: Uint8Array): number {
    let o = 0
    while (o < dst.byteLength && this.chunks.length > 0) {
      const c = this.chunks[0]
      const k = Math.min(c.byteLength, dst.byteLength - o)
      dst.set(k === c.byteLength ? c : c.subarray(0, k), o)
      o += k
      if (k === c.byteLength) this.chunks.shift(); else this.chunks[0] = c.subarray(k)
    }
    this.bytes -= o
    return o
  }

  /** A copy of every queued byte; the queue is left as it is. */
  copy (): Uint8Array {
    const out = new Uint8Array(this.bytes)
    let o = 0
    for (const c of this.chunks) { out.set(c, o); o += c.byteLength }
    return out
  }
}
