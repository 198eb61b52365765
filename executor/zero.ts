/** All-zero tests of memory and file chunks (snapshot/format.ts, host/vfs/file-data.ts). */

let ZERO = Buffer.alloc(256 * 1024)

/** memcmp against zeros: native speed, unlike a JS byte or word loop. */
export function isZero (b: Uint8Array): boolean {
  if (b.byteLength > ZERO.byteLength) ZERO = Buffer.alloc(b.byteLength)
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(ZERO.subarray(0, b.byteLength))
}
