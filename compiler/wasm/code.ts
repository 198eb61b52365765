/**
 * Decodes and validates one function body in a single pass with the
 * standard operand-stack/control-stack algorithm, and records what the
 * instrumenter needs: every construct (block/loop/if) with its type and the
 * operand stack of its frame at entry, every call with the frame's operand
 * stack at the call, loops that are branch targets, direct callees.
 * Constructs and calls are numbered in instruction order, so the emitter
 * (emit-body.ts), walking the same bytes, meets them in the same order.
 */
import { InvalidModuleError, LimitError } from '../errors.js'
import { WasmReader } from '../wasm-reader.js'
import type { FuncType, WasmModule } from './module.js'
import {
  ANY, EXTERNREF, F32, F64, FUNCREF, I32, I64, IMM_LANE, IMM_MEMARG, IMM_MEMARG_LANE, IMM_SHUFFLE, IMM_V128, SIMPLE, V128,
  isNumeric, isRef, isValType, typeName
} from './opcodes.js'

export const K_BODY = 0
export const K_BLOCK = 1
export const K_LOOP = 2
export const K_IF = 3

export interface ConstructRec {
  kind: number
  params: number[]
  results: number[]
  /** Operand stack of the enclosing frame at the construct's start (its params, and the condition of an if, on top). */
  entry: number[]
  /** Inside code that never runs (entered from an unreachable point). */
  dead: boolean
  /** A branch targets it (loops: the loop runs more than once). */
  branched: boolean
  /** Calls recorded before the first branch to it. */
  branchedAtCall: number
  hasElse: boolean
  /** Absolute operand stack height where the enclosing frame's operands start. */
  base: number
  parent: number
  /** Calls and constructs recorded before its start, its else and its end. */
  firstCall: number
  elseCall: number
  elseConstruct: number
  endCall: number
  endConstruct: number
}

export interface CallRec {
  /** Callee function index, or -1 for call_indirect. */
  callee: number
  /** Type of the callee. */
  type: number
  /** Operand stack of the frame at the call, arguments (and the table index) on top. */
  stack: number[]
  dead: boolean
  tail: boolean
  /** Absolute operand stack height where the frame's operands start. */
  base: number
  parent: number
  /**
   * Byte offset where the computation of the arguments (and table index)
   * starts, when that code is pure (local.get, constants, arithmetic that
   * cannot trap: it computes the same values when run again with the same
   * locals); -1 otherwise or without arguments.
   */
  argStart: number
}

export interface FuncFacts {
  index: number
  type: FuncType
  /** Types of all locals, parameters first. */
  locals: number[]
  /** Byte offset of the first instruction, and of the end of the body. */
  codeStart: number
  codeEnd: number
  constructs: ConstructRec[]
  calls: CallRec[]
  callees: number[]
  indirect: boolean
  refLocals: boolean
  tailCalls: boolean
  tableMutation: boolean
  refFunc: boolean
  size: number
}

export interface CodeLimits {
  /** Locals per function (default 50000, V8's limit). */
  maxLocals?: number
  /** Body bytes (default 7654321, V8's limit). */
  maxBodyBytes?: number
}

/** Numeric instructions that can trap (division, remainder, float-to-int truncation). */
const TRAPS = new Set([0x6d, 0x6e, 0x6f, 0x70, 0x7f, 0x80, 0x81, 0x82, 0xa8, 0xa9, 0xaa, 0xab, 0xae, 0xaf, 0xb0, 0xb1])

interface Frame { kind: number, params: number[], results: number[], height: number, unreachable: boolean, dead: boolean, rec: number }

const EMPTY: number[] = []

export class CodeValidator {
  private readonly m: WasmModule
  private readonly r: WasmReader
  private readonly vals: number[] = []
  private readonly ctrl: Frame[] = []
  private locals: number[] = []
  private readonly limits: CodeLimits
  private readonly dataCount: number

  constructor (m: WasmModule, limits: CodeLimits = {}) {
    this.m = m
    this.r = new WasmReader(m.bytes)
    this.limits = limits
    this.dataCount = m.dataCount ?? -1
  }

  private err (msg: string): never {
    throw new InvalidModuleError(`function ${this.fi}: ${msg} at byte ${this.r.p}`)
  }

  private fi = 0

  // ---------------------------------------------------------------- stack
  private push (t: number): void { this.vals.push(t) }

  private pop (): number {
    const f = this.ctrl[this.ctrl.length - 1]
    if (this.vals.length === f.height) {
      if (f.unreachable) return ANY
      this.err('operand stack underflow')
    }
    const t = this.vals.pop() as number
    if (this.vals.length < this.low) this.low = this.vals.length
    return t
  }

  /** Lowest stack height reached by the current instruction. */
  private low = 0
  /** Is the current instruction pure (see CallRec.argStart)? */
  private pure = false
  /** Byte offset of the last impure instruction. */
  private lastImpure = -1
  /** Per stack slot: byte offset where the computation of its value started. */
  private readonly starts: number[] = []

  private popT (want: number): number {
    const got = this.pop()
    if (got !== want && got !== ANY && want !== ANY) this.err(`type mismatch: expected ${typeName(want)}, got ${typeName(got)}`)
    return got === ANY ? want : got
  }

  private popAll (ts: number[]): void { for (let i = ts.length - 1; i >= 0; i--) this.popT(ts[i]) }
  /** Check the top of the stack against ts without popping. */
  private peekAll (ts: number[]): void {
    const f = this.ctrl[this.ctrl.length - 1]
    for (let i = ts.length - 1, p = this.vals.length - 1; i >= 0; i--, p--) {
      if (p < f.height) { if (f.unreachable) return; this.err('operand stack underflow') }
      const got = this.vals[p]
      if (got !== ts[i] && got !== ANY) this.err(`type mismatch: expected ${typeName(ts[i])}, got ${typeName(got)}`)
    }
  }

  private pushAll (ts: number[]): void { for (const t of ts) this.vals.push(t) }

  private unreachable (): void {
    const f = this.ctrl[this.ctrl.length - 1]
    this.vals.length = f.height
    f.unreachable = true
  }

  private labelTypes (f: Frame): number[] { return f.kind === K_LOOP ? f.params : f.results }

  private label (depth: number): Frame {
    if (depth >= this.ctrl.length) this.err(`branch depth ${depth} out of range`)
    const f = this.ctrl[this.ctrl.length - 1 - depth]
    if (f.rec >= 0) {
      const c = this.facts.constructs[f.rec]
      if (!c.branched) { c.branched = true; c.branchedAtCall = this.facts.calls.length }
    }
    return f
  }

  private blockType (): FuncType {
    const r = this.r
    const b = r.b[r.p]
    if (b === 0x40) { r.p++; return { params: EMPTY, results: EMPTY } }
    if (isValType(b)) { r.p++; return { params: EMPTY, results: [b] } }
    const idx = r.s33()
    if (idx < 0 || idx >= this.m.types.length) this.err(`bad block type ${idx}`)
    return this.m.types[idx]
  }

  /** Address type of memory i (i64 for memory64). */
  private addr (i: number): number {
    if (i >= this.m.memories.length) this.err(this.m.memories.length === 0 ? 'memory instruction without a memory' : `memory ${i} out of range`)
    return (this.m.memories[i].limits.flags & 4) !== 0 ? I64 : I32
  }

  /** Read a memarg; return the address type of its memory. */
  private memarg (natural: number): number {
    const r = this.r
    let align = r.u32()
    let mem = 0
    if ((align & 0x40) !== 0) { align &= ~0x40; mem = r.u32() }
    if (align > natural) this.err(`alignment 2**${align} larger than natural 2**${natural}`)
    const at = this.addr(mem)
    // the offset: V8 reads a u64 LEB for every memory (memory64 on) and range-checks it
    const off = r.u32(64)
    if (at === I32 && off >= 2 ** 32) this.err(`offset ${off} out of range for a 32-bit memory`)
    return at
  }

  /** Read a memory index; return its address type. */
  private memidx (): number { return this.addr(this.r.u32()) }

  private table (): number {
    const t = this.r.u32()
    if (t >= this.m.tables.length) this.err(`table ${t} out of range`)
    return this.m.tables[t].ref
  }

  private facts!: FuncFacts

  // ---------------------------------------------------------------- function
  validate (fi: number): FuncFacts {
    const m = this.m
    const body = m.bodies[fi - m.importedFuncs]
    this.fi = fi
    const r = this.r
    r.p = body.start; r.end = body.end
    const type = m.types[m.funcTypes[fi]]
    const maxBody = this.limits.maxBodyBytes ?? 7654321
    if (body.end - body.start > maxBody) throw new LimitError(`function ${fi}: body of ${body.end - body.start} bytes, over the limit of ${maxBody}`)
    const locals = [...type.params]
    const maxLocals = this.limits.maxLocals ?? 50000
    for (let n = r.u32(); n > 0; n--) {
      const c = r.u32()
      if (locals.length + c > maxLocals) throw new LimitError(`function ${fi}: more than ${maxLocals} locals`)
      const t = r.u8()
      if (!isValType(t)) this.err(`bad local type 0x${t.toString(16)}`)
      for (let k = 0; k < c; k++) locals.push(t)
    }
    this.locals = locals
    const facts: FuncFacts = {
      index: fi, type, locals, codeStart: r.p, codeEnd: body.end, constructs: [], calls: [], callees: [], indirect: false,
      refLocals: locals.some(isRef), tailCalls: false, tableMutation: false, refFunc: false, size: body.end - body.start
    }
    this.facts = facts
    this.vals.length = 0
    this.ctrl.length = 0
    facts.constructs.push({ kind: K_BODY, params: EMPTY, results: type.results, entry: EMPTY, dead: false, branched: false, branchedAtCall: 0, hasElse: false, base: 0, parent: -1, firstCall: 0, elseCall: 0, elseConstruct: 0, endCall: 0, endConstruct: 0 })
    this.ctrl.push({ kind: K_BODY, params: EMPTY, results: type.results, height: 0, unreachable: false, dead: false, rec: 0 })
    const callees = new Set<number>()
    this.lastImpure = -1
    const starts = this.starts
    while (this.ctrl.length > 0) {
      if (r.p >= r.end) this.err('function body ends before its last `end`')
      const p = r.p
      const h0 = this.vals.length
      this.low = h0
      this.pure = false
      this.instr(callees)
      if (!this.pure) this.lastImpure = p
      const h1 = this.vals.length
      if (h1 > this.low) {
        let st = p
        for (let i = this.low; i < h0; i++) if (starts[i] < st) st = starts[i]
        for (let i = this.low; i < h1; i++) starts[i] = st
      }
    }
    if (r.p !== r.end) this.err('code after the end of the function body')
    facts.callees = [...callees]
    return facts
  }

  private enter (kind: number, bt: FuncType): void {
    const cur = this.ctrl[this.ctrl.length - 1]
    const dead = cur.dead || cur.unreachable
    // entry stack: the frame's operands at the start, condition popped below
    const entry = dead ? EMPTY : this.vals.slice(cur.height)
    if (kind === K_IF) this.popT(I32)
    this.popAll(bt.params)
    const rec = this.facts.constructs.length
    const calls = this.facts.calls.length
    this.facts.constructs.push({ kind, params: bt.params, results: bt.results, entry, dead, branched: false, branchedAtCall: 0, hasElse: false, base: cur.height, parent: cur.rec, firstCall: calls, elseCall: 0, elseConstruct: 0, endCall: 0, endConstruct: 0 })
    this.ctrl.push({ kind, params: bt.params, results: bt.results, height: this.vals.length, unreachable: false, dead, rec })
    this.pushAll(bt.params)
  }

  private call (callee: number, typeIdx: number, extra: number, tail: boolean): void {
    const cur = this.ctrl[this.ctrl.length - 1]
    const t = this.m.types[typeIdx]
    const dead = cur.dead || cur.unreachable
    const nArgs = t.params.length + extra
    let argStart = -1
    if (!dead && nArgs > 0) {
      const first = this.vals.length - nArgs
      if (first >= cur.height && this.starts[first] > this.lastImpure) argStart = this.starts[first]
    }
    this.facts.calls.push({ callee, type: typeIdx, stack: dead ? EMPTY : this.vals.slice(cur.height), dead, tail, base: cur.height, parent: cur.rec, argStart })
    if (extra !== 0) this.popT(I32)
    this.popAll(t.params)
    if (tail) {
      const res = this.ctrl[0].results
      if (res.length !== t.results.length || res.some((x, i) => x !== t.results[i])) this.err('tail call result types differ from the function\'s')
      this.unreachable()
    } else this.pushAll(t.results)
  }

  private instr (callees: Set<number>): void {
    const r = this.r
    const op = r.u8()
    switch (op) {
      case 0x00: this.unreachable(); return
      case 0x01: return
      case 0x02: this.enter(K_BLOCK, this.blockType()); return
      case 0x03: this.enter(K_LOOP, this.blockType()); return
      case 0x04: this.enter(K_IF, this.blockType()); return
      case 0x05: {
        const f = this.ctrl[this.ctrl.length - 1]
        if (f.kind !== K_IF || this.facts.constructs[f.rec].hasElse) this.err('else without if')
        this.endFrame(f)
        const c = this.facts.constructs[f.rec]
        c.hasElse = true
        c.elseCall = this.facts.calls.length
        c.elseConstruct = this.facts.constructs.length
        this.vals.length = f.height
        f.unreachable = false
        this.pushAll(f.params)
        return
      }
      case 0x0b: {
        const f = this.ctrl[this.ctrl.length - 1]
        this.endFrame(f)
        if (f.kind === K_IF && !this.facts.constructs[f.rec].hasElse) {
          if (f.params.length !== f.results.length || f.params.some((x, i) => x !== f.results[i])) this.err('if without else must have equal parameter and result types')
        }
        this.ctrl.pop()
        const c = this.facts.constructs[f.rec]
        c.endCall = this.facts.calls.length
        c.endConstruct = this.facts.constructs.length
        this.vals.length = f.height
        if (this.ctrl.length > 0) this.pushAll(f.results)
        return
      }
      case 0x0c: { const f = this.label(r.u32()); this.popAll(this.labelTypes(f)); this.unreachable(); return }
      case 0x0d: {
        const f = this.label(r.u32()); this.popT(I32)
        const ts = this.labelTypes(f); this.popAll(ts); this.pushAll(ts); return
      }
      case 0x0e: {
        const n = r.u32()
        if (n > 1_000_000) this.err(`br_table of ${n} entries`)
        this.popT(I32)
        let arity = -1
        for (let i = 0; i <= n; i++) {
          const ts = this.labelTypes(this.label(r.u32()))
          if (arity === -1) arity = ts.length
          else if (arity !== ts.length) this.err('br_table targets of different arity')
          this.peekAll(ts)
        }
        this.unreachable()
        return
      }
      case 0x0f: this.popAll(this.ctrl[0].results); this.unreachable(); return
      case 0x10: case 0x12: {
        const f = r.u32()
        if (f >= this.m.funcTypes.length) this.err(`call to function ${f} out of range`)
        callees.add(f)
        if (op === 0x12) this.facts.tailCalls = true
        this.call(f, this.m.funcTypes[f], 0, op === 0x12)
        return
      }
      case 0x11: case 0x13: {
        const t = r.u32()
        if (t >= this.m.types.length) this.err(`call_indirect type ${t} out of range`)
        if (this.table() !== FUNCREF) this.err('call_indirect through a table that is not funcref')
        this.facts.indirect = true
        if (op === 0x13) this.facts.tailCalls = true
        this.call(-1, t, 1, op === 0x13)
        return
      }
      case 0x1a: this.pure = true; this.pop(); return
      case 0x1b: {
        this.pure = true
        this.popT(I32)
        const a = this.pop(); const b = this.pop()
        const t = a === ANY ? b : a
        if (a !== ANY && b !== ANY && a !== b) this.err('select operands of different types')
        if (t !== ANY && !isNumeric(t)) this.err('select without a type on reference operands')
        this.push(t)
        return
      }
      case 0x1c: {
        if (r.u32() !== 1) this.err('select must have one result type')
        const t = r.u8(); if (!isValType(t)) this.err('bad select type')
        this.popT(I32); this.popT(t); this.popT(t); this.push(t)
        return
      }
      case 0x20: this.pure = true; this.push(this.local(r.u32())); return
      case 0x21: this.popT(this.local(r.u32())); return
      case 0x22: { const t = this.local(r.u32()); this.popT(t); this.push(t); return }
      case 0x23: { const g = this.global(r.u32()); this.push(g.type); return }
      case 0x24: { const g = this.global(r.u32()); if (!g.mutable) this.err('global.set of an immutable global'); this.popT(g.type); return }
      case 0x25: { const t = this.table(); this.popT(I32); this.push(t); return }
      case 0x26: { const t = this.table(); this.facts.tableMutation = true; this.popT(t); this.popT(I32); return }
      case 0x3f: this.push(this.memidx()); return
      case 0x40: { const at = this.memidx(); this.popT(at); this.push(at); return }
      case 0x41: this.pure = true; r.skipSleb(32); this.push(I32); return
      case 0x42: this.pure = true; r.skipSleb(64); this.push(I64); return
      case 0x43: this.pure = true; r.skip(4); this.push(F32); return
      case 0x44: this.pure = true; r.skip(8); this.push(F64); return
      case 0xd0: {
        const h = r.u8()
        if (h !== FUNCREF && h !== EXTERNREF) this.err(`bad heap type 0x${h.toString(16)}`)
        this.push(h); return
      }
      case 0xd1: { const t = this.pop(); if (t !== ANY && !isRef(t)) this.err('ref.is_null of a non-reference'); this.push(I32); return }
      case 0xd2: { const f = r.u32(); if (f >= this.m.funcTypes.length) this.err(`ref.func ${f} out of range`); this.facts.refFunc = true; this.push(FUNCREF); return }
      case 0xfc: this.prefixFC(r.u32()); return
      case 0xfd: this.simple(0xfd00 + r.u32()); return
      default: this.simple(op)
    }
  }

  private endFrame (f: Frame): void {
    this.popAll(f.results)
    if (this.vals.length !== f.height) this.err(`${this.vals.length - f.height} values left on the stack at the end of a block`)
  }

  private local (i: number): number {
    if (i >= this.locals.length) this.err(`local ${i} out of range`)
    return this.locals[i]
  }

  private global (i: number): { type: number, mutable: boolean } {
    if (i >= this.m.globals.length) this.err(`global ${i} out of range`)
    return this.m.globals[i]
  }

  private dataSeg (): void {
    const d = this.r.u32()
    if (this.dataCount < 0) this.err('data segment instruction without a data count section')
    if (d >= this.dataCount) this.err(`data segment ${d} out of range`)
  }

  private elemSeg (): number {
    const e = this.r.u32()
    if (e >= this.m.elems.length) this.err(`element segment ${e} out of range`)
    const s = this.m.elems[e]
    return (s.flags & 4) !== 0 ? s.refType : FUNCREF
  }

  private prefixFC (sub: number): void {
    const r = this.r
    switch (sub) {
      case 8: { this.dataSeg(); const at = this.memidx(); this.popAll([at, I32, I32]); return }
      case 9: this.dataSeg(); return
      case 10: { const d = this.memidx(); const src = this.memidx(); this.popAll([d, src, d === I64 && src === I64 ? I64 : I32]); return }
      case 11: { const at = this.memidx(); this.popAll([at, I32, at]); return }
      case 12: { const et = this.elemSeg(); const t = this.table(); if (et !== t) this.err('table.init type mismatch'); this.facts.tableMutation = true; this.popAll([I32, I32, I32]); return }
      case 13: this.elemSeg(); this.facts.tableMutation = true; return
      case 14: { const a = this.table(); const b = this.table(); if (a !== b) this.err('table.copy type mismatch'); this.facts.tableMutation = true; this.popAll([I32, I32, I32]); return }
      case 15: { const t = this.table(); this.facts.tableMutation = true; this.popT(I32); this.popT(t); this.push(I32); return }
      case 16: this.table(); this.push(I32); return
      case 17: { const t = this.table(); this.facts.tableMutation = true; this.popT(I32); this.popT(t); this.popT(I32); return }
      default: this.simple(0xfc00 + sub); void r
    }
  }

  private simple (key: number): void {
    const op = SIMPLE.get(key)
    if (op === undefined) {
      const hi = key >> 8
      this.err(hi === 0 ? `unknown opcode 0x${key.toString(16)}` : `unknown or unsupported opcode 0x${hi.toString(16)} ${key & 0xff}`)
    }
    const r = this.r
    let at = I32
    switch (op.imm) {
      case IMM_MEMARG: at = this.memarg(op.align as number); break
      case IMM_LANE: r.u8(); break
      case IMM_MEMARG_LANE: at = this.memarg(op.align as number); r.u8(); break
      case IMM_V128: r.skip(16); break
      case IMM_SHUFFLE: for (let i = 0; i < 16; i++) if (r.u8() >= 32) this.err('shuffle lane index out of range'); break
    }
    if (op.imm !== IMM_MEMARG && op.imm !== IMM_MEMARG_LANE && !TRAPS.has(key)) this.pure = true
    const pop = op.pop
    for (let i = pop.length - 1; i >= 1; i--) this.popT(pop[i])
    if (pop.length > 0) this.popT(op.imm === IMM_MEMARG || op.imm === IMM_MEMARG_LANE ? at : pop[0])
    if (op.push !== 0) this.vals.push(op.push)
    void V128
  }
}
