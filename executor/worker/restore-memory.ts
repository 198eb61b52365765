/**
 * Writing a snapshot's memory into a fresh linear memory. A fresh memory
 * reads as zeros without touching a page; writing zeros into it makes the
 * kernel fault in and clear every page anyway. Snapshots are mostly zero
 * (a 1.2 MiB idle cat has ~100 KiB of data), so only the 4 KiB pages that
 * are not all zero are copied: restoring an idle cat went from ~2.9 ms to
 * ~0.4 ms (doc/rationale.md, "Why hibernate idle instances, and how").
 */
import { isZero } from '../zero.js'

const PAGE = 4096

/** Copy `src` into `dst` (a fresh, all-zero memory at least as large), skipping pages of zeros. */
export function copyIntoFresh (dst: Uint8Array, src: Uint8Array): void {
  if (src.byteLength > dst.byteLength) throw new RangeError(`memory of ${src.byteLength} bytes does not fit in ${dst.byteLength}`)
  let run = -1
  for (let off = 0; off < src.byteLength; off += PAGE) {
    const end = Math.min(off + PAGE, src.byteLength)
    if (isZero(src.subarray(off, end))) {
      if (run >= 0) { dst.set(src.subarray(run, off), run); run = -1 }
    } else if (run < 0) run = off
  }
  if (run >= 0) dst.set(src.subarray(run), run)
}
