/**
 * Emits one instrumented function body in one pass over its bytes, using
 * what code.ts recorded and the module plan. Design (doc/rationale.md, "Why
 * a counter, and why our own unwind/rewind"):
 *
 * - Normal path: loop headers count down the counter (loop-exit form) and
 *   call `interrupt` when it runs out; after each call that can unwind,
 *   `global.get $state; br_if` leaves for one out-of-line save block
 *   (operands live in that frame are spilled only on that path), which
 *   stores the locals and the resume index k into the frame stack (a memory
 *   of its own) and returns.
 * - Rewind: the prologue (or the entry check) pops the frame and dispatches
 *   on k through "landing" blocks: for each item on a resume path (a resume
 *   site, or a construct containing one) a block ends right before it, so a
 *   branch to it skips everything before the item in that block sequence,
 *   carrying the item's operands (restored spills or dummies; the condition
 *   of an `if` forced to the arm on the path). Code off the resume paths
 *   carries no guard; a construct on one tests the state global at its
 *   start (a block that begins its parent takes over the parent's test).
 */
import { InstrumentError } from '../instrument-errors.js'
import { ByteWriter } from '../wasm/writer.js'
import { WasmReader } from '../wasm-reader.js'
import { K_IF, K_LOOP, type CallRec, type ConstructRec, type FuncFacts } from '../wasm/code.js'
import { F32, F64, I32, I64, IMM_LANE, IMM_MEMARG, IMM_MEMARG_LANE, IMM_SHUFFLE, IMM_V128, SIMPLE, V128, isRef, isValType, typeName } from '../wasm/opcodes.js'
import { loopNeedsCheck, type Plan } from './plan.js'
import type { OutModule } from './out-module.js'

const S_NONE = 0
const S_CALL = 1
const S_INDIRECT = 2
const S_IMPORT = 3

type Item = { call: number } | { con: number } | { entry: true }

/**
 * One test of a dispatch: `k < bound` goes to the landing with `pushes`;
 * at the innermost frame's resume point (`innermost`) the rewind ends there:
 * the state is cleared and the counter reset.
 */
interface Entry { bound: number, pushes: () => void, innermost: boolean }
/** The entry check's resume point (k = 1): resuming continues after it. */
const ENTRY_SITE: Entry = { bound: 2, pushes: () => {}, innermost: true }
interface Pending { e: Entry, target: number }

/** Size in bytes of a value of type t in a frame. */
const SIZE: Record<number, number> = { [I32]: 4, [I64]: 8, [F32]: 4, [F64]: 8, [V128]: 16 }
const SAVE_ORDER = [I32, I64, F32, F64, V128]

export interface EmitStats { sites: number, loopChecks: number, entryChecks: number }

/** Emit the body of function `ff` (locals and code) into `out`. */
export function emitFunction (ff: FuncFacts, plan: Plan, om: OutModule, out: ByteWriter, stats: EmitStats): void {
  if (plan.unwinds[ff.index] === 0) { copyRenumbered(ff, om, out); return }
  new FunctionEmitter(ff, plan, om, stats).emit(out)
}

/** A function that never unwinds: its code is copied, with function indexes renumbered. */
function copyRenumbered (ff: FuncFacts, om: OutModule, out: ByteWriter): void {
  const b = om.m.bytes
  const body = om.m.bodies[ff.index - om.m.importedFuncs]
  if (ff.callees.length === 0 && !ff.refFunc) { out.u32(body.end - body.start).copy(b, body.start, body.end); return }
  const w = new ByteWriter(body.end - body.start + 16)
  w.copy(b, body.start, ff.codeStart)
  const r = new WasmReader(b, ff.codeStart, ff.codeEnd)
  let from = r.p
  while (r.p < r.end) {
    const at = r.p
    const op = r.u8()
    if (op === 0x10 || op === 0x12 || op === 0xd2) {
      const f = r.u32()
      w.copy(b, from, at).u8(op).u32(om.func(f))
      from = r.p
    } else skipImmediates(r, op)
  }
  w.copy(b, from, r.end)
  out.sized(w)
}

class FunctionEmitter {
  private readonly b: Uint8Array
  private readonly cons: ConstructRec[]
  private readonly calls: CallRec[]
  private readonly siteKind: Uint8Array
  private readonly siteK: Int32Array
  private readonly lo: Int32Array
  private readonly hi: Int32Array
  private readonly headerK: Int32Array
  private readonly elseK: Int32Array
  private readonly items: Item[][]
  private nSites = 0
  private readonly w = new ByteWriter(1024)
  private ed = 0
  private readonly orig: number[] = []
  private readonly spills = new Map<number, number>()
  private readonly extraLocals: number[] = []
  private readonly riLocal: number
  private readonly tmpLocal: number
  private restoreAt = -1
  /** Per construct: a loop that gets a check at its header. */
  private readonly header: Uint8Array
  /**
   * Leaf loops (no resume point inside but their own header check) count
   * down a local copy of the counter: a register, not a global load and
   * store per iteration. The copy is loaded before the outermost loop of a
   * leaf nest and written back on every way out of the nest.
   */
  private lcLocal = -1
  private leafOuter = -1
  private readonly outermostLeaf: Uint8Array
  /** Per construct: emitted indexes of a loop-exit form's blocks ($done, $outer, $chk), -1 if none. */
  private readonly exitDone: Int32Array
  private readonly exitOuter: Int32Array
  private readonly exitChk: Int32Array

  constructor (private readonly ff: FuncFacts, private readonly plan: Plan, private readonly om: OutModule, private readonly stats: EmitStats) {
    this.b = om.m.bytes
    this.cons = ff.constructs
    this.calls = ff.calls
    const nc = this.cons.length
    this.siteKind = new Uint8Array(this.calls.length)
    this.siteK = new Int32Array(this.calls.length)
    this.lo = new Int32Array(nc); this.hi = new Int32Array(nc); this.headerK = new Int32Array(nc); this.elseK = new Int32Array(nc).fill(-1)
    this.items = Array.from({ length: nc }, () => [])
    this.exitDone = new Int32Array(nc).fill(-1); this.exitOuter = new Int32Array(nc).fill(-1); this.exitChk = new Int32Array(nc).fill(-1)
    this.header = new Uint8Array(nc)
    for (let c = 0; c < nc; c++) if (loopNeedsCheck(ff, c, plan.entryCheck)) this.header[c] = 1
    this.riLocal = this.newLocal(I32)
    this.tmpLocal = this.newLocal(I32)
    this.classify()
    this.number()
    this.outermostLeaf = new Uint8Array(nc)
  }

  private isLeaf (c: number): boolean {
    return !this.om.omit.has('counter') && !this.om.omit.has('leaf-counter') && this.hasHeader(c) && this.cons[c].params.length === 0 && this.hi[c] === this.headerK[c] + 1
  }

  private lc (): number {
    if (this.lcLocal < 0) this.lcLocal = this.newLocal(I32)
    return this.lcLocal
  }

  private writeBack (): void { this.get(this.lc()); this.w.u8(0x24).u32(this.om.gCounter) }
  private reload (): void { this.w.u8(0x23).u32(this.om.gCounter); this.set(this.lc()) }

  private newLocal (t: number): number {
    this.extraLocals.push(t)
    return this.ff.locals.length + this.extraLocals.length - 1
  }

  private spill (t: number, pos: number): number {
    const key = pos * 256 + t
    let l = this.spills.get(key)
    if (l === undefined) { l = this.newLocal(t); this.spills.set(key, l) }
    return l
  }

  private readonly scratches = new Map<number, number>()
  /** A transient local (not part of frames). */
  private scratch (t: number, j: number): number {
    const key = j * 256 + t
    let l = this.scratches.get(key)
    if (l === undefined) { l = this.newLocal(t); this.scratches.set(key, l); this.unsaved.add(l) }
    return l
  }

  private readonly unsaved = new Set<number>()

  private classify (): void {
    const { om, plan } = this
    const nImp = om.m.importedFuncs
    for (let i = 0; i < this.calls.length; i++) {
      const c = this.calls[i]
      if (c.dead || c.tail) continue
      let kind = S_NONE
      if (c.callee < 0) kind = plan.indirectUnwinds[c.type] === 1 ? S_INDIRECT : S_NONE
      else if (c.callee >= nImp) kind = plan.unwinds[c.callee] === 1 ? S_CALL : S_NONE
      else if (om.blocking.has(c.callee)) kind = S_IMPORT
      if (kind !== S_NONE && om.snapshotSafe && c.stack.some(isRef)) {
        throw new InstrumentError(`function ${this.ff.index}: a reference value is on the operand stack across a call that can suspend`)
      }
      this.siteKind[i] = kind
    }
  }

  private hasHeader (c: number): boolean { return this.header[c] === 1 }

  /** Number the resume points in instruction order; give each construct its range and its items. */
  private number (): void {
    const { cons, calls } = this
    let k = 0
    if (this.plan.entryCheck[this.ff.index] === 1) { k = 1; this.items[0].push({ entry: true }); this.stats.entryChecks++ }
    this.lo[0] = 1
    const stack = [0]
    let ci = 1; let cc = 0
    const finalize = (c: number): void => {
      this.hi[c] = k + 1
      if (this.elseK[c] < 0) this.elseK[c] = k + 1
      if (this.hi[c] > this.lo[c]) this.items[cons[c].parent].push({ con: c })
    }
    while (ci < cons.length || cc < calls.length) {
      const isCons = ci < cons.length && (cc >= calls.length || cons[ci].firstCall <= cc)
      while (stack.length > 1) {
        const top = cons[stack[stack.length - 1]]
        if (isCons ? ci >= top.endConstruct : cc >= top.endCall) finalize(stack.pop() as number)
        else break
      }
      const t = stack[stack.length - 1]
      const tr = cons[t]
      if (tr.kind === K_IF && tr.hasElse && this.elseK[t] < 0 && (isCons ? ci >= tr.elseConstruct : cc >= tr.elseCall)) this.elseK[t] = k + 1
      if (isCons) {
        const c = ci++
        this.lo[c] = k + 1
        if (this.hasHeader(c)) {
          k++; this.headerK[c] = k; this.stats.loopChecks++
          if (this.om.snapshotSafe && cons[c].entry.some(isRef)) throw new InstrumentError(`function ${this.ff.index}: a reference value is on the operand stack around a loop`)
        }
        stack.push(c)
      } else {
        const i = cc++
        if (this.siteKind[i] !== S_NONE) { k++; this.siteK[i] = k; this.items[calls[i].parent].push({ call: i }) }
      }
    }
    while (stack.length > 1) finalize(stack.pop() as number)
    this.hi[0] = k + 1
    this.nSites = k
    this.stats.sites += k
  }

  // ---------------------------------------------------------------- small emitters
  private end (): void { this.w.u8(0x0b); this.ed-- }
  private br (target: number): void { this.w.u8(0x0c).u32(this.ed - 1 - target) }

  private blockType (params: number[], results: number[]): void {
    const w = this.w
    if (params.length === 0 && results.length === 0) w.u8(0x40)
    else if (params.length === 0 && results.length === 1) w.u8(results[0])
    else w.s32(this.om.typeIndex(params, results))
  }

  private open (op: number, params: number[], results: number[]): number {
    this.w.u8(op); this.blockType(params, results)
    return this.ed++
  }

  private dummy (t: number): void {
    const w = this.w
    switch (t) {
      case I32: w.u8(0x41).u8(0); break
      case I64: w.u8(0x42).u8(0); break
      case F32: w.u8(0x43).u8(0).u8(0).u8(0).u8(0); break
      case F64: w.u8(0x44); for (let i = 0; i < 8; i++) w.u8(0); break
      case V128: w.u8(0xfd).u32(12); for (let i = 0; i < 16; i++) w.u8(0); break
      default: w.u8(0xd0).u8(t)
    }
  }

  /**
   * Body positions (in w) of the `if`/`br_if` that leave the normal path:
   * hinted unlikely in the branch hint section, so V8 (with branch hinting
   * on) lays those paths out of line as deferred code and the register
   * allocator keeps the normal path's values out of their way.
   */
  private readonly hints: number[] = []
  private unlikely (): void { if (this.om.branchHints) this.hints.push(this.w.len) }

  private get (l: number): void { this.w.u8(0x20).u32(l) }
  private set (l: number): void { this.w.u8(0x21).u32(l) }
  private i32 (x: number): void { this.w.u8(0x41).s32(x) }

  /** After a call that may unwind, with [S, R] on the frame's stack. */
  private unwindCheck (k: number, S: number[], base: number, R: number[]): void {
    const w = this.w
    if (this.om.omit.has('unwind-checks')) return
    if (S.length === 0) {
      // i32.const k; global.get $state; br_if $unwound; drop: the branch carries k and discards R
      this.i32(k); w.u8(0x23).u32(this.om.gState); this.unlikely(); w.u8(0x0d).u32(this.ed - 1); w.u8(0x1a)
      return
    }
    w.u8(0x23).u32(this.om.gState)
    const both = [...S, ...R]
    this.unlikely(); w.u8(0x04)
    if (both.length === 0) w.u8(0x40); else w.s32(this.om.typeIndex(both, both))
    this.ed++
    for (let j = 0; j < R.length; j++) w.u8(0x1a)
    for (let j = S.length - 1; j >= 0; j--) this.set(this.spill(S[j], base + j))
    this.i32(k)
    this.br(0)
    this.end()
  }

  /** Count down; on zero leave the loop to its interrupt call (loop-exit form). */
  private countDown (chk: number, leaf: boolean): void {
    const w = this.w
    if (this.om.omit.has('counter')) return
    if (leaf) { this.get(this.lc()); this.i32(1); w.u8(0x6b); w.u8(0x22).u32(this.lc()); this.i32(0); w.u8(0x4c) } else this.countValue()
    this.unlikely(); w.u8(0x0d).u32(this.ed - 1 - chk)
  }

  /** Count down; on zero call interrupt (a resume point whose frame stack is P). */
  private counterCheck (k: number, P: number[], base: number): void {
    const w = this.w
    if (this.om.omit.has('counter')) return
    this.countValue()
    this.unlikely(); w.u8(0x04)
    if (P.length === 0) w.u8(0x40); else w.s32(this.om.typeIndex(P, P))
    this.ed++
    w.u8(0x10).u32(this.om.fInterrupt)
    this.unwindCheck(k, P, base, [])
    this.end()
  }

  // ---------------------------------------------------------------- dispatch
  private entriesFor (it: Item): Entry[] {
    if ('entry' in it) return [ENTRY_SITE]
    if ('call' in it) {
      const c = this.calls[it.call]
      const kind = this.siteKind[it.call]
      if (this.early(it.call)) {
        const S = this.itemStack(it)
        return [{ bound: this.siteK[it.call] + 1, innermost: false, pushes: () => { for (let j = 0; j < S.length; j++) this.get(this.spill(S[j], c.base + j)) } }]
      }
      const X = c.stack
      const nArgs = this.om.types[c.type].params.length
      const sLen = X.length - nArgs - (kind === S_INDIRECT ? 1 : 0)
      return [{
        bound: this.siteK[it.call] + 1,
        innermost: kind === S_IMPORT,
        pushes: () => {
          for (let j = 0; j < X.length; j++) {
            const live = j < sLen || kind === S_IMPORT || (kind === S_INDIRECT && j === X.length - 1)
            if (live) this.get(this.spill(X[j], c.base + j)); else this.dummy(X[j])
          }
        }
      }]
    }
    const ci = it.con
    const c = this.cons[ci]
    const X = c.entry
    const cond = c.kind === K_IF ? 1 : 0
    const zLen = X.length - c.params.length - cond
    const push = (liveParams: boolean, condVal: number) => () => {
      for (let j = 0; j < X.length - cond; j++) {
        if (j < zLen || liveParams) this.get(this.spill(X[j], c.base + j)); else this.dummy(X[j])
      }
      if (cond === 1) this.i32(condVal)
    }
    const out: Entry[] = []
    if (c.kind === K_IF) {
      if (this.elseK[ci] > this.lo[ci]) out.push({ bound: this.elseK[ci], pushes: push(false, 1), innermost: false })
      if (this.hi[ci] > this.elseK[ci]) out.push({ bound: this.hi[ci], pushes: push(false, 0), innermost: false })
    } else if (this.hasHeader(ci)) {
      out.push({ bound: this.headerK[ci] + 1, pushes: push(true, 0), innermost: true })
      if (this.hi[ci] > this.headerK[ci] + 1) out.push({ bound: this.hi[ci], pushes: push(false, 0), innermost: false })
    } else out.push({ bound: this.hi[ci], pushes: push(false, 0), innermost: false })
    return out
  }

  /** A call site whose landing is where its (pure) argument code starts: on a rewind that code runs again. */
  private early (i: number): boolean {
    const k = this.siteKind[i]
    return this.calls[i].argStart >= 0 && (k === S_CALL || k === S_INDIRECT)
  }

  private itemStack (it: Item): number[] {
    if ('entry' in it) return []
    if ('call' in it) {
      const c = this.calls[it.call]
      if (!this.early(it.call)) return c.stack
      const t = this.om.types[c.type]
      return c.stack.slice(0, c.stack.length - t.params.length - (this.siteKind[it.call] === S_INDIRECT ? 1 : 0))
    }
    return this.cons[it.con].entry
  }

  /** Open the landing blocks of an arm's items and emit its dispatch. */
  private dispatch (arm: Item[], P: number[], isBody: boolean, entry = false, defer = false, inherited: Pending[] = []): Pending[] {
    if (arm.length === 0 && !entry && inherited.length === 0) return []
    const land: number[] = new Array(arm.length)
    for (let j = arm.length - 1; j >= (defer ? 1 : 0); j--) land[j] = this.open(0x02, P, this.itemStack(arm[j]))
    if (defer) {
      // The arm begins with a block that is its first item: the test moves
      // into that block, whose dispatch also branches out to this arm's
      // landings (they enclose it). A chain of nested blocks - a switch -
      // then pays one test, not one per block.
      const out: Pending[] = []
      arm.forEach((it, j) => { if (j > 0) for (const e of this.entriesFor(it)) out.push({ e, target: land[j] }) })
      return [...out, ...inherited]
    }
    const w = this.w
    let outer = -1
    if (entry) {
      // The entry check holds the rewind test: a rewind sets the counter below
      // zero, so the normal path pays one test of the counter, not two.
      if (!this.om.omit.has('counter')) this.countValue(); else this.i32(0)
      this.unlikely(); w.u8(0x04).u8(0x40); outer = this.ed++
    }
    if (!this.om.omit.has('dispatch')) {
      // Rewinding while the state says so: the innermost frame's landing
      // clears it, so code after a resumed call never dispatches again and
      // the resume index need not be cleared.
      w.u8(0x23).u32(this.om.gState)
      this.unlikely(); w.u8(0x04).u8(0x40); this.ed++
      if (isBody) this.restoreAt = w.len
      const all: Pending[] = []
      if (entry) all.push({ e: ENTRY_SITE, target: outer })
      arm.forEach((it, j) => { for (const e of this.entriesFor(it)) all.push({ e, target: land[j] }) })
      all.push(...inherited)
      all.forEach(({ e, target }, n) => {
        const last = n === all.length - 1
        if (!last) { this.get(this.riLocal); this.i32(e.bound); w.u8(0x49); w.u8(0x04).u8(0x40); this.ed++ }
        e.pushes()
        if (e.innermost) { this.i32(0); w.u8(0x24).u32(this.om.gState); w.u8(0x23).u32(this.om.gQuantum).u8(0x24).u32(this.om.gCounter) }
        this.br(target)
        if (!last) this.end()
      })
      this.end()
    }
    if (entry) {
      w.u8(0x10).u32(this.om.fInterrupt)
      this.unwindCheck(1, [], 0, [])
      this.end()
    }
    return []
  }

  /** counter -= 1; push counter <= 0 */
  private countValue (): void {
    const w = this.w
    w.u8(0x23).u32(this.om.gCounter); this.i32(1); w.u8(0x6b)
    w.u8(0x22).u32(this.tmpLocal); w.u8(0x24).u32(this.om.gCounter)
    this.get(this.tmpLocal); this.i32(0); w.u8(0x4c)
  }

  // ---------------------------------------------------------------- the walk
  emit (out: ByteWriter): void {
    const { ff, b, w, cons, calls, om } = this
    const R = ff.type.results
    // block $unwound (result i32), block $body (result R)
    w.u8(0x02).u8(I32); this.ed++
    this.orig.push(this.open(0x02, [], R))
    const armItems: Item[][] = [] // per open original construct: its current arm's items
    const nextItem: number[] = []
    const r = new WasmReader(b, ff.codeStart, ff.codeEnd)
    let ci = 1; let cc = 0
    const enterArm = (c: number, which: 'then' | 'else' | 'all'): void => {
      let list = this.items[c]
      if (which !== 'all') {
        const ek = this.elseK[c]
        const kOf = (it: Item): number => 'call' in it ? this.siteK[it.call] : 'con' in it ? this.lo[it.con] : 1
        list = list.filter(it => which === 'then' ? kOf(it) < ek : kOf(it) >= ek)
      }
      const entry = c === 0 && list.length > 0 && 'entry' in list[0]
      if (entry) list = list.slice(1)
      armItems[armItems.length - 1] = list
      nextItem[nextItem.length - 1] = 0
      const first = list[0]
      const d = first != null && 'con' in first ? first.con : -1
      const defer = c !== 0 && !this.hasHeader(c) && d >= 0 && d === ci && b[r.p] === 0x02 && cons[d].entry.length === 0 && !this.hasHeader(d) && !this.om.omit.has('dispatch')
      skipLanding0[skipLanding0.length - 1] = defer
      const inherited = pending
      pending = []
      const out = this.dispatch(list, cons[c].params, c === 0, entry, defer, inherited)
      if (defer) pending = out
    }
    let pending: Pending[] = []
    const skipLanding0: boolean[] = []
    const conStack: number[] = [0]
    armItems.push([]); nextItem.push(0); skipLanding0.push(false)
    enterArm(0, 'all')
    /** The next item of the current arm starts here: close its landing block. */
    const reach = (): void => {
      const i = nextItem[nextItem.length - 1]++
      if (i === 0 && skipLanding0[skipLanding0.length - 1]) return
      this.end()
    }
    const isNextItem = (pred: (it: Item) => boolean): boolean => {
      const list = armItems[armItems.length - 1]
      const i = nextItem[nextItem.length - 1]
      return i < list.length && pred(list[i])
    }

    let from = r.p
    const flush = (at: number): void => { w.copy(b, from, at) }
    // byte offsets where early landings close, in order
    const earlyAt: number[] = []
    for (let i = 0; i < calls.length; i++) if (this.siteKind[i] !== S_NONE && this.early(i)) earlyAt.push(calls[i].argStart)
    let ep = 0
    let landed = -1 // call index whose early landing was closed
    while (r.p < r.end) {
      const at = r.p
      if (ep < earlyAt.length && earlyAt[ep] === at) {
        ep++
        // the next item must be that call
        const list = armItems[armItems.length - 1]
        const it = list[nextItem[nextItem.length - 1]]
        if (it == null || !('call' in it) || calls[it.call].argStart !== at) throw new InstrumentError(`function ${ff.index}: landing out of order at byte ${at}`)
        flush(at); from = at
        reach()
        landed = it.call
      }
      const op = r.u8()
      switch (op) {
        case 0x02: case 0x03: case 0x04: {
          skipBlockType(r)
          const c = ci++
          const rec = cons[c]
          const isItem = isNextItem(it => 'con' in it && it.con === c)
          if (!isItem && !this.hasHeader(c)) {
            // off the resume paths: copied as is
            this.orig.push(this.ed++)
            conStack.push(c); armItems.push([]); nextItem.push(0); skipLanding0.push(false)
            break
          }
          flush(at)
          if (isItem) {
            reach()
            const zLen = rec.entry.length - rec.params.length - (rec.kind === K_IF ? 1 : 0)
            if (zLen > 0) {
              // Z goes to its spill slots; the construct's own operands (params,
              // condition) only pass through scratch locals: their positions hold
              // other live values inside the construct, which a rewind through
              // this code must not overwrite.
              const slot = (j: number): number => j < zLen ? this.spill(rec.entry[j], rec.base + j) : this.scratch(rec.entry[j], j - zLen)
              for (let j = rec.entry.length - 1; j >= 0; j--) this.set(slot(j))
              for (let j = 0; j < rec.entry.length; j++) this.get(slot(j))
            }
          }
          const exit = this.hasHeader(c) && rec.params.length === 0
          if (exit) {
            // loop-exit form: the interrupt call sits outside the loop
            if (this.isLeaf(c) && this.leafOuter < 0) { this.reload(); this.outermostLeaf[c] = 1 }
            this.exitDone[c] = this.open(0x02, [], rec.results)
            if (this.outermostLeaf[c] === 1) this.leafOuter = this.exitDone[c]
            this.exitOuter[c] = this.open(0x03, [], [])
            this.exitChk[c] = this.open(0x02, [], [])
          }
          w.copy(b, at, r.p); from = r.p
          this.orig.push(this.ed++)
          conStack.push(c); armItems.push([]); nextItem.push(0); skipLanding0.push(false)
          enterArm(c, rec.kind === K_IF ? 'then' : 'all')
          if (exit) this.countDown(this.exitChk[c], this.isLeaf(c))
          else if (this.hasHeader(c)) {
            const zLen = rec.entry.length - rec.params.length
            this.counterCheck(this.headerK[c], rec.params, rec.base + zLen)
          }
          break
        }
        case 0x05: {
          flush(r.p); from = r.p
          const c = conStack[conStack.length - 1]
          enterArm(c, 'else')
          break
        }
        case 0x0b: {
          flush(r.p); from = r.p
          const c = conStack.pop() as number
          armItems.pop(); nextItem.pop(); skipLanding0.pop()
          this.orig.pop(); this.ed--
          if (this.exitChk[c] >= 0) {
            const leaf = this.isLeaf(c)
            if (this.outermostLeaf[c] === 1) this.writeBack()
            this.br(this.exitDone[c])
            this.end() // $chk
            if (leaf) this.writeBack()
            w.u8(0x10).u32(this.om.fInterrupt)
            this.unwindCheck(this.headerK[c], [], 0, [])
            if (leaf) this.reload()
            this.br(this.exitOuter[c])
            this.end() // $outer
            w.u8(0x00)
            this.end() // $done
            if (this.outermostLeaf[c] === 1) this.leafOuter = -1
          }
          if (c === 0 && r.p !== r.end) throw new InstrumentError('code after the end of the function')
          break
        }
        case 0x0c: case 0x0d: {
          const d = r.u32()
          const target = this.orig[this.orig.length - 1 - d]
          const nd = this.ed - 1 - target
          if (this.leafOuter >= 0 && target < this.leafOuter) {
            flush(at)
            const tc = cons[conStack[conStack.length - 1 - d]]
            const types = tc.kind === K_LOOP ? tc.params : tc.results
            if (op === 0x0d && types.length === 0) {
              // taken: write the counter back, then branch; not taken: nothing
              w.u8(0x04).u8(0x40); this.ed++; this.writeBack(); w.u8(0x0c).u32(nd + 1); this.end()
            } else { this.writeBack(); w.u8(op).u32(nd) }
            from = r.p
          } else if (nd !== d) { flush(at); w.u8(op).u32(nd); from = r.p }
          break
        }
        case 0x0f:
          if (this.leafOuter >= 0) { flush(at); this.writeBack(); from = at }
          break
        case 0x0e: {
          const n = r.u32()
          const depths: number[] = []
          let same = true
          let leaves = false
          for (let i = 0; i <= n; i++) {
            const d = r.u32()
            const nd = this.ed - 1 - this.orig[this.orig.length - 1 - d]
            if (nd !== d) same = false
            if (this.leafOuter >= 0 && this.orig[this.orig.length - 1 - d] < this.leafOuter) leaves = true
            depths.push(nd)
          }
          if (leaves) { flush(at); this.writeBack(); from = at }
          if (!same) { flush(at); w.u8(0x0e).u32(n); for (const d of depths) w.u32(d); from = r.p }
          break
        }
        case 0x10: case 0x11: case 0x12: case 0x13: {
          let callee = -1
          if (op === 0x10 || op === 0x12) callee = r.u32(); else { r.u32(); r.u32() }
          const i = cc++
          const kind = this.siteKind[i]
          if (kind === S_NONE || (landed !== i && !isNextItem(it => 'call' in it && it.call === i))) {
            if (callee >= 0 && om.func(callee) !== callee) { flush(at); w.u8(op).u32(om.func(callee)); from = r.p }
            break
          }
          flush(at)
          const isEarly = landed === i
          if (!isEarly) reach()
          const c = calls[i]
          const t = om.types[c.type]
          if (kind === S_INDIRECT && !isEarly) w.u8(0x22).u32(this.spill(I32, c.base + c.stack.length - 1))
          if (kind === S_IMPORT && t.params.length > 0) {
            const a0 = c.stack.length - t.params.length
            for (let j = c.stack.length - 1; j >= a0; j--) this.set(this.spill(c.stack[j], c.base + j))
            for (let j = a0; j < c.stack.length; j++) this.get(this.spill(c.stack[j], c.base + j))
          }
          if (callee >= 0) w.u8(op).u32(om.func(callee)); else w.copy(b, at, r.p)
          from = r.p
          const sLen = c.stack.length - t.params.length - (kind === S_INDIRECT ? 1 : 0)
          this.unwindCheck(this.siteK[i], c.stack.slice(0, sLen), c.base, t.results)
          break
        }
        case 0xd2: { const f = r.u32(); if (om.func(f) !== f) { flush(at); w.u8(0xd2).u32(om.func(f)); from = r.p } break }
        default: skipImmediates(r, op)
      }
    }
    flush(r.end)
    // after the original final `end` (which closed $body): return; end $unwound; save; dummy results
    w.u8(0x0f)
    w.u8(0x0b); this.ed--
    const saveList = this.saveList()
    const frameSize = 8 + saveList.reduce((s, [t, ls]) => s + SIZE[t] * ls.length, 0)
    this.set(this.riLocal)
    this.i32(frameSize); w.u8(0x10).u32(om.helper('push'))
    this.i32(ff.index); this.get(this.riLocal); w.u8(0x10).u32(om.helper('save_head'))
    for (const [t, ls] of saveList) {
      for (const chunk of chunks(ls)) {
        for (const l of chunk) this.get(l)
        w.u8(0x10).u32(om.helper('save', t, chunk.length))
      }
    }
    w.u8(0x1a)
    for (const t of R) this.dummy(t)
    w.u8(0x0b)

    // restore, spliced into the body dispatch
    const rw = new ByteWriter(256)
    if (this.restoreAt >= 0) {
      rw.u8(0x41).s32(frameSize).u8(0x41).s32(ff.index).u8(0x10).u32(om.helper('pop'))
      rw.u8(0x10).u32(om.helper('load_head')).u8(0x21).u32(this.riLocal)
      for (const [t, ls] of saveList) {
        for (const chunk of chunks(ls)) {
          rw.u8(0x10).u32(om.helper('load', t, chunk.length))
          for (let j = chunk.length - 1; j >= 0; j--) rw.u8(0x21).u32(chunk[j])
        }
      }
      rw.u8(0x1a)
    }
    // locals declaration
    const all = [...ff.locals.slice(ff.type.params.length), ...this.extraLocals]
    const lw = new ByteWriter(64)
    const runs: Array<[number, number]> = []
    for (const t of all) { if (runs.length > 0 && runs[runs.length - 1][1] === t) runs[runs.length - 1][0]++; else runs.push([1, t]) }
    lw.u32(runs.length); for (const [n, t] of runs) lw.u32(n).u8(t)
    const ra = this.restoreAt >= 0 ? this.restoreAt : w.len
    if (this.hints.length > 0) this.om.addHints(this.ff.index, this.hints.map(p => lw.len + p + (p >= ra ? rw.len : 0)))
    out.u32(lw.len + w.len + rw.len)
    out.copy(lw.buf, 0, lw.len).copy(w.buf, 0, ra).copy(rw.buf, 0, rw.len).copy(w.buf, ra, w.len)
  }

  /** Locals saved in a frame, grouped by type: all but the resume index and the scratch local. */
  private saveList (): Array<[number, number[]]> {
    const n = this.om.omit.has('saved-locals') ? 0 : this.ff.locals.length + this.extraLocals.length
    const by = new Map<number, number[]>(SAVE_ORDER.map(t => [t, []]))
    for (let l = 0; l < n; l++) {
      if (l === this.riLocal || l === this.tmpLocal || l === this.lcLocal || this.unsaved.has(l)) continue
      const t = l < this.ff.locals.length ? this.ff.locals[l] : this.extraLocals[l - this.ff.locals.length]
      if (isRef(t)) {
        if (this.om.snapshotSafe) throw new InstrumentError(`function ${this.ff.index} has a local of type ${typeName(t)}, which cannot be part of a snapshot`)
        continue
      }
      by.get(t)?.push(l)
    }
    return [...by.entries()].filter(([, ls]) => ls.length > 0)
  }
}

function chunks (ls: number[]): number[][] {
  const out: number[][] = []
  let i = 0
  for (const size of [8, 4, 2, 1]) while (ls.length - i >= size) { out.push(ls.slice(i, i + size)); i += size }
  return out
}

function skipBlockType (r: WasmReader): void {
  const x = r.b[r.p]
  if (x === 0x40 || isValType(x)) r.p++
  else r.s33()
}

/** Skip the immediates of opcode `op` (already read). */
export function skipImmediates (r: WasmReader, op: number): void {
  switch (op) {
    case 0x02: case 0x03: case 0x04: skipBlockType(r); return
    case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: case 0xd2: r.u32(); return
    case 0x0e: { const n = r.u32(); for (let i = 0; i <= n; i++) r.u32(); return }
    case 0x11: case 0x13: r.u32(); r.u32(); return
    case 0x1c: { const n = r.u32(); r.skip(n); return }
    case 0x3f: case 0x40: r.u32(); return
    case 0xd0: r.u8(); return
    case 0x41: r.skipSleb(32); return
    case 0x42: r.skipSleb(64); return
    case 0x43: r.skip(4); return
    case 0x44: r.skip(8); return
    case 0xfc: {
      const sub = r.u32()
      switch (sub) {
        case 8: r.u32(); r.u32(); return
        case 9: case 13: case 15: case 16: case 17: r.u32(); return
        case 10: r.u32(); r.u32(); return
        case 11: r.u32(); return
        case 12: case 14: r.u32(); r.u32(); return
        default: return
      }
    }
    case 0xfd: {
      const sub = r.u32()
      const s = SIMPLE.get(0xfd00 + sub)
      if (s === undefined) return
      if (s.imm === IMM_MEMARG || s.imm === IMM_MEMARG_LANE) skipMemarg(r)
      if (s.imm === IMM_LANE || s.imm === IMM_MEMARG_LANE) r.u8()
      if (s.imm === IMM_V128 || s.imm === IMM_SHUFFLE) r.skip(16)
      return
    }
    default: {
      const s = SIMPLE.get(op)
      if (s !== undefined && s.imm === IMM_MEMARG) skipMemarg(r)
    }
  }
}

function skipMemarg (r: WasmReader): void {
  const align = r.u32()
  if ((align & 0x40) !== 0) r.u32()
  r.skipSleb(64) // the offset (u64 with memory64): skipping is the same for both signednesses
}
