// A tiny wasm module builder for the compiler's fuzz tests: raw opcodes in,
// a binary module out. No checking: the tests feed it valid code by design.

import { I32, I64, F32, F64, V128, FUNCREF } from '../../../compiler/wasm/opcodes.js'
export { I32, I64, F32, F64, V128, FUNCREF }

export function uleb (n: number | bigint, out: number[] = []): number[] {
  let v = BigInt(n)
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v !== 0n) b |= 0x80
    out.push(b)
  } while (v !== 0n)
  return out
}

export function sleb (n: number | bigint, out: number[] = []): number[] {
  let v = BigInt(n)
  for (;;) {
    const b = Number(v & 0x7fn)
    v >>= 7n
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) { out.push(b); return out }
    out.push(b | 0x80)
  }
}

export function f32bytes (x: number): number[] { const b = new Uint8Array(4); new DataView(b.buffer).setFloat32(0, x, true); return [...b] }
export function f64bytes (x: number): number[] { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, x, true); return [...b] }

function str (s: string): number[] { const b = new TextEncoder().encode(s); return [...uleb(b.length), ...b] }
function vec (items: number[][]): number[] { return [...uleb(items.length), ...items.flat()] }
function section (id: number, body: number[]): number[] { return body.length === 0 ? [] : [id, ...uleb(body.length), ...body] }

export interface Func { type: number, locals: number[], body: number[] }

export class ModuleBuilder {
  types: Array<{ p: number[], r: number[] }> = []
  imports: Array<{ module: string, name: string, type: number }> = []
  funcs: Func[] = []
  table?: { min: number, max?: number }
  elems: number[] = []
  memory?: { min: number, max?: number }
  globals: Array<{ t: number, mut: boolean, init: number[] }> = []
  exports: Array<{ name: string, kind: number, index: number }> = []
  data: Array<{ offset: number, bytes: number[] }> = []
  start?: number

  type (p: number[], r: number[]): number {
    const i = this.types.findIndex(t => t.p.join() === p.join() && t.r.join() === r.join())
    if (i >= 0) return i
    this.types.push({ p, r })
    return this.types.length - 1
  }

  importFunc (module: string, name: string, p: number[], r: number[]): number {
    this.imports.push({ module, name, type: this.type(p, r) })
    return this.imports.length - 1
  }

  /** Adds a function; returns its function index (imports first). */
  func (p: number[], r: number[], locals: number[], body: number[]): number {
    this.funcs.push({ type: this.type(p, r), locals, body })
    return this.imports.length + this.funcs.length - 1
  }

  global (t: number, mut: boolean, init: number[]): number { this.globals.push({ t, mut, init }); return this.globals.length - 1 }
  export (name: string, kind: number, index: number): void { this.exports.push({ name, kind, index }) }

  bytes (): Uint8Array {
    const out: number[] = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]
    const limits = (l: { min: number, max?: number }): number[] => l.max === undefined ? [0, ...uleb(l.min)] : [1, ...uleb(l.min), ...uleb(l.max)]
    if (this.types.length > 0) out.push(...section(1, vec(this.types.map(t => [0x60, ...vec(t.p.map(x => [x])), ...vec(t.r.map(x => [x]))]))))
    if (this.imports.length > 0) out.push(...section(2, vec(this.imports.map(i => [...str(i.module), ...str(i.name), 0, ...uleb(i.type)]))))
    if (this.funcs.length > 0) out.push(...section(3, vec(this.funcs.map(f => uleb(f.type)))))
    if (this.table != null) out.push(...section(4, vec([[FUNCREF, ...limits(this.table)]])))
    if (this.memory != null) out.push(...section(5, vec([limits(this.memory)])))
    if (this.globals.length > 0) out.push(...section(6, vec(this.globals.map(g => [g.t, g.mut ? 1 : 0, ...g.init, 0x0b]))))
    if (this.exports.length > 0) out.push(...section(7, vec(this.exports.map(e => [...str(e.name), e.kind, ...uleb(e.index)]))))
    if (this.start !== undefined) out.push(...section(8, uleb(this.start)))
    if (this.elems.length > 0) out.push(...section(9, vec([[0, 0x41, 0, 0x0b, ...vec(this.elems.map(e => uleb(e)))]])))
    if (this.funcs.length > 0) {
      out.push(...section(10, vec(this.funcs.map(f => {
        const runs: number[][] = []
        for (const l of f.locals) {
          const last = runs[runs.length - 1]
          if (last !== undefined && last[1] === l) last[0]++
          else runs.push([1, l])
        }
        const body = [...vec(runs.map(([n, t]) => [...uleb(n), t])), ...f.body, 0x0b]
        return [...uleb(body.length), ...body]
      }))))
    }
    if (this.data.length > 0) out.push(...section(11, vec(this.data.map(d => [0, 0x41, ...sleb(d.offset), 0x0b, ...vec(d.bytes.map(b => [b]))]))))
    return new Uint8Array(out)
  }
}
