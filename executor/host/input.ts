/**
 * Client input (stdin of `gate run`, and the origin service's stream): bytes
 * pushed by the runtime, consumed by fd 0 reads or origin DATA packets.
 */
import type { HostStateValue } from '../types.js'
import { bool, bytes, obj } from './state.js'

export class InputBuffer {
  private chunks: Uint8Array[] = []
  private size = 0
  private closed = false

  push (data: Uint8Array): void {
    if (this.closed || data.byteLength === 0) return
    this.chunks.push(data.slice())
    this.size += data.byteLength
  }

  end (): void { this.closed = true }

  /** Bytes buffered and not yet consumed. */
  get available (): number { return this.size }
  /** True when input has ended (there may still be buffered bytes). */
  get ended (): boolean { return this.closed }
  /** True when a read would not block: data buffered, or end of input. */
  get readable (): boolean { return this.size > 0 || this.closed }

  /** Remove and return up to `max` bytes. */
  take (max: number): Uint8Array {
    const n = Math.min(max, this.size)
    const out = new Uint8Array(n)
    let off = 0
    while (off < n) {
      const c = this.chunks[0]
      const k = Math.min(c.byteLength, n - off)
      out.set(c.subarray(0, k), off)
      off += k
      if (k === c.byteLength) this.chunks.shift()
      else this.chunks[0] = c.subarray(k)
    }
    this.size -= n
    return out
  }

  save (): HostStateValue {
    const data = new Uint8Array(this.size)
    let off = 0
    for (const c of this.chunks) { data.set(c, off); off += c.byteLength }
    return { data, ended: this.closed }
  }

  static restore (v: HostStateValue | undefined): InputBuffer {
    const o = obj(v, 'input')
    const b = new InputBuffer()
    b.push(bytes(o.data, 'input.data'))
    b.closed = bool(o.ended, 'input.ended')
    return b
  }
}
