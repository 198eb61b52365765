/**
 * Bounds-checked access to the program's linear memory. Make a new view for
 * every import call: memory may have grown (and its buffer been replaced)
 * since the last one.
 */
import { MemoryFault } from './errors.js'

export interface IoVec { ptr: number, len: number }

export class MemoryView {
  readonly u8: Uint8Array
  readonly dv: DataView

  constructor (memory: WebAssembly.Memory) {
    const buf = memory.buffer
    this.u8 = new Uint8Array(buf)
    this.dv = new DataView(buf)
  }

  /** Throw MemoryFault unless [ptr, ptr+len) lies in memory. */
  check (ptr: number, len: number): void {
    if (ptr < 0 || len < 0 || ptr + len > this.u8.byteLength) throw new MemoryFault(ptr, len)
  }

  u8At (ptr: number): number { this.check(ptr, 1); return this.u8[ptr] }
  u16 (ptr: number): number { this.check(ptr, 2); return this.dv.getUint16(ptr, true) }
  u32 (ptr: number): number { this.check(ptr, 4); return this.dv.getUint32(ptr, true) }
  u64 (ptr: number): bigint { this.check(ptr, 8); return this.dv.getBigUint64(ptr, true) }

  setU8 (ptr: number, v: number): void { this.check(ptr, 1); this.u8[ptr] = v }
  setU16 (ptr: number, v: number): void { this.check(ptr, 2); this.dv.setUint16(ptr, v, true) }
  setU32 (ptr: number, v: number): void { this.check(ptr, 4); this.dv.setUint32(ptr, v, true) }
  setU64 (ptr: number, v: bigint): void { this.check(ptr, 8); this.dv.setBigUint64(ptr, BigInt.asUintN(64, v), true) }

  /** A copy of [ptr, ptr+len). */
  read (ptr: number, len: number): Uint8Array { this.check(ptr, len); return this.u8.slice(ptr, ptr + len) }
  write (ptr: number, data: Uint8Array): void { this.check(ptr, data.byteLength); this.u8.set(data, ptr) }

  /** Parse and bounds-check `cnt` iovecs `{u32 ptr, u32 len}` at `ptr`. */
  iovecs (ptr: number, cnt: number): IoVec[] {
    this.check(ptr, cnt * 8)
    const out: IoVec[] = []
    for (let i = 0; i < cnt; i++) {
      const p = this.dv.getUint32(ptr + i * 8, true)
      const len = this.dv.getUint32(ptr + i * 8 + 4, true)
      this.check(p, len)
      out.push({ ptr: p, len })
    }
    return out
  }

  /** Gather the bytes of iovecs into one buffer. */
  gather (iovs: IoVec[]): Uint8Array {
    const out = new Uint8Array(totalLength(iovs))
    let off = 0
    for (const v of iovs) { out.set(this.u8.subarray(v.ptr, v.ptr + v.len), off); off += v.len }
    return out
  }

  /** Scatter `data` over iovecs (in order); returns bytes written. */
  scatter (iovs: IoVec[], data: Uint8Array): number {
    let off = 0
    for (const v of iovs) {
      if (off >= data.byteLength) break
      const n = Math.min(v.len, data.byteLength - off)
      this.u8.set(data.subarray(off, off + n), v.ptr)
      off += n
    }
    return off
  }
}

export function totalLength (iovs: IoVec[]): number {
  let n = 0
  for (const v of iovs) n += v.len
  return n
}

/** An i32 import argument as an unsigned address. */
export const u32 = (v: number): number => v >>> 0
