/**
 * Assembles the instrumented module: the original sections with function
 * indexes renumbered (the interrupt import is added after the last
 * imported function, so defined functions move up by one), the added
 * types, globals (counter, state, frame stack pointer), the frame memory,
 * the exports the runtime uses, the instrumented bodies, and the small
 * helper functions that save and load frames.
 */
import { EXPORT_COUNTER, EXPORT_FRAMES, EXPORT_GLOBAL_PREFIX, EXPORT_QUANTUM, EXPORT_SP, EXPORT_START, EXPORT_STATE } from '../exports.js'
import { InstrumentError } from '../instrument-errors.js'
import { WasmReader } from '../wasm-reader.js'
import type { FuncType, WasmModule } from '../wasm/module.js'
import { F32, F64, I32, I64, V128, isNumeric, typeName } from '../wasm/opcodes.js'
import { ByteWriter } from '../wasm/writer.js'
import { typeKey } from './plan.js'

export interface OutOptions {
  interruptImport: [string, string]
  /** Import memory 0 from [module, name] instead of defining it. */
  importMemory?: [string, string]
  /**
   * Import the frame memory as [module, name] instead of defining it, where
   * every memory of the program is an import by then (the host gives all
   * instances of a worker one frame memory: one address-space reservation
   * per instance instead of two). Otherwise it is defined, as without this.
   */
  importFrames?: [string, string]
  /** Replace the start section by an export the host calls on a fresh start. */
  startToExport: boolean
  initialCounter: number
  /** Frames in a memory of their own (multi-memory) with this maximum in pages; 0: in memory 0 (only where unwinding never happens: the spec hook). */
  framePages: number
  snapshotSafe: boolean
  /** Export mutable globals for snapshots. */
  exportGlobals: boolean
  /** Leave parts out, to measure what each costs (bench/tricks.ts); the result cannot be suspended correctly. */
  unsafeOmit?: Array<'unwind-checks' | 'dispatch' | 'counter' | 'leaf-counter' | 'saved-locals'>
  /** Write the branch hint section. */
  branchHints?: boolean
}

const SIZE: Record<number, number> = { [I32]: 4, [I64]: 8, [F32]: 4, [F64]: 8, [V128]: 16 }
const LOAD: Record<number, number> = { [I32]: 0x28, [I64]: 0x29, [F32]: 0x2a, [F64]: 0x2b }
const STORE: Record<number, number> = { [I32]: 0x36, [I64]: 0x37, [F32]: 0x38, [F64]: 0x39 }

interface Helper { type: number, body: (w: ByteWriter) => void }

export class OutModule {
  readonly types: FuncType[]
  private readonly typeIdx = new Map<string, number>()
  readonly shift = 1
  readonly gCounter: number
  readonly gState: number
  readonly gSp: number
  readonly gQuantum: number
  readonly fInterrupt: number
  readonly frameMem: number
  private readonly ownFrameMemory: boolean
  /** The frame memory is the import opts.importFrames (after the program's memory imports: its index stays frameMem). */
  readonly framesImported: boolean
  private readonly helpers: Helper[] = []
  private readonly helperIdx = new Map<string, number>()
  readonly globalsOut: Array<{ name: string, type: 'i32' | 'i64' | 'f32' | 'f64' }> = []

  constructor (readonly m: WasmModule, readonly blocking: Set<number>, readonly opts: OutOptions) {
    this.types = [...m.types]
    m.types.forEach((t, i) => { const k = typeKey(t); if (!this.typeIdx.has(k)) this.typeIdx.set(k, i) })
    this.gCounter = m.globals.length
    this.gState = m.globals.length + 1
    this.gSp = m.globals.length + 2
    this.gQuantum = m.globals.length + 3
    this.fInterrupt = m.importedFuncs
    if (opts.snapshotSafe && m.memories.length > 1) throw new InstrumentError('modules with more than one memory are not supported')
    if (opts.framePages === 0 && m.memories.length > 0 && (m.memories[0].limits.flags & 4) !== 0) throw new InstrumentError('frames cannot live in a 64-bit memory 0')
    this.ownFrameMemory = opts.framePages > 0 || m.memories.length === 0
    this.frameMem = opts.framePages > 0 ? m.memories.length : 0
    const defined = m.memories.find(x => !x.imported)
    this.framesImported = opts.importFrames != null && opts.framePages > 0 && m.memories.every(x => x.imported || (opts.importMemory != null && x === defined))
    this.snapshotSafe = opts.snapshotSafe
    this.omit = new Set(opts.unsafeOmit ?? [])
    this.branchHints = opts.branchHints === true
  }

  readonly omit: Set<string>
  readonly branchHints: boolean

  readonly snapshotSafe: boolean

  func (f: number): number { return f >= this.m.importedFuncs ? f + this.shift : f }

  typeIndex (params: number[], results: number[]): number {
    const k = typeKey({ params, results })
    let i = this.typeIdx.get(k)
    if (i === undefined) { i = this.types.length; this.types.push({ params, results }); this.typeIdx.set(k, i) }
    return i
  }

  /** The branch hint section's entries (metadata.code.branch_hint): functions in increasing order. */
  private readonly hintsW = new ByteWriter(1024)
  private nHinted = 0
  /** Branches at these body offsets of (input) function f are unlikely to be taken. */
  addHints (f: number, offsets: number[]): void {
    this.hintsW.u32(this.func(f)).u32(offsets.length)
    for (const o of offsets) this.hintsW.u32(o).u8(1).u8(0)
    this.nHinted++
  }

  // ---------------------------------------------------------------- helpers
  private memarg (w: ByteWriter, align: number, offset: number): void {
    if (this.frameMem === 0) w.u32(align).u32(offset); else w.u32(align | 0x40).u32(this.frameMem).u32(offset)
  }

  private store (w: ByteWriter, t: number, offset: number): void {
    if (t === V128) { w.u8(0xfd).u32(11) } else w.u8(STORE[t])
    this.memarg(w, 0, offset)
  }

  private load (w: ByteWriter, t: number, offset: number): void {
    if (t === V128) { w.u8(0xfd).u32(0) } else w.u8(LOAD[t])
    this.memarg(w, 0, offset)
  }

  /** Index of a helper function: push(size)->p, pop(size, fn)->p, save_head(p, fn, k)->p', load_head(p)->(p', k), save_T_n(p, v*n)->p', load_T_n(p)->(p', v*n). */
  helper (kind: 'push' | 'pop' | 'save_head' | 'load_head' | 'save' | 'load', t = 0, n = 0): number {
    const key = `${kind}:${t}:${n}`
    const have = this.helperIdx.get(key)
    if (have !== undefined) return have
    if ((kind === 'save' || kind === 'load') && !isNumeric(t)) throw new InstrumentError(`cannot save a ${typeName(t)} in a frame`)
    const idx = this.m.funcTypes.length + this.shift + this.helpers.length
    this.helperIdx.set(key, idx)
    const mem = this.frameMem
    const sz = SIZE[t]
    const h: Helper = { type: 0, body: () => {} }
    switch (kind) {
      case 'push':
        // (size) -> p ; local 1 = new sp
        h.type = this.typeIndex([I32], [I32])
        h.body = w => {
          w.u32(1).u32(1).u8(I32)
          w.u8(0x23).u32(this.gSp).u8(0x20).u32(0).u8(0x6a).u8(0x22).u32(1)
          w.u8(0x3f).u8(mem).u8(0x41).u32(16).u8(0x74).u8(0x4b) // sp' > size<<16
          w.u8(0x04).u8(0x40)
          w.u8(0x20).u32(1).u8(0x3f).u8(mem).u8(0x41).u32(16).u8(0x74).u8(0x6b).u8(0x41).s32(65535).u8(0x6a).u8(0x41).u32(16).u8(0x76)
          w.u8(0x40).u8(mem).u8(0x41).s32(-1).u8(0x46).u8(0x04).u8(0x40).u8(0x00).u8(0x0b)
          w.u8(0x0b)
          w.u8(0x23).u32(this.gSp)
          w.u8(0x20).u32(1).u8(0x24).u32(this.gSp)
          w.u8(0x0b)
        }
        break
      case 'pop':
        // (size, fn) -> p
        h.type = this.typeIndex([I32, I32], [I32])
        h.body = w => {
          w.u32(1).u32(1).u8(I32)
          w.u8(0x23).u32(this.gSp).u8(0x20).u32(0).u8(0x6b).u8(0x22).u32(2)
          w.u8(0x41).u32(0).u8(0x48).u8(0x04).u8(0x40).u8(0x00).u8(0x0b)
          w.u8(0x20).u32(2); this.load(w, I32, 0); w.u8(0x20).u32(1).u8(0x47).u8(0x04).u8(0x40).u8(0x00).u8(0x0b)
          w.u8(0x20).u32(2).u8(0x24).u32(this.gSp)
          w.u8(0x20).u32(2)
          w.u8(0x0b)
        }
        break
      case 'save_head':
        h.type = this.typeIndex([I32, I32, I32], [I32])
        h.body = w => {
          w.u32(0)
          w.u8(0x20).u32(0).u8(0x20).u32(1); this.store(w, I32, 0)
          w.u8(0x20).u32(0).u8(0x20).u32(2); this.store(w, I32, 4)
          w.u8(0x20).u32(0).u8(0x41).u32(8).u8(0x6a).u8(0x0b)
        }
        break
      case 'load_head':
        h.type = this.typeIndex([I32], [I32, I32])
        h.body = w => {
          w.u32(0)
          w.u8(0x20).u32(0).u8(0x41).u32(8).u8(0x6a)
          w.u8(0x20).u32(0); this.load(w, I32, 4)
          w.u8(0x0b)
        }
        break
      case 'save':
        h.type = this.typeIndex([I32, ...new Array(n).fill(t)], [I32])
        h.body = w => {
          w.u32(0)
          for (let j = 0; j < n; j++) { w.u8(0x20).u32(0).u8(0x20).u32(j + 1); this.store(w, t, j * sz) }
          w.u8(0x20).u32(0).u8(0x41).s32(n * sz).u8(0x6a).u8(0x0b)
        }
        break
      case 'load':
        h.type = this.typeIndex([I32], [I32, ...new Array(n).fill(t)])
        h.body = w => {
          w.u32(0)
          w.u8(0x20).u32(0).u8(0x41).s32(n * sz).u8(0x6a)
          for (let j = 0; j < n; j++) { w.u8(0x20).u32(0); this.load(w, t, j * sz) }
          w.u8(0x0b)
        }
        break
    }
    this.helpers.push(h)
    return idx
  }

  // ---------------------------------------------------------------- sections
  private constExpr (w: ByteWriter, [start, end]: [number, number]): void {
    const b = this.m.bytes
    const r = new WasmReader(b, start, end)
    let from = start
    while (r.p < end) {
      const at = r.p
      const op = r.u8()
      switch (op) {
        case 0x41: r.skipSleb(32); break
        case 0x42: r.skipSleb(64); break
        case 0x43: r.skip(4); break
        case 0x44: r.skip(8); break
        case 0xd0: r.s33(); break
        case 0x23: r.u32(); break
        case 0xd2: { const f = r.u32(); w.copy(b, from, at).u8(0xd2).u32(this.func(f)); from = r.p; break }
        case 0xfd: r.u32(); r.skip(16); break
        default: break
      }
    }
    w.copy(b, from, end)
  }

  build (bodies: ByteWriter): Uint8Array {
    const { m, opts } = this
    const b = m.bytes
    const out = new ByteWriter(b.length + bodies.len + 4096)
    out.bytes(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))
    // build the helper bodies first: they may add types
    const helperCode = new ByteWriter(4096)
    for (const h of this.helpers) { const w = new ByteWriter(64); h.body(w); helperCode.sized(w) }
    const interruptType = this.typeIndex([], [])

    const sec = (id: number, fill: (w: ByteWriter) => void): void => { const w = new ByteWriter(256); fill(w); out.section(id, w) }
    sec(1, w => {
      w.u32(this.types.length)
      for (const t of this.types) { w.u8(0x60).u32(t.params.length); for (const p of t.params) w.u8(p); w.u32(t.results.length); for (const p of t.results) w.u8(p) }
    })
    const definedMemory = m.memories.find(x => !x.imported)
    const importMem = opts.importMemory != null && definedMemory != null
    sec(2, w => {
      w.u32(m.imports.length + 1 + (importMem ? 1 : 0) + (this.framesImported ? 1 : 0))
      const raw = m.sections.find(s => s.id === 2)
      if (raw != null) { const r = new WasmReader(b, raw.start, raw.end); r.u32(); w.copy(b, r.p, raw.end) }
      w.name(opts.interruptImport[0]).name(opts.interruptImport[1]).u8(0).u32(interruptType)
      if (importMem && definedMemory != null) {
        const [mod, name] = opts.importMemory as [string, string]
        w.name(mod).name(name).u8(2)
        writeLimits(w, definedMemory.limits)
      }
      if (this.framesImported) {
        const [mod, name] = opts.importFrames as [string, string]
        w.name(mod).name(name).u8(2)
        writeLimits(w, { flags: 1, initial: 1, maximum: opts.framePages })
      }
    })
    sec(3, w => {
      const n = m.funcTypes.length - m.importedFuncs
      w.u32(n + this.helpers.length)
      for (let f = m.importedFuncs; f < m.funcTypes.length; f++) w.u32(m.funcTypes[f])
      for (const h of this.helpers) w.u32(h.type)
    })
    this.copySection(out, 4)
    const mems: Array<{ flags: number, initial: number, maximum?: number }> = []
    for (const x of m.memories) if (!x.imported && !(importMem && x === definedMemory)) mems.push(x.limits)
    if (this.ownFrameMemory && !this.framesImported) mems.push(opts.framePages > 0 ? { flags: 1, initial: 1, maximum: opts.framePages } : { flags: 0, initial: 1 })
    if (mems.length > 0) sec(5, w => { w.u32(mems.length); for (const l of mems) writeLimits(w, l) })
    sec(6, w => {
      const defined = m.globals.filter(g => !g.imported)
      w.u32(defined.length + 4)
      for (const g of defined) { w.u8(g.type).u8(g.mutable ? 1 : 0); this.constExpr(w, g.init as [number, number]) }
      w.u8(I32).u8(1).u8(0x41).s32(opts.initialCounter).u8(0x0b)
      w.u8(I32).u8(1).u8(0x41).u8(0).u8(0x0b)
      w.u8(I32).u8(1).u8(0x41).u8(0).u8(0x0b)
      w.u8(I32).u8(1).u8(0x41).s32(opts.initialCounter).u8(0x0b)
    })
    sec(7, w => {
      const ex: Array<[string | [number, number], number, number]> = []
      for (const e of m.exports) {
        const kind = ['function', 'table', 'memory', 'global', 'tag'].indexOf(e.kind)
        ex.push([e.raw, kind, e.kind === 'function' ? this.func(e.index) : e.index])
      }
      const names = new Set(m.exports.map(e => e.name))
      const add = (name: string, kind: number, index: number): void => {
        if (names.has(name)) throw new InstrumentError(`the module already exports ${JSON.stringify(name)}, a name the runtime reserves`)
        ex.push([name, kind, index])
      }
      add(EXPORT_COUNTER, 3, this.gCounter)
      add(EXPORT_STATE, 3, this.gState)
      add(EXPORT_SP, 3, this.gSp)
      add(EXPORT_QUANTUM, 3, this.gQuantum)
      if (opts.framePages > 0) add(EXPORT_FRAMES, 2, this.frameMem)
      if (opts.exportGlobals) {
        m.globals.forEach((g, i) => {
          if (!g.mutable || g.imported) return
          if (!isNumeric(g.type) || g.type === V128) {
            if (opts.snapshotSafe) throw new InstrumentError(`mutable global ${i} has a type that cannot be snapshotted`)
            return
          }
          const name = `${EXPORT_GLOBAL_PREFIX}${i}`
          add(name, 3, i)
          this.globalsOut.push({ name, type: typeName(g.type) as 'i32' })
        })
      }
      if (m.start !== undefined && opts.startToExport) add(EXPORT_START, 0, this.func(m.start))
      w.u32(ex.length)
      for (const [name, kind, index] of ex) {
        if (typeof name === 'string') w.name(name); else w.copy(b, name[0], name[1])
        w.u8(kind).u32(index)
      }
    })
    if (m.start !== undefined && !opts.startToExport) sec(8, w => { w.u32(this.func(m.start as number)) })
    if (m.elems.length > 0) {
      sec(9, w => {
        w.u32(m.elems.length)
        for (const e of m.elems) {
          w.u32(e.flags)
          if ((e.flags & 1) === 0) {
            if ((e.flags & 2) !== 0) w.u32(e.table)
            this.constExpr(w, e.offset as [number, number])
          }
          if ((e.flags & 3) !== 0) w.u8((e.flags & 4) !== 0 ? e.refType : 0)
          if (e.funcs != null) { w.u32(e.funcs.length); for (const f of e.funcs) w.u32(this.func(f)) } else {
            const xs = e.exprs as Array<[number, number]>
            w.u32(xs.length); for (const x of xs) this.constExpr(w, x)
          }
        }
      })
    }
    this.copySection(out, 12)
    if (this.nHinted > 0) {
      sec(0, w => { w.name('metadata.code.branch_hint').u32(this.nHinted); w.copy(this.hintsW.buf, 0, this.hintsW.len) })
    }
    sec(10, w => {
      w.u32(m.funcTypes.length - m.importedFuncs + this.helpers.length)
      w.copy(bodies.buf, 0, bodies.len)
      w.copy(helperCode.buf, 0, helperCode.len)
    })
    this.copySection(out, 11)
    return out.result()
  }

  private copySection (out: ByteWriter, id: number): void {
    const s = this.m.sections.find(x => x.id === id)
    if (s == null) return
    out.u8(id).u32(s.end - s.start).copy(this.m.bytes, s.start, s.end)
  }
}

function writeLimits (w: ByteWriter, l: { flags: number, initial: number, maximum?: number }): void {
  w.u8(l.maximum !== undefined ? (l.flags | 1) : (l.flags & ~1)).u32(l.initial)
  if (l.maximum !== undefined) w.u32(l.maximum)
}
