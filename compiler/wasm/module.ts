/**
 * Reads a module's sections into a plain description: types, imports,
 * function signatures, tables, memories, globals, exports, start, element
 * and data segments, and the byte ranges of the function bodies. Bodies
 * are decoded later, one function at a time (code.ts). Every read is
 * bounded; failures are MalformedModuleErrors naming the offset.
 */
import { LimitError, MalformedModuleError } from '../errors.js'
import { WasmReader } from '../wasm-reader.js'
import { isValType, typeName } from './opcodes.js'

export interface FuncType { params: number[], results: number[] }
export type ExternKind = 'function' | 'table' | 'memory' | 'global' | 'tag'
export interface Limits { flags: number, initial: number, maximum?: number }

export interface Import {
  module: string
  name: string
  kind: ExternKind
  /** function: type index; global: value type */
  type: number
  mutable?: boolean
  limits?: Limits
}

export interface Global { type: number, mutable: boolean, imported: boolean, init?: [number, number] }
export interface Table { ref: number, limits: Limits, imported: boolean }
export interface Memory { limits: Limits, imported: boolean }
export interface Export { name: string, kind: ExternKind, index: number, /** raw name bytes */ raw: [number, number] }

export interface ElemSegment {
  flags: number
  table: number
  /** Byte range of the offset expression (active segments). */
  offset?: [number, number]
  /** Element kind byte or reference type. */
  refType: number
  /** Function indexes (flags 0-3), or byte ranges of init expressions (flags 4-7). */
  funcs?: number[]
  exprs?: Array<[number, number]>
}

export interface Body { start: number, end: number }

export interface Section { id: number, start: number, end: number, name?: string }

export interface WasmModule {
  bytes: Uint8Array
  types: FuncType[]
  imports: Import[]
  /** Type index of every function, imported ones first. */
  funcTypes: number[]
  importedFuncs: number
  tables: Table[]
  memories: Memory[]
  globals: Global[]
  exports: Export[]
  start?: number
  elems: ElemSegment[]
  dataCount?: number
  dataSegments: number
  bodies: Body[]
  /** Every section in file order with its contents' byte range. */
  sections: Section[]
}

export interface ModuleLimits {
  maxFunctions?: number
  maxTypes?: number
  maxImports?: number
  maxTableSize?: number
}

const KINDS: ExternKind[] = ['function', 'table', 'memory', 'global', 'tag']
const ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 }

function valType (r: WasmReader): number {
  const t = r.u8()
  if (!isValType(t)) r.fail(`unsupported value type 0x${t.toString(16)}`)
  return t
}

/** Skip a constant expression; return its byte range (including `end`). */
export function skipConstExpr (r: WasmReader): [number, number] {
  const start = r.p
  for (let n = 0; ; n++) {
    if (n > 1000) r.fail('constant expression too long')
    const op = r.u8()
    switch (op) {
      case 0x0b: return [start, r.p]
      case 0x41: r.skipSleb(32); break
      case 0x42: r.skipSleb(64); break
      case 0x43: r.skip(4); break
      case 0x44: r.skip(8); break
      case 0xd0: r.s33(); break
      case 0xd2: case 0x23: r.u32(); break
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: break
      case 0xfd: { const sub = r.u32(); if (sub !== 12) r.fail(`instruction 0xfd ${sub} in a constant expression`); r.skip(16); break }
      default: r.fail(`instruction 0x${op.toString(16)} in a constant expression`)
    }
  }
}

export function parseModule (bytes: Uint8Array, limits: ModuleLimits = {}): WasmModule {
  if (bytes.byteLength < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new MalformedModuleError('not a WebAssembly module (bad magic number)')
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) throw new MalformedModuleError('unsupported WebAssembly binary version')
  const maxFunctions = limits.maxFunctions ?? 1_000_000
  const m: WasmModule = {
    bytes, types: [], imports: [], funcTypes: [], importedFuncs: 0, tables: [], memories: [], globals: [], exports: [], elems: [], dataSegments: 0, bodies: [], sections: []
  }
  let definedFuncs = -1
  let last = 0
  const r = new WasmReader(bytes, 8)
  while (!r.done) {
    const id = r.u8()
    const size = r.u32()
    if (size > r.end - r.p) r.fail(`section ${id} of ${size} bytes runs past the end of the module`)
    const s = new WasmReader(bytes, r.p, r.p + size)
    const sec: Section = { id, start: r.p, end: r.p + size }
    r.p += size
    if (id !== 0) {
      const ord = ORDER[id]
      if (ord === undefined) s.fail(`unknown section id ${id}`)
      if (ord <= last) s.fail(`section ${id} out of order or repeated`)
      last = ord
    }
    m.sections.push(sec)
    switch (id) {
      case 0: sec.name = s.name(); continue
      case 1: {
        const n = s.u32()
        if (n > (limits.maxTypes ?? 1_000_000)) throw new LimitError(`${n} types`)
        for (let i = 0; i < n; i++) {
          const form = s.u8()
          if (form !== 0x60) s.fail(`unsupported type form 0x${form.toString(16)} (only function types)`)
          const params: number[] = []; const results: number[] = []
          for (let k = s.u32(); k > 0; k--) params.push(valType(s))
          for (let k = s.u32(); k > 0; k--) results.push(valType(s))
          m.types.push({ params, results })
        }
        break
      }
      case 2: {
        const n = s.u32()
        if (n > (limits.maxImports ?? 100_000)) throw new LimitError(`${n} imports`)
        for (let i = 0; i < n; i++) {
          const module = s.name(); const name = s.name()
          const k = s.u8()
          const kind = KINDS[k] ?? s.fail(`bad import kind ${k}`)
          const imp: Import = { module, name, kind, type: 0 }
          if (kind === 'function') {
            imp.type = s.u32()
            if (imp.type >= m.types.length) s.fail(`import ${module}.${name}: type ${imp.type} out of range`)
            m.funcTypes.push(imp.type); m.importedFuncs++
          } else if (kind === 'table') {
            imp.type = valType(s); imp.limits = s.limits()
            m.tables.push({ ref: imp.type, limits: imp.limits, imported: true })
          } else if (kind === 'memory') {
            imp.limits = s.limits(); m.memories.push({ limits: imp.limits, imported: true })
          } else if (kind === 'global') {
            imp.type = valType(s)
            const mu = s.u8(); if (mu > 1) s.fail('bad global mutability')
            imp.mutable = mu === 1
            m.globals.push({ type: imp.type, mutable: imp.mutable, imported: true })
          } else { s.u8(); s.u32() }
          m.imports.push(imp)
        }
        break
      }
      case 3: {
        const n = s.u32()
        if (n > maxFunctions) throw new LimitError(`module defines ${n} functions, over the limit of ${maxFunctions}`)
        definedFuncs = n
        for (let i = 0; i < n; i++) {
          const t = s.u32()
          if (t >= m.types.length) s.fail(`function ${i}: type ${t} out of range`)
          m.funcTypes.push(t)
        }
        break
      }
      case 4:
        for (let n = s.u32(); n > 0; n--) {
          const ref = valType(s)
          const l = s.limits()
          if (l.initial > (limits.maxTableSize ?? 10_000_000)) throw new LimitError(`table of ${l.initial} entries, over the limit of ${limits.maxTableSize}`)
          m.tables.push({ ref, limits: l, imported: false })
        }
        break
      case 5:
        for (let n = s.u32(); n > 0; n--) {
          const l = s.limits()
          const most = (l.flags & 4) !== 0 ? 2 ** 48 : 65536
          if (l.initial > most || (l.maximum ?? 0) > most) s.fail(`memory of ${Math.max(l.initial, l.maximum ?? 0)} pages, over ${most}`)
          if (l.maximum !== undefined && l.maximum < l.initial) s.fail('memory maximum below its minimum')
          m.memories.push({ limits: l, imported: false })
        }
        break
      case 6:
        for (let n = s.u32(); n > 0; n--) {
          const type = valType(s)
          const mu = s.u8(); if (mu > 1) s.fail('bad global mutability')
          m.globals.push({ type, mutable: mu === 1, imported: false, init: skipConstExpr(s) })
        }
        break
      case 7:
        for (let n = s.u32(); n > 0; n--) {
          const at = s.p
          const name = s.name(); const raw: [number, number] = [at, s.p]; const k = s.u8()
          m.exports.push({ name, kind: KINDS[k] ?? s.fail(`bad export kind ${k}`), index: s.u32(), raw })
        }
        break
      case 8: m.start = s.u32(); break
      case 9:
        for (let n = s.u32(); n > 0; n--) {
          const e = readElem(s)
          // checked here: the instrumentation adds an import, after which an
          // index one past the end would name a function
          for (const f of e.funcs ?? []) if (f >= m.funcTypes.length) s.fail(`element segment names function ${f}, out of range`)
          m.elems.push(e)
        }
        break
      case 12: m.dataCount = s.u32(); break
      case 10: {
        const n = s.u32()
        if (n !== Math.max(definedFuncs, 0)) s.fail(`code section has ${n} bodies for ${Math.max(definedFuncs, 0)} functions`)
        for (let i = 0; i < n; i++) {
          const len = s.u32()
          if (len > s.end - s.p) s.fail(`function body ${i} runs past the end of the code section`)
          m.bodies.push({ start: s.p, end: s.p + len })
          s.p += len
        }
        break
      }
      case 11: {
        const n = s.u32()
        m.dataSegments = n
        if (m.dataCount !== undefined && n !== m.dataCount) s.fail(`data count ${m.dataCount} but ${n} data segments`)
        s.p = s.end // contents copied verbatim
        break
      }
      case 13: s.fail('exception handling (tag section) is not supported')
    }
    if (s.p !== s.end) s.fail(`section ${id} has ${s.end - s.p} bytes left over`)
  }
  if (definedFuncs > 0 && m.bodies.length === 0) throw new MalformedModuleError(`function section declares ${definedFuncs} functions but there is no code section`)
  for (const e of m.exports) {
    const n = e.kind === 'function' ? m.funcTypes.length : e.kind === 'table' ? m.tables.length : e.kind === 'memory' ? m.memories.length : e.kind === 'global' ? m.globals.length : 0
    if (e.index >= n) throw new MalformedModuleError(`export ${JSON.stringify(e.name)}: ${e.kind} ${e.index} out of range`)
  }
  if (m.start !== undefined && m.start >= m.funcTypes.length) throw new MalformedModuleError(`start function ${m.start} out of range`)
  return m
}

function readElem (s: WasmReader): ElemSegment {
  const flags = s.u32()
  if (flags > 7) s.fail(`bad element segment flags ${flags}`)
  const e: ElemSegment = { flags, table: 0, refType: 0x70 }
  if ((flags & 1) === 0) { // active
    if ((flags & 2) !== 0) e.table = s.u32()
    e.offset = skipConstExpr(s)
  }
  const exprs = (flags & 4) !== 0
  if ((flags & 3) !== 0) {
    const k = s.u8()
    if (exprs) { if (!isValType(k)) s.fail(`bad element type ${typeName(k)}`); e.refType = k } else if (k !== 0) s.fail(`bad element kind ${k}`)
  }
  const n = s.u32()
  if (n > 10_000_000) s.fail(`${n} elements`)
  if (exprs) {
    e.exprs = []
    for (let i = 0; i < n; i++) e.exprs.push(skipConstExpr(s))
  } else {
    e.funcs = []
    for (let i = 0; i < n; i++) e.funcs.push(s.u32())
  }
  return e
}
