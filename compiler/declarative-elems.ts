/**
 * Binaryen drops declarative element segments when it reads a module, so a
 * `table.init` or `elem.drop` naming one makes the module unreadable to it
 * ("invalid element segment index"). A declarative segment is dropped at
 * instantiation, which is observably the same as an empty passive segment:
 * both have length 0 for table.init bounds checks, and elem.drop of either
 * does nothing. This rewrites each declarative segment into an empty passive
 * one before Binaryen reads the module; Binaryen then declares the functions
 * that `ref.func` needs on its own when it writes the module back.
 */

class Bytes {
  p: number
  constructor (readonly b: Uint8Array, p = 0) { this.p = p }
  u8 (): number {
    if (this.p >= this.b.length) throw new RangeError('truncated')
    return this.b[this.p++]
  }

  leb (): number {
    let r = 0; let s = 0; let x: number
    do { x = this.u8(); r += (x & 0x7f) * 2 ** s; s += 7 } while ((x & 0x80) !== 0 && s < 70)
    return r
  }

  skip (n: number): void { this.p += n }
  /** Skip a constant expression up to and including its `end`. */
  constExpr (): void {
    for (;;) {
      const op = this.u8()
      if (op === 0x0b) return
      if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) this.leb()
      else if (op === 0x43) this.skip(4)
      else if (op === 0x44) this.skip(8)
      else if (op === 0xd0) this.leb()
      else if (op === 0xfd) { this.leb(); this.skip(16) } else if (op >= 0x6a && op <= 0x7e) { /* extended-const arithmetic */ } else throw new RangeError(`const expr op 0x${op.toString(16)}`)
    }
  }
}

function uleb (v: number): number[] {
  const o: number[] = []
  do { let x = v & 0x7f; v = Math.floor(v / 128); if (v !== 0) x |= 0x80; o.push(x) } while (v !== 0)
  return o
}

/** Returns the module with declarative element segments emptied, or the input if it has none. */
export function emptyDeclarativeSegments (bytes: Uint8Array): Uint8Array {
  try {
    const r = new Bytes(bytes, 8)
    while (r.p < bytes.length) {
      const hdr = r.p
      const id = r.u8()
      const size = r.leb()
      const start = r.p
      const end = start + size
      if (id !== 9) { r.p = end; continue }
      const count = r.leb()
      const out: number[] = uleb(count)
      let changed = false
      for (let i = 0; i < count; i++) {
        const segStart = r.p
        const flags = r.leb()
        if (flags === 3 || flags === 7) {
          const kind = r.u8() // elemkind 0x00, or a reftype byte
          const n = r.leb()
          for (let k = 0; k < n; k++) { if (flags === 3) r.leb(); else r.constExpr() }
          out.push(flags === 3 ? 1 : 5, kind, 0)
          changed = true
          continue
        }
        if (flags === 2 || flags === 6) r.leb()
        if (flags === 0 || flags === 2 || flags === 4 || flags === 6) r.constExpr()
        if (flags === 1 || flags === 2 || flags === 5 || flags === 6) r.u8()
        const n = r.leb()
        for (let k = 0; k < n; k++) { if (flags < 4) r.leb(); else r.constExpr() }
        for (let k = segStart; k < r.p; k++) out.push(bytes[k])
      }
      if (!changed || r.p !== end) return bytes
      const body = new Uint8Array(out)
      const head = [id, ...uleb(body.length)]
      const before = bytes.subarray(0, hdr)
      const after = bytes.subarray(end)
      const merged = new Uint8Array(before.length + head.length + body.length + after.length)
      merged.set(before, 0)
      merged.set(head, before.length)
      merged.set(body, before.length + head.length)
      merged.set(after, before.length + head.length + body.length)
      return merged
    }
  } catch {}
  return bytes
}
