// Just enough of the wasm binary format to know the types of a module's
// exported functions and globals (WebAssembly.Module.exports() gives only
// their kinds), and to build the small wrapper modules the runner calls
// exports through so that floats and vectors cross as raw bits.

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref'
export interface FuncSig { params: ValType[], results: ValType[] }
export interface GlobalSig { type: ValType, mutable: boolean }
export type ExportSig = { kind: 'func', sig: FuncSig } | { kind: 'global', sig: GlobalSig } | { kind: 'other' }

const valTypes: Record<number, ValType> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' }
const valCodes: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, funcref: 0x70, externref: 0x6f }

class Unsupported extends Error {}

class Reader {
  pos = 0
  constructor (readonly b: Uint8Array, readonly end = b.length) {}
  byte (): number { if (this.pos >= this.end) throw new Unsupported('eof'); return this.b[this.pos++] }
  u32 (): number { let r = 0; let s = 0; for (;;) { const x = this.byte(); r += (x & 0x7f) * 2 ** s; s += 7; if ((x & 0x80) === 0) return r } }
  skipLeb (): void { while ((this.byte() & 0x80) !== 0) { /* skip */ } }
  valType (): ValType { const c = this.byte(); const t = valTypes[c]; if (t === undefined) throw new Unsupported(`value type 0x${c.toString(16)}`); return t }
  limits (): void { const f = this.byte(); this.skipLeb(); if ((f & 1) !== 0) this.skipLeb() }
  name (): void { const n = this.u32(); this.pos += n }
  // a constant expression, up to and including its `end`
  constExpr (): void {
    for (;;) {
      const op = this.byte()
      switch (op) {
        case 0x0b: return
        case 0x41: case 0x42: case 0x23: case 0xd2: this.skipLeb(); break
        case 0x43: this.pos += 4; break
        case 0x44: this.pos += 8; break
        case 0xd0: this.byte(); break
        case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: break
        case 0xfd: { const sub = this.u32(); if (sub !== 12) throw new Unsupported('const expr simd op'); this.pos += 16; break }
        default: throw new Unsupported(`const expr op 0x${op.toString(16)}`)
      }
    }
  }
}

/** Export name -> its type, or null when the module uses types this reader does not know. */
export function exportSigs (bytes: Uint8Array): Map<string, ExportSig> | null {
  try {
    const types: FuncSig[] = []
    const funcs: number[] = [] // type index per function index
    const globals: GlobalSig[] = []
    const out = new Map<string, ExportSig>()
    const r = new Reader(bytes)
    r.pos = 8
    while (r.pos < bytes.length) {
      const id = r.byte(); const size = r.u32(); const end = r.pos + size
      const s = new Reader(bytes, end); s.pos = r.pos
      if (id === 1) {
        for (let n = s.u32(); n > 0; n--) {
          const form = s.byte(); if (form !== 0x60) throw new Unsupported('type form')
          const params: ValType[] = []; const results: ValType[] = []
          for (let k = s.u32(); k > 0; k--) params.push(s.valType())
          for (let k = s.u32(); k > 0; k--) results.push(s.valType())
          types.push({ params, results })
        }
      } else if (id === 2) {
        for (let n = s.u32(); n > 0; n--) {
          s.name(); s.name()
          const kind = s.byte()
          if (kind === 0) funcs.push(s.u32())
          else if (kind === 1) { s.valType(); s.limits() } else if (kind === 2) s.limits()
          else if (kind === 3) { const type = s.valType(); globals.push({ type, mutable: s.byte() === 1 }) } else if (kind === 4) { s.byte(); s.u32() } else throw new Unsupported('import kind')
        }
      } else if (id === 3) {
        for (let n = s.u32(); n > 0; n--) funcs.push(s.u32())
      } else if (id === 6) {
        for (let n = s.u32(); n > 0; n--) { const type = s.valType(); const mutable = s.byte() === 1; s.constExpr(); globals.push({ type, mutable }) }
      } else if (id === 7) {
        for (let n = s.u32(); n > 0; n--) {
          const len = s.u32(); const name = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(s.pos, s.pos + len)); s.pos += len
          const kind = s.byte(); const idx = s.u32()
          if (kind === 0) {
            const sig = types[funcs[idx]]
            if (sig === undefined) throw new Unsupported('function index')
            out.set(name, { kind: 'func', sig })
          } else if (kind === 3) {
            const sig = globals[idx]
            if (sig === undefined) throw new Unsupported('global index')
            out.set(name, { kind: 'global', sig })
          } else out.set(name, { kind: 'other' })
        }
        return out
      }
      r.pos = end
    }
    return out
  } catch (err) {
    if (err instanceof Unsupported) return null
    throw err
  }
}

// ---- encoding the wrapper modules ----

function leb (n: number): number[] { const o: number[] = []; do { let b = n & 0x7f; n = Math.floor(n / 128); if (n !== 0) b |= 0x80; o.push(b) } while (n !== 0); return o }
function sleb (n: number): number[] { const o: number[] = []; for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { o.push(b); return o } o.push(b | 0x80) } }
function vec (items: number[][]): number[] { return [...leb(items.length), ...items.flat()] }
function section (id: number, body: number[]): number[] { return [id, ...leb(body.length), ...body] }
function str (s: string): number[] { const b = [...new TextEncoder().encode(s)]; return [...leb(b.length), ...b] }
function functype (p: ValType[], r: ValType[]): number[] { return [0x60, ...vec(p.map(t => [valCodes[t]])), ...vec(r.map(t => [valCodes[t]]))] }

export const isRef = (t: ValType): boolean => t === 'funcref' || t === 'externref'
const loadOp: Record<string, number[]> = { i32: [0x28, 2, 0], i64: [0x29, 3, 0], f32: [0x2a, 2, 0], f64: [0x2b, 3, 0], v128: [0xfd, 0, 4, 0] }
const storeOp: Record<string, number[]> = { i32: [0x36, 2, 0], i64: [0x37, 3, 0], f32: [0x38, 2, 0], f64: [0x39, 3, 0], v128: [0xfd, 11, 4, 0] }

/** Slot i of arguments is at 16*i, slot i of results at RESULTS + 16*i. */
export const RESULTS = 0x8000

function header (): number[] { return [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0] }

/**
 * (module (import "m" "t" (table 1 funcref)) (import "m" "mem" (memory 1))
 *   (func (export "call") (param <ref params>) (result <ref results>)
 *     <numeric args loaded from their slots, refs from params>
 *     (call_indirect (type sig) (i32.const 0))
 *     <numeric results stored into their slots, refs returned>))
 */
export function callWrapper (sig: FuncSig): Uint8Array {
  const refParams = sig.params.filter(isRef); const refResults = sig.results.filter(isRef)
  const types = section(1, vec([functype(sig.params, sig.results), functype(refParams, refResults)]))
  const imports = section(2, vec([
    [...str('m'), ...str('t'), 1, 0x70, 0, 1],
    [...str('m'), ...str('mem'), 2, 0, 1]
  ]))
  const funcs = section(3, vec([[1]]))
  const exports = section(7, vec([[...str('call'), 0, 0]]))
  const body: number[] = []
  let refIdx = 0
  sig.params.forEach((t, i) => {
    if (isRef(t)) body.push(0x20, ...leb(refIdx++))
    else body.push(0x41, ...sleb(16 * i), ...loadOp[t])
  })
  body.push(0x41, 0, 0x11, 0, 0) // i32.const 0; call_indirect type 0 table 0
  // results into locals (after the ref params), last first
  const base = refParams.length
  for (let i = sig.results.length - 1; i >= 0; i--) body.push(0x21, ...leb(base + i))
  sig.results.forEach((t, i) => {
    if (isRef(t)) return
    body.push(0x41, ...sleb(RESULTS + 16 * i), 0x20, ...leb(base + i), ...storeOp[t])
  })
  sig.results.forEach((t, i) => { if (isRef(t)) body.push(0x20, ...leb(base + i)) })
  body.push(0x0b)
  const locals = vec(sig.results.map(t => [1, valCodes[t]]))
  const fn = [...locals, ...body]
  const code = section(10, vec([[...leb(fn.length), ...fn]]))
  return new Uint8Array([...header(), ...types, ...imports, ...funcs, ...exports, ...code])
}

/** (module (import "m" "g" (global T)) (import "m" "mem" (memory 1)) (func (export "get") (result ref?) ...)) */
export function getWrapper (g: GlobalSig): Uint8Array {
  const ref = isRef(g.type)
  const types = section(1, vec([functype([], ref ? [g.type] : [])]))
  const imports = section(2, vec([
    [...str('m'), ...str('g'), 3, valCodes[g.type], g.mutable ? 1 : 0],
    [...str('m'), ...str('mem'), 2, 0, 1]
  ]))
  const funcs = section(3, vec([[0]]))
  const exports = section(7, vec([[...str('get'), 0, 0]]))
  const body = ref ? [0x23, 0, 0x0b] : [0x41, ...sleb(RESULTS), 0x23, 0, ...storeOp[g.type], 0x0b]
  const fn = [0, ...body]
  const code = section(10, vec([[...leb(fn.length), ...fn]]))
  return new Uint8Array([...header(), ...types, ...imports, ...funcs, ...exports, ...code])
}

/**
 * The spectest module's functions as wasm functions of the spec's types
 * (test/core/README, interpreter/host/spectest.ml), so a module importing one
 * with another type fails to link as the spec says; a JS function would link
 * to any type.
 */
export function spectestFuncsModule (): Uint8Array {
  const fns: Array<[string, ValType[]]> = [
    ['print', []], ['print_i32', ['i32']], ['print_i64', ['i64']], ['print_f32', ['f32']],
    ['print_f64', ['f64']], ['print_i32_f32', ['i32', 'f32']], ['print_f64_f64', ['f64', 'f64']]
  ]
  const types = section(1, vec(fns.map(([, p]) => functype(p, []))))
  const funcs = section(3, vec(fns.map((_, i) => [i])))
  const exports = section(7, vec(fns.map(([n], i) => [...str(n), 0, i])))
  const code = section(10, vec(fns.map(() => [2, 0, 0x0b])))
  return new Uint8Array([...header(), ...types, ...funcs, ...exports, ...code])
}
