// A random valid module generator (typed and stack-correct by construction)
// for differential testing of the instrumentation. Every module exports
// `run(seed i32) -> i64` and `mem`; it imports nothing. Termination: loops
// are counted, direct calls go to later functions or (with depth - 1, under
// `depth > 0`) to earlier ones and itself, and a fuel global traps after a
// fixed number of function entries.
import { F32, F64, I32, I64, ModuleBuilder, f32bytes, f64bytes, sleb, uleb } from './wasm-builder.js'

type Rnd = (n: number) => number
const TYPES = [I32, I64, F32, F64]

interface Sig { p: number[], r: number[] }
interface Label { types: number[], loop: boolean, forbid?: boolean }

export function randomModule (rnd: Rnd): Uint8Array {
  const m = new ModuleBuilder()
  m.memory = { min: 1, max: 1 }
  const nf = 2 + rnd(5)
  const sigs: Sig[] = []
  for (let i = 0; i < nf; i++) {
    const p = [I32, ...Array.from({ length: rnd(4) }, () => TYPES[rnd(4)])]
    const nr = [0, 1, 1, 1, 2, 3][rnd(6)]
    sigs.push({ p, r: Array.from({ length: nr }, () => TYPES[rnd(4)]) })
  }
  // globals: 0 fuel, then some of each type
  const FUEL = 0
  m.global(I32, true, [0x41, 0])
  const gtypes: number[] = []
  for (let i = 0, n = 1 + rnd(4); i < n; i++) {
    const t = TYPES[rnd(4)]; gtypes.push(t)
    m.global(t, true, constOf(t, rnd))
  }
  const funcIndex = (i: number): number => i // no imports
  m.table = { min: nf, max: nf }
  m.elems = Array.from({ length: nf }, (_, i) => i)

  for (let fi = 0; fi < nf; fi++) {
    const sig = sigs[fi]
    const locals: number[] = []
    const allLocals = (): number[] => [...sig.p, ...locals]
    const scratch = (t: number): number => { locals.push(t); return sig.p.length + locals.length - 1 }
    for (let i = 0, n = rnd(5); i < n; i++) locals.push(TYPES[rnd(4)])
    // local.set/tee only to these: not the depth (param 0), not loop counters or scratch locals
    const writable = (i: number): boolean => i > 0 && i < sig.p.length + nDeclared
    const nDeclared = locals.length
    const labels: Label[] = []
    let budget = 60 + rnd(80)
    let loopDepth = 0
    const code: number[] = []
    const emit = (...b: number[]): void => { for (const x of b) code.push(x) }

    const conv = (from: number, to: number): void => {
      if (from === to) return
      const table: Record<string, number> = {
        [`${I32},${I64}`]: 0xac, [`${I64},${I32}`]: 0xa7, [`${I32},${F32}`]: 0xb2, [`${I32},${F64}`]: 0xb7,
        [`${I64},${F32}`]: 0xb4, [`${I64},${F64}`]: 0xb9, [`${F32},${F64}`]: 0xbb, [`${F64},${F32}`]: 0xb6
      }
      const op = table[`${from},${to}`]
      if (op !== undefined) { emit(op); return }
      // float -> int: saturating truncation
      const sat: Record<string, number> = { [`${F32},${I32}`]: 0, [`${F64},${I32}`]: 2, [`${F32},${I64}`]: 4, [`${F64},${I64}`]: 6 }
      emit(0xfc, sat[`${from},${to}`])
    }
    const add = (t: number): void => { emit(t === I32 ? 0x6a : t === I64 ? 0x7c : t === F32 ? 0x92 : 0xa0) }
    // results `rs` on the stack -> one value of type t
    const materialize = (rs: number[], t: number): void => {
      if (rs.length === 0) { emit(...constOf(t, rnd)); return }
      const ss = rs.map(r => scratch(r))
      for (let i = rs.length - 1; i >= 0; i--) emit(0x21, ...uleb(ss[i]))
      emit(0x20, ...uleb(ss[0])); conv(rs[0], t)
      for (let i = 1; i < rs.length; i++) { emit(0x20, ...uleb(ss[i])); conv(rs[i], t); add(t) }
    }
    const drops = (rs: number[]): void => { for (let i = 0; i < rs.length; i++) emit(0x1a) }
    const addr = (d: number, float: boolean): void => {
      expr(I32, d + 1); emit(0x41, ...sleb(0x1f8), 0x71)
      if (float) emit(0x41, ...sleb(1024), 0x72)
    }
    const blockType = (p: number[], r: number[]): number[] => {
      if (p.length === 0 && r.length === 0) return [0x40]
      if (p.length === 0 && r.length === 1) return [r[0]]
      return sleb(m.type(p, r))
    }
    const call = (d: number): number[] => {
      // returns the result types left on the stack
      const j = rnd(nf)
      const s = sigs[j]
      const back = j <= fi
      const indirect = rnd(4) === 0
      const args = (): void => {
        if (back) emit(0x20, 0, 0x41, 1, 0x6b); else emit(0x20, 0)
        for (let k = 1; k < s.p.length; k++) expr(s.p[k], d + 1)
        if (indirect) { emit(0x41, ...sleb(rnd(16) === 0 ? nf : j)); emit(0x11, ...uleb(m.type(s.p, s.r)), 0) } else emit(0x10, ...uleb(funcIndex(j)))
      }
      if (back) {
        emit(0x20, 0, 0x41, 0, 0x4a, 0x04, ...blockType([], s.r))
        labels.push({ types: s.r, loop: false }); args(); emit(0x05)
        for (const r of s.r) emit(...constOf(r, rnd))
        labels.pop(); emit(0x0b)
      } else args()
      return s.r
    }

    function expr (t: number, d: number): void {
      budget--
      const leaf = d > 5 || budget <= 0
      const k = leaf ? rnd(3) : rnd(18)
      const ls = allLocals().map((x, i) => [x, i]).filter(([x]) => x === t)
      const ws = ls.filter(([, i]) => writable(i))
      switch (k) {
        case 0: emit(...constOf(t, rnd)); return
        case 1: if (ls.length > 0) { emit(0x20, ...uleb(ls[rnd(ls.length)][1])); return } emit(...constOf(t, rnd)); return
        case 2: { const gs = gtypes.map((x, i) => [x, i + 1]).filter(([x]) => x === t); if (gs.length > 0) { emit(0x23, ...uleb(gs[rnd(gs.length)][1])); return } emit(...constOf(t, rnd)); return }
        case 3: case 4: { // binop
          expr(t, d + 1); expr(t, d + 1)
          const ops = t === I32 ? [0x6a, 0x6b, 0x6c, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x6d, 0x70]
            : t === I64 ? [0x7c, 0x7d, 0x7e, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x7f, 0x82]
              : t === F32 ? [0x92, 0x93, 0x94, 0x95, 0x96, 0x97] : [0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5]
          let op = ops[rnd(ops.length)]
          if ((op === 0x6d || op === 0x70 || op === 0x7f || op === 0x82) && rnd(4) !== 0) op = t === I32 ? 0x6a : 0x7c // traps now and then
          emit(op); return
        }
        case 5: { // unop / compare / convert
          if (t === I32 && rnd(2) === 0) { const u = TYPES[rnd(4)]; expr(u, d + 1); expr(u, d + 1); emit(u === I32 ? 0x48 : u === I64 ? 0x53 : u === F32 ? 0x5d : 0x63); return }
          const u = TYPES[rnd(4)]; expr(u, d + 1); conv(u, t)
          if (t === I32 || t === I64) { if (rnd(2) === 0) emit(t === I32 ? 0x69 : 0x7b) } else if (rnd(2) === 0) emit(t === F32 ? 0x8c : 0x9a)
          return
        }
        case 6: { // load
          const fl = t === F32 || t === F64
          addr(d, fl); emit(t === I32 ? 0x28 : t === I64 ? 0x29 : t === F32 ? 0x2a : 0x2b, 0, ...uleb(rnd(4) * 4)); return
        }
        case 7: expr(t, d + 1); expr(t, d + 1); expr(I32, d + 1); emit(0x1b); return
        case 8: case 9: { // if with result
          expr(I32, d + 1); emit(0x04, ...blockType([], [t])); labels.push({ types: [t], loop: false })
          stmts(d + 1); expr(t, d + 1); emit(0x05); stmts(d + 1); expr(t, d + 1); labels.pop(); emit(0x0b); return
        }
        case 10: { // block with result, maybe a branch out with a value
          emit(0x02, ...blockType([], [t])); labels.push({ types: [t], loop: false })
          stmts(d + 1)
          if (rnd(2) === 0) { expr(t, d + 1); expr(I32, d + 1); emit(0x0d, 0, 0x1a) }
          stmts(d + 1)
          expr(t, d + 1); labels.pop(); emit(0x0b); return
        }
        case 11: { // multi-value block with params
          const p = Array.from({ length: rnd(3) }, () => TYPES[rnd(4)])
          const r = [...Array.from({ length: 1 + rnd(2) }, () => TYPES[rnd(4)]), t]
          for (const x of p) expr(x, d + 1)
          emit(0x02, ...blockType(p, r)); labels.push({ types: r, loop: false })
          const ss = p.map(x => scratch(x)); for (let i = p.length - 1; i >= 0; i--) emit(0x21, ...uleb(ss[i]))
          stmts(d + 1)
          if (rnd(3) === 0) { for (const x of r) expr(x, d + 1); expr(I32, d + 1); emit(0x0d, 0); drops(r) }
          for (const x of r) expr(x, d + 1)
          labels.pop(); emit(0x0b)
          const tmp = scratch(t); emit(0x21, ...uleb(tmp)); materialize(r.slice(0, -1), t); emit(0x20, ...uleb(tmp)); add(t); return
        }
        case 12: case 13: case 14: { // a call, values left on the stack across it
          if (rnd(2) === 0) { expr(t, d + 1); materialize(call(d), t); add(t) } else materialize(call(d), t)
          return
        }
        case 15: if (ws.length > 0) { expr(t, d + 1); emit(0x22, ...uleb(ws[rnd(ws.length)][1])); return } emit(...constOf(t, rnd)); return
        case 16: { // br_table out of a block with a value
          emit(0x02, ...blockType([], [t])); labels.push({ types: [t], loop: false })
          emit(0x02, ...blockType([], [t])); labels.push({ types: [t], loop: false })
          expr(t, d + 1); expr(I32, d + 1)
          const n = rnd(5); emit(0x0e, ...uleb(n)); for (let i = 0; i < n; i++) emit(rnd(2)); emit(rnd(2))
          labels.pop(); emit(0x0b); emit(0x41, 3); conv(I32, t); add(t); labels.pop(); emit(0x0b); return
        }
        default: expr(t, d + 1); return
      }
    }

    function stmts (d: number): void {
      for (let i = 0, n = rnd(4); i < n && budget > 0; i++) stmt(d)
    }
    function stmt (d: number): void {
      budget--
      const all = allLocals()
      switch (rnd(d > 4 ? 4 : 12)) {
        case 0: { const l = rnd(all.length); if (!writable(l)) return; expr(all[l], d + 1); emit(0x21, ...uleb(l)); return }
        case 1: { const g = rnd(gtypes.length); expr(gtypes[g], d + 1); emit(0x24, g + 1); return }
        case 2: { const t = TYPES[rnd(4)]; const fl = t === F32 || t === F64; addr(d, fl); expr(t, d + 1); emit(t === I32 ? 0x36 : t === I64 ? 0x37 : t === F32 ? 0x38 : 0x39, 0, ...uleb(rnd(4) * 4)); return }
        case 3: drops(call(d)); return
        case 4: { expr(I32, d + 1); emit(0x04, 0x40); labels.push({ types: [], loop: false }); stmts(d + 1); if (rnd(2) === 0) { emit(0x05); stmts(d + 1) } labels.pop(); emit(0x0b); return }
        case 5: case 6: { // counted loop: block { loop { if !c break; c--; body; br loop } }
          if (loopDepth >= 2) { stmt(d + 1); return }
          const c = scratch(I32)
          emit(0x41, ...sleb(rnd(5)), 0x21, ...uleb(c))
          emit(0x02, 0x40); labels.push({ types: [], loop: false })
          emit(0x03, 0x40); labels.push({ types: [], loop: true })
          if (rnd(2) === 0) {
            // the loop body begins with a block (code that rewinds through a
            // loop's header check and a nested block): no branch back to the
            // loop from there, it would skip the counter
            const L = labels[labels.length - 1]
            L.forbid = true
            emit(0x02, 0x40); labels.push({ types: [], loop: false })
            loopDepth++; stmts(d + 1); loopDepth--
            labels.pop(); emit(0x0b)
            L.forbid = false
          }
          emit(0x20, ...uleb(c), 0x45, 0x0d, 1, 0x20, ...uleb(c), 0x41, 1, 0x6b, 0x21, ...uleb(c))
          loopDepth++; stmts(d + 1); loopDepth--
          emit(0x0c, 0); labels.pop(); emit(0x0b); labels.pop(); emit(0x0b); return
        }
        case 7: { // br_if / br to an enclosing label (a loop label continues: bounded by its counter)
          if (labels.length === 0) return
          const li = rnd(labels.length); const L = labels[labels.length - 1 - li]
          if (L.forbid === true) return
          const ts = L.loop ? [] : L.types
          for (const x of ts) expr(x, d + 1)
          if (rnd(4) === 0) { emit(0x0c, ...uleb(li)); return } // then unreachable code follows: still valid
          expr(I32, d + 1); emit(0x0d, ...uleb(li)); drops(ts); return
        }
        case 8: { // br_table among labels with no values
          const ok = labels.map((L, i) => [L, labels.length - 1 - i] as const).filter(([L]) => (L.loop || L.types.length === 0) && L.forbid !== true).map(([, i]) => i)
          if (ok.length === 0) return
          expr(I32, d + 1); const n = rnd(6); emit(0x0e, ...uleb(n)); for (let i = 0; i <= n; i++) emit(...uleb(ok[rnd(ok.length)])); return
        }
        case 9: { const t = TYPES[rnd(4)]; expr(t, d + 1); emit(0x1a); return }
        default: { emit(0x02, 0x40); labels.push({ types: [], loop: false }); stmts(d + 1); labels.pop(); emit(0x0b); return }
      }
    }

    // entry: fuel check
    emit(0x23, FUEL, 0x45, 0x04, 0x40, 0x00, 0x0b, 0x23, FUEL, 0x41, 1, 0x6b, 0x24, FUEL)
    labels.push({ types: sig.r, loop: false }) // the function body
    stmts(0)
    for (const r of sig.r) expr(r, 1)
    labels.pop()
    m.func(sig.p, sig.r, locals, code)
  }
  // run(seed): fuel, then f0(depth 3, args from the seed), folded into an i64 with the globals
  const run: number[] = [0x41, ...sleb(300 + rnd(3000)), 0x24, FUEL, 0x41, 3]
  for (let k = 1; k < sigs[0].p.length; k++) { emit2(run, sigs[0].p[k], k) }
  run.push(0x10, 0)
  const rs = sigs[0].r
  // fold results: i64 acc
  const loc = rs.map((_, i) => i + 1) // locals of run after param 0
  for (let i = rs.length - 1; i >= 0; i--) run.push(0x21, loc[i])
  run.push(0x42, 0)
  const toI64 = (t: number): number[] => t === I32 ? [0xac] : t === I64 ? [] : t === F32 ? [0xfc, 5] : [0xfc, 7]
  for (let i = 0; i < rs.length; i++) run.push(0x42, 31, 0x7e, 0x20, loc[i], ...toI64(rs[i]), 0x85)
  for (let g = 0; g < gtypes.length; g++) run.push(0x42, 7, 0x7e, 0x23, g + 1, ...toI64(gtypes[g]), 0x7c)
  if (process.env.DIFF_FOLD_FUEL !== undefined) run.push(0x42, 7, 0x7e, 0x23, FUEL, 0xac, 0x7c)
  m.func([I32], [I64], rs, run)
  m.export('run', 0, nf)
  m.export('mem', 2, 0)
  return m.bytes()
}

function emit2 (out: number[], t: number, k: number): void {
  // an argument from the seed
  out.push(0x20, 0, 0x41, ...sleb(k * 7919), 0x6c)
  if (t === I64) out.push(0xac); else if (t === F32) out.push(0xb2); else if (t === F64) out.push(0xb7)
}

function constOf (t: number, rnd: Rnd): number[] {
  const small = [0, 1, 2, 3, -1, 7, 100, 0x7fffffff, -0x80000000, 255][rnd(10)]
  if (t === I32) return [0x41, ...sleb(rnd(3) === 0 ? (rnd(2 ** 31) | 0) : small)]
  if (t === I64) return [0x42, ...sleb(rnd(3) === 0 ? BigInt(rnd(2 ** 31)) * BigInt(rnd(2 ** 31) + 1) : BigInt(small))]
  if (t === F32) return [0x43, ...f32bytes(small / (1 + rnd(4)))]
  return [0x44, ...f64bytes(small / (1 + rnd(4)))]
}
