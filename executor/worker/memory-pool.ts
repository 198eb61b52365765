/**
 * Linear memories a worker keeps after their instances left it (ended,
 * suspended, hibernated), to give to the next instance of the same size
 * instead of a new one. A new memory costs a fresh mapping that faults in
 * page by page on first touch (reads too), and a dropped one is given back
 * only when V8 collects it, which the worker forces with a full GC that took
 * 8-49 ms in the middle of other instances' wakes. A pooled memory is
 * resident: a restore into it and a capture out of it are memory-speed.
 *
 * A pooled memory holds what its last instance left in it, another owner's
 * data perhaps: `take` marks it dirty, and the runtime makes every page
 * zero (`clear`) or the snapshot's (`copyIntoPooled`) before the new
 * instance can run.
 * doc/rationale.md: "Why a worker reuses linear memories".
 */
import { isZero } from '../zero.js'

/** Bytes of pooled memory a worker keeps by default. */
export const MEMORY_POOL_BYTES = 64 * 1024 * 1024
const WASM_PAGE = 65536
const PAGE = 4096

const keyOf = (pages: number, maximum: number): string => `${pages}/${maximum}`

export class MemoryPool {
  private readonly free = new Map<string, WebAssembly.Memory[]>()
  private bytes = 0

  constructor (readonly maxBytes = MEMORY_POOL_BYTES) {}

  get pooledBytes (): number { return this.bytes }

  /** A memory of exactly `pages` pages and this maximum: from the pool (`dirty`: what its last instance left), or a new one. */
  take (pages: number, maximum: number): { memory: WebAssembly.Memory, dirty: boolean } {
    const list = this.free.get(keyOf(pages, maximum))
    const m = list?.pop()
    if (m == null) return { memory: new WebAssembly.Memory({ initial: pages, maximum }), dirty: false }
    this.bytes -= m.buffer.byteLength
    return { memory: m, dirty: true }
  }

  /** Keep `m` (its instance will never run again) if there is room; false: dropped, for the GC. */
  give (m: WebAssembly.Memory, maximum: number): boolean {
    const size = m.buffer.byteLength
    if (this.maxBytes <= 0 || this.bytes + size > this.maxBytes) return false
    const key = keyOf(size / WASM_PAGE, maximum)
    let list = this.free.get(key)
    if (list == null) { list = []; this.free.set(key, list) }
    list.push(m)
    this.bytes += size
    return true
  }
}

/** Make a pooled memory all zero (before a fresh instance's data segments go in). */
export function clear (dst: Uint8Array): void {
  for (let off = 0; off < dst.byteLength; off += PAGE) {
    const p = dst.subarray(off, Math.min(off + PAGE, dst.byteLength))
    if (!isZero(p)) p.fill(0)
  }
}

/** Make a pooled memory equal to `src` (zero past its end): each 4 KiB page copied where it differs. */
export function copyIntoPooled (dst: Uint8Array, src: Uint8Array): void {
  if (src.byteLength > dst.byteLength) throw new RangeError(`memory of ${src.byteLength} bytes does not fit in ${dst.byteLength}`)
  const a = Buffer.from(dst.buffer, dst.byteOffset, dst.byteLength)
  const b = Buffer.from(src.buffer, src.byteOffset, src.byteLength)
  for (let off = 0; off < b.byteLength; off += PAGE) {
    const end = Math.min(off + PAGE, b.byteLength)
    if (a.compare(b, off, end, off, end) !== 0) a.set(b.subarray(off, end), off)
  }
  if (b.byteLength < a.byteLength) clear(dst.subarray(b.byteLength))
}
