/**
 * Whole-module decisions before any code is emitted: which functions get an
 * entry check (on a call-graph cycle, or able to run more than
 * `entryBudget` bytes of code without meeting a check otherwise), which
 * loops get a check (those a branch targets), and which functions can
 * unwind (they contain a check or a blocking import call, or call a
 * function that can unwind, directly or through call_indirect). Indirect
 * calls are resolved by signature: a call_indirect of type T may reach any
 * function of a structurally equal type. Linear in the size of the call
 * graph (Tarjan's SCCs, then one worklist).
 */
import type { FuncFacts } from '../wasm/code.js'
import { K_LOOP } from '../wasm/code.js'
import type { WasmModule } from '../wasm/module.js'

export interface PlanOptions {
  entryChecks: 'auto' | 'all' | 'none'
  /** Imported functions that may unwind (blocking host calls). */
  blocking: Set<number>
  /** Straight-line code (bytes) a function may run, callees included, before it needs an entry check. */
  entryBudget?: number
}

export interface Plan {
  /** Per function index: instrumented (may be on the stack during an unwind). */
  unwinds: Uint8Array
  entryCheck: Uint8Array
  /** Per type index: a call_indirect of this type can unwind. */
  indirectUnwinds: Uint8Array
}

/**
 * Does loop `ci` of `ff` need a check at its header? Yes if a branch
 * targets it, unless every iteration calls a function with an entry check
 * before it can branch back: then that check bounds the iteration.
 */
export function loopNeedsCheck (ff: FuncFacts, ci: number, entryCheck: Uint8Array): boolean {
  const c = ff.constructs[ci]
  if (c.kind !== K_LOOP || !c.branched || c.dead) return false
  for (let i = c.firstCall; i < c.branchedAtCall && i < c.endCall; i++) {
    const call = ff.calls[i]
    if (call.parent === ci && !call.dead && !call.tail && call.callee >= 0 && entryCheck[call.callee] === 1) return false
  }
  return true
}

export function typeKey (t: { params: number[], results: number[] }): string {
  return `${t.params.join(',')}>${t.results.join(',')}`
}

export function makePlan (m: WasmModule, facts: FuncFacts[], opts: PlanOptions): Plan {
  const nImp = m.importedFuncs
  const nFun = m.funcTypes.length
  const nDef = nFun - nImp
  const budget = opts.entryBudget ?? 8192
  // structural type groups
  const groupOfType = new Int32Array(m.types.length)
  const keys = new Map<string, number>()
  m.types.forEach((t, i) => {
    const k = typeKey(t)
    let g = keys.get(k)
    if (g === undefined) { g = keys.size; keys.set(k, g) }
    groupOfType[i] = g
  })
  const nGroups = keys.size
  const members: number[][] = Array.from({ length: nGroups }, () => [])
  for (let f = nImp; f < nFun; f++) members[groupOfType[m.funcTypes[f]]].push(f)

  // nodes: 0..nDef-1 defined functions, nDef..nDef+nGroups-1 signature groups
  const N = nDef + nGroups
  const edges = (v: number): number[] => {
    if (v >= nDef) return members[v - nDef].map(f => f - nImp)
    const ff = facts[v]
    const out: number[] = []
    for (const c of ff.callees) if (c >= nImp) out.push(c - nImp)
    if (ff.indirect) for (const c of ff.calls) if (c.callee < 0) out.push(nDef + groupOfType[c.type])
    return out
  }
  const recursive = new Uint8Array(nDef)
  const order: number[][] = [] // SCCs, callees first
  tarjan(N, edges, scc => {
    order.push(scc)
    if (scc.length > 1) { for (const v of scc) if (v < nDef) recursive[v] = 1 } else {
      const v = scc[0]
      if (v < nDef && edges(v).includes(v)) recursive[v] = 1
    }
  })

  const entryCheck = new Uint8Array(nFun)
  const W = new Float64Array(N)
  for (const scc of order) {
    for (const v of scc) {
      if (v >= nDef) { let mx = 0; for (const f of members[v - nDef]) mx = Math.max(mx, W[f - nImp]); W[v] = mx; continue }
      const ff = facts[v]
      let check = opts.entryChecks === 'all' || (opts.entryChecks === 'auto' && recursive[v] === 1)
      if (!check && opts.entryChecks === 'auto') {
        let w = ff.size
        for (const c of ff.calls) {
          if (c.dead) continue
          if (c.callee < 0) w += W[nDef + groupOfType[c.type]]
          else if (c.callee >= nImp) w += W[c.callee - nImp]
          if (w > budget) break
        }
        if (w > budget) check = true
        else W[v] = w
      }
      if (check) { entryCheck[v + nImp] = 1; W[v] = 0 }
    }
  }

  // unwinding: seeds, then callers
  const unwinds = new Uint8Array(nFun)
  const groupUnwinds = new Uint8Array(nGroups)
  const callers: number[][] = Array.from({ length: nDef }, () => [])
  const indirectCallers: number[][] = Array.from({ length: nGroups }, () => [])
  const work: number[] = []
  for (let v = 0; v < nDef; v++) {
    const ff = facts[v]
    let seed = entryCheck[v + nImp] === 1
    for (let ci = 0; ci < ff.constructs.length; ci++) if (loopNeedsCheck(ff, ci, entryCheck)) { seed = true; break }
    for (const c of ff.calls) {
      if (c.dead || c.tail) continue
      if (c.callee < 0) indirectCallers[groupOfType[c.type]].push(v)
      else if (c.callee >= nImp) callers[c.callee - nImp].push(v)
      else if (opts.blocking.has(c.callee)) seed = true
    }
    if (seed) { unwinds[v + nImp] = 1; work.push(v) }
  }
  while (work.length > 0) {
    const v = work.pop() as number
    const up = [...callers[v]]
    const g = groupOfType[m.funcTypes[v + nImp]]
    if (groupUnwinds[g] === 0) { groupUnwinds[g] = 1; up.push(...indirectCallers[g]) }
    for (const u of up) if (unwinds[u + nImp] === 0) { unwinds[u + nImp] = 1; work.push(u) }
  }
  const indirectUnwinds = new Uint8Array(m.types.length)
  for (let t = 0; t < m.types.length; t++) indirectUnwinds[t] = groupUnwinds[groupOfType[t]]
  return { unwinds, entryCheck, indirectUnwinds }
}

/** Tarjan's strongly connected components, iterative; calls `emit` for each, callees first. */
function tarjan (n: number, edges: (v: number) => number[], emit: (scc: number[]) => void): void {
  const index = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const onStack = new Uint8Array(n)
  const stack: number[] = []
  let next = 0
  const work: Array<{ v: number, it: number[], i: number }> = []
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue
    const push = (v: number): void => {
      index[v] = low[v] = next++
      stack.push(v); onStack[v] = 1
      work.push({ v, it: edges(v), i: 0 })
    }
    push(root)
    while (work.length > 0) {
      const top = work[work.length - 1]
      if (top.i < top.it.length) {
        const w = top.it[top.i++]
        if (index[w] === -1) push(w)
        else if (onStack[w] === 1) low[top.v] = Math.min(low[top.v], index[w])
        continue
      }
      work.pop()
      if (work.length > 0) { const p = work[work.length - 1].v; low[p] = Math.min(low[p], low[top.v]) }
      if (low[top.v] === index[top.v]) {
        const scc: number[] = []
        let w: number
        do { w = stack.pop() as number; onStack[w] = 0; scc.push(w) } while (w !== top.v)
        emit(scc)
      }
    }
  }
}
