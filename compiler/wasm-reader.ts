/**
 * A bounded reader for the wasm binary format: every read checks the end of
 * its window, LEB128s check their length, and failures are
 * MalformedModuleErrors naming the byte offset.
 */
import { MalformedModuleError } from './errors.js'

export class WasmReader {
  p: number
  end: number
  constructor (readonly b: Uint8Array, start = 0, end = b.length) {
    this.p = start
    this.end = end
  }

  fail (what: string): never { throw new MalformedModuleError(`${what} at byte ${this.p}`) }

  get done (): boolean { return this.p >= this.end }

  u8 (): number {
    if (this.p >= this.end) this.fail('unexpected end')
    return this.b[this.p++]
  }

  /** Unsigned LEB128 of at most `bits` bits (32 by default). */
  u32 (bits = 32): number {
    let result = 0
    let shift = 0
    const maxBytes = Math.ceil(bits / 7)
    for (let i = 0; i < maxBytes; i++) {
      const x = this.u8()
      result += (x & 0x7f) * 2 ** shift
      shift += 7
      if ((x & 0x80) === 0) {
        if (result >= 2 ** bits) this.fail('integer too large')
        return result
      }
    }
    return this.fail('integer representation too long')
  }

  /** Skip a signed LEB128 of at most `bits` bits. */
  skipSleb (bits: number): void {
    const maxBytes = Math.ceil(bits / 7)
    for (let i = 0; i < maxBytes; i++) if ((this.u8() & 0x80) === 0) return
    this.fail('integer representation too long')
  }

  /** Signed LEB128 of at most 33 bits (block types), as a number. */
  s33 (): number {
    let result = 0
    let shift = 0
    for (let i = 0; i < 5; i++) {
      const x = this.u8()
      result += (x & 0x7f) * 2 ** shift
      shift += 7
      if ((x & 0x80) === 0) {
        if ((x & 0x40) !== 0) result -= 2 ** shift
        return result
      }
    }
    return this.fail('integer representation too long')
  }

  skip (n: number): void {
    if (n > this.end - this.p) this.fail(`length ${n} runs past the end`)
    this.p += n
  }

  bytes (n: number): Uint8Array {
    if (n > this.end - this.p) this.fail(`length ${n} runs past the end`)
    const out = this.b.subarray(this.p, this.p + n)
    this.p += n
    return out
  }

  name (): string {
    const n = this.u32()
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes(n))
    } catch (err) {
      if (err instanceof MalformedModuleError) throw err
      return this.fail('malformed UTF-8 name')
    }
  }

  /** Limits: {initial, maximum?, flags}. */
  limits (): { flags: number, initial: number, maximum?: number } {
    const flags = this.u8()
    if (flags > 7) this.fail(`bad limits flags 0x${flags.toString(16)}`)
    const bits = (flags & 4) !== 0 ? 64 : 32
    const initial = this.u32(bits)
    const maximum = (flags & 1) !== 0 ? this.u32(bits) : undefined
    return { flags, initial, maximum }
  }
}
