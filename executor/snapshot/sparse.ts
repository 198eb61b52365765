/**
 * A linear memory as only its non-zero 4 KiB pages: the form a memory takes
 * between the threads on the hibernation path (capture out of a worker, wake
 * back into one). A whole memory there made the main thread allocate the
 * full size twice per wake (1.2 MiB for an idle cat whose data is ~100 KiB),
 * and V8 answered that churn with "external memory pressure" collections
 * every 20-100 ms, which were the wake p99 on a node holding many
 * instances (doc/rationale.md, "Why a hibernated memory moves as its pages").
 */
import { isZero } from '../zero.js'
import type { InstanceSnapshot } from '../types.js'

export const SPARSE_PAGE = 4096

/**
 * `pages`: indices of the non-zero 4 KiB pages, ascending; `data`: their
 * bytes in that order (the last page may be short when byteLength is not a
 * multiple of 4 KiB). Every other byte of [0, byteLength) is zero.
 */
export interface SparseMemory {
  byteLength: number
  pages: Uint32Array
  data: Uint8Array
}

/** A snapshot whose memory is sparse (the executor's hibernation path; never seen by a user). */
export type SparseSnapshot = Omit<InstanceSnapshot, 'memory'> & { memory: SparseMemory }

export function isSparse (m: Uint8Array | SparseMemory): m is SparseMemory {
  return !(m instanceof Uint8Array)
}

/** Bytes of page `k` (k indexes pages/data). */
function pageData (m: SparseMemory, k: number): Uint8Array {
  const off = m.pages[k] * SPARSE_PAGE
  return m.data.subarray(k * SPARSE_PAGE, k * SPARSE_PAGE + Math.min(SPARSE_PAGE, m.byteLength - off))
}

/** The non-zero pages of `mem`, copied into one buffer. */
export function sparseOf (mem: Uint8Array): SparseMemory {
  const idx: number[] = []
  for (let off = 0, p = 0; off < mem.byteLength; off += SPARSE_PAGE, p++) {
    if (!isZero(mem.subarray(off, Math.min(off + SPARSE_PAGE, mem.byteLength)))) idx.push(p)
  }
  const pages = new Uint32Array(idx)
  const data = new Uint8Array(idx.length * SPARSE_PAGE)
  // runs of consecutive pages in one copy each
  for (let k = 0; k < idx.length;) {
    let j = k + 1
    while (j < idx.length && idx[j] === idx[j - 1] + 1) j++
    const off = idx[k] * SPARSE_PAGE
    data.set(mem.subarray(off, Math.min(idx[j - 1] * SPARSE_PAGE + SPARSE_PAGE, mem.byteLength)), k * SPARSE_PAGE)
    k = j
  }
  return { byteLength: mem.byteLength, pages, data }
}

/**
 * The sparse form of a memory given as chunks of `chunkSize` (null: a zero
 * chunk; a chunk may be shorter than chunkSize only at the end), each page
 * tested for zero: the decoder's side.
 */
export function sparseOfChunks (byteLength: number, chunkSize: number, chunks: Array<Uint8Array | null>): SparseMemory {
  if (chunkSize % SPARSE_PAGE !== 0) throw new RangeError(`chunk size ${chunkSize} is not a multiple of ${SPARSE_PAGE}`)
  const idx: number[] = []
  const parts: Uint8Array[] = []
  chunks.forEach((c, i) => {
    if (c == null) return
    for (let o = 0; o < c.byteLength; o += SPARSE_PAGE) {
      const p = c.subarray(o, Math.min(o + SPARSE_PAGE, c.byteLength))
      if (!isZero(p)) { idx.push((i * chunkSize + o) / SPARSE_PAGE); parts.push(p) }
    }
  })
  const data = new Uint8Array(idx.length * SPARSE_PAGE)
  parts.forEach((p, k) => { data.set(p, k * SPARSE_PAGE) })
  return { byteLength, pages: new Uint32Array(idx), data }
}

/** [lo, hi): the entries of m.pages that fall in bytes [off, end). */
function range (m: SparseMemory, off: number, end: number): [number, number] {
  const first = Math.floor(off / SPARSE_PAGE)
  const last = Math.ceil(end / SPARSE_PAGE)
  return [lowerBound(m.pages, first), lowerBound(m.pages, last)]
}

function lowerBound (a: Uint32Array, v: number): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid] < v) lo = mid + 1; else hi = mid }
  return lo
}

/** Bytes [off, end) (page aligned off) as a fresh buffer; null when they are all zero. */
export function chunkOf (m: SparseMemory, off: number, end: number): Uint8Array | null {
  const [lo, hi] = range(m, off, end)
  if (lo === hi) return null
  const out = new Uint8Array(end - off)
  for (let k = lo; k < hi; k++) out.set(pageData(m, k), m.pages[k] * SPARSE_PAGE - off)
  return out
}

/** Are bytes [off, end) of `m` (page aligned off) equal to `before` (end - off bytes)? */
export function chunkEquals (m: SparseMemory, off: number, end: number, before: Uint8Array | SparseMemory): boolean {
  const [lo, hi] = range(m, off, end)
  if (isSparse(before)) {
    if (before.byteLength < end) return false
    const [blo, bhi] = range(before, off, end)
    if (hi - lo !== bhi - blo) return false
    for (let k = 0; k < hi - lo; k++) {
      if (m.pages[lo + k] !== before.pages[blo + k]) return false
      if (Buffer.compare(pageData(m, lo + k), pageData(before, blo + k)) !== 0) return false
    }
    return true
  }
  if (before.byteLength !== end - off) return false
  let at = off
  for (let k = lo; k <= hi; k++) {
    // the zero gap before page k (or before the end), then page k itself
    const next = k < hi ? m.pages[k] * SPARSE_PAGE : end
    if (next > at && !isZero(before.subarray(at - off, next - off))) return false
    if (k === hi) break
    const p = pageData(m, k)
    const b = before.subarray(next - off, next - off + p.byteLength)
    if (Buffer.compare(p, b) !== 0) return false
    at = next + p.byteLength
  }
  return true
}

/** The whole memory (a user's snapshot of a hibernated instance). */
export function denseOf (m: SparseMemory): Uint8Array {
  const out = new Uint8Array(m.byteLength)
  for (let k = 0; k < m.pages.length; k++) out.set(pageData(m, k), m.pages[k] * SPARSE_PAGE)
  return out
}

/**
 * Make `dst` (at least m.byteLength) equal to `m`, zero past its end. A
 * fresh memory (`dirty` false) reads as zeros: only the pages are written. A
 * pooled one (another instance's pages) has every page compared: a page of
 * `m` is copied where it differs, any other non-zero page is cleared.
 */
export function copySparseInto (dst: Uint8Array, m: SparseMemory, dirty: boolean): void {
  if (m.byteLength > dst.byteLength) throw new RangeError(`memory of ${m.byteLength} bytes does not fit in ${dst.byteLength}`)
  if (!dirty) {
    for (let k = 0; k < m.pages.length; k++) dst.set(pageData(m, k), m.pages[k] * SPARSE_PAGE)
    return
  }
  const d = Buffer.from(dst.buffer, dst.byteOffset, dst.byteLength)
  let k = 0
  for (let off = 0, p = 0; off < d.byteLength; off += SPARSE_PAGE, p++) {
    const end = Math.min(off + SPARSE_PAGE, d.byteLength)
    if (k < m.pages.length && m.pages[k] === p) {
      const src = pageData(m, k++)
      if (Buffer.compare(d.subarray(off, off + src.byteLength), src) !== 0) d.set(src, off)
      if (off + src.byteLength < end) { const rest = d.subarray(off + src.byteLength, end); if (!isZero(rest)) rest.fill(0) }
    } else {
      const page = d.subarray(off, end)
      if (!isZero(page)) page.fill(0)
    }
  }
}

/** Buffers to transfer with a sparse memory (both its own). */
export function sparseTransfer (m: SparseMemory): ArrayBuffer[] {
  return [m.pages.buffer as ArrayBuffer, m.data.buffer as ArrayBuffer]
}
