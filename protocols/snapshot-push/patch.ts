/**
 * Sub-block deltas: a memory chunk that changed in a few pages travels as
 * those pages against the version the receiver has (its base). The result
 * is verified against the block's CID like any block.
 */
import { ProtocolError } from './errors.js'

/** Granularity of a patch: a wasm page is 64 KiB, an OS page 4 KiB. */
export const PATCH_PAGE = 4096

/** Ranges of `next` that differ from `base` (page granularity, adjacent pages merged); undefined if more than `limit` bytes. */
export function diff (base: Uint8Array, next: Uint8Array, limit: number): Array<[number, Uint8Array]> | undefined {
  const a = Buffer.from(base.buffer, base.byteOffset, base.byteLength)
  const b = Buffer.from(next.buffer, next.byteOffset, next.byteLength)
  const out: Array<[number, Uint8Array]> = []
  let bytes = 0
  let start = -1
  for (let p = 0; p < b.byteLength; p += PATCH_PAGE) {
    const end = Math.min(p + PATCH_PAGE, b.byteLength)
    const same = end <= a.byteLength && b.compare(a, p, end, p, end) === 0
    if (!same && start < 0) start = p
    if (same && start >= 0) { out.push([start, next.subarray(start, p)]); bytes += p - start; start = -1 }
    if (bytes > limit) return undefined
  }
  if (start >= 0) { out.push([start, next.subarray(start)]); bytes += b.byteLength - start }
  return bytes > limit ? undefined : out
}

/** Apply ranges to a copy of `base`, giving `total` bytes. */
export function apply (base: Uint8Array, total: number, ranges: Array<[number, Uint8Array]>): Uint8Array {
  const out = new Uint8Array(total)
  out.set(base.subarray(0, Math.min(base.byteLength, total)))
  for (const [off, b] of ranges) {
    if (off + b.byteLength > total) throw new ProtocolError(`patch range ${off}+${b.byteLength} past the block's ${total} bytes`)
    out.set(b, off)
  }
  return out
}
