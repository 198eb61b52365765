/**
 * Walks a Binaryen module once: finds loops, branch targets, call sites and
 * table mutation, builds the call graph and marks recursive functions
 * (Tarjan's SCC; call_indirect is an edge to every function a table may hold).
 */
import binaryen from 'binaryen'

export interface FunctionFacts {
  name: string
  /** Static call sites (call, call_indirect, return_call). */
  callSites: number
  callees: Set<string>
  indirect: boolean
  recursive: boolean
  /** Has reference-typed params or locals, which Asyncify cannot save. */
  refLocals: boolean
}

export interface Analysis {
  functions: FunctionFacts[]
  loops: Array<{ loop: binaryen.ExpressionRef, fn: string }>
  branchTargets: Set<string>
  /** Names of table-mutating instructions found. */
  tableMutation: string[]
  /** Expression ids binaryen.js cannot inspect (treated as leaves). */
  unsupported: number[]
}

const b = binaryen as any
/** Expression id -> info fields holding child expressions ('[]' suffix: an array). */
const CHILDREN = new Map<number, string[]>()
function def (id: string, fields: string[]): void {
  const v = b[`${id}Id`]
  if (typeof v === 'number') CHILDREN.set(v, fields)
}
def('Block', ['children[]'])
def('If', ['condition', 'ifTrue', 'ifFalse'])
def('Loop', ['body'])
def('Break', ['condition', 'value'])
def('Switch', ['condition', 'value'])
def('Call', ['operands[]'])
def('CallIndirect', ['target', 'operands[]'])
def('CallRef', ['operands[]', 'target'])
def('LocalSet', ['value'])
def('GlobalSet', ['value'])
def('Load', ['ptr'])
def('Store', ['ptr', 'value'])
def('AtomicRMW', ['ptr', 'value'])
def('AtomicCmpxchg', ['ptr', 'expected', 'replacement'])
def('AtomicWait', ['ptr', 'expected', 'timeout'])
def('AtomicNotify', ['ptr', 'notifyCount'])
def('SIMDExtract', ['vec'])
def('SIMDReplace', ['vec', 'value'])
def('SIMDShuffle', ['left', 'right'])
def('SIMDTernary', ['a', 'b', 'c'])
def('SIMDShift', ['vec', 'shift'])
def('SIMDLoad', ['ptr'])
def('SIMDLoadStoreLane', ['ptr', 'vec'])
def('MemoryInit', ['dest', 'offset', 'size'])
def('MemoryCopy', ['dest', 'source', 'size'])
def('MemoryFill', ['dest', 'value', 'size'])
def('Unary', ['value'])
def('Binary', ['left', 'right'])
def('Select', ['ifTrue', 'ifFalse', 'condition'])
def('Drop', ['value'])
def('Return', ['value'])
def('MemoryGrow', ['delta'])
def('RefIsNull', ['value'])
def('RefAs', ['value'])
def('RefEq', ['left', 'right'])
def('TableGet', ['index'])
def('TableSet', ['index', 'value'])
def('TableGrow', ['value', 'delta'])
def('Try', ['body', 'catchBodies[]'])
def('Throw', ['operands[]'])
def('TupleMake', ['operands[]'])
def('TupleExtract', ['tuple'])
def('RefI31', ['value'])
for (const leaf of ['Nop', 'Unreachable', 'Const', 'LocalGet', 'GlobalGet', 'MemorySize', 'RefNull', 'RefFunc',
  'DataDrop', 'AtomicFence', 'Pop', 'TableSize', 'Rethrow']) def(leaf, [])

const TABLE_MUTATION = new Map<number, string>()
for (const [id, name] of [['TableSet', 'table.set'], ['TableGrow', 'table.grow'], ['TableFill', 'table.fill'],
  ['TableCopy', 'table.copy'], ['TableInit', 'table.init'], ['ElemDrop', 'elem.drop']] as const) {
  const v = typeof b[`${id}Id`] === 'number' ? b[`${id}Id`] : typeof b[`_Binaryen${id}Id`] === 'function' ? b[`_Binaryen${id}Id`]() : undefined
  if (typeof v === 'number') TABLE_MUTATION.set(v, name)
}

export function analyze (mod: binaryen.Module): Analysis {
  const loops: Analysis['loops'] = []
  const branchTargets = new Set<string>()
  const tableMutation = new Set<string>()
  const unsupported = new Set<number>()
  const functions: FunctionFacts[] = []
  const refFuncs = new Set<string>()

  const nf = mod.getNumFunctions()
  for (let i = 0; i < nf; i++) {
    const fi = binaryen.getFunctionInfo(mod.getFunctionByIndex(i))
    if (fi.module != null && fi.module !== '') continue // import
    const numeric = new Set<number>([binaryen.i32, binaryen.i64, binaryen.f32, binaryen.f64, binaryen.v128])
    const refLocals = [...binaryen.expandType(fi.params), ...fi.vars].some(t => !numeric.has(t))
    const facts: FunctionFacts = { name: fi.name, callSites: 0, callees: new Set(), indirect: false, recursive: false, refLocals }
    functions.push(facts)
    const stack: binaryen.ExpressionRef[] = [fi.body]
    while (stack.length > 0) {
      const e = stack.pop() as binaryen.ExpressionRef
      if (e === 0) continue
      const id = binaryen.getExpressionId(e)
      const tm = TABLE_MUTATION.get(id)
      if (tm !== undefined) tableMutation.add(tm)
      const fields = CHILDREN.get(id)
      if (fields === undefined) {
        // binaryen.js has no accessors for these (table.fill/copy/init,
        // exceptions, GC): a loop in their operands would go unchecked, so the
        // caller refuses them where that matters (snapshotSafe).
        if (tm === undefined) unsupported.add(id)
        continue
      }
      const info: any = fields.length === 0 && id !== b.RefFuncId ? undefined : binaryen.getExpressionInfo(e)
      if (id === b.LoopId) loops.push({ loop: e, fn: fi.name })
      else if (id === b.BreakId) branchTargets.add(info.name)
      else if (id === b.SwitchId) { for (const n of info.names) branchTargets.add(n); branchTargets.add(info.defaultName) }
      else if (id === b.CallId) { facts.callSites++; facts.callees.add(info.target) }
      else if (id === b.CallIndirectId || id === b.CallRefId) { facts.callSites++; facts.indirect = true }
      else if (id === b.RefFuncId) refFuncs.add(info.func)
      for (const f of fields) {
        if (f.endsWith('[]')) { for (const c of info[f.slice(0, -2)] as number[]) stack.push(c) } else if (info[f] !== 0 && info[f] != null) stack.push(info[f])
      }
    }
  }

  // Functions reachable through tables: element segments and ref.func.
  const tableFuncs = new Set<string>(refFuncs)
  const ns = mod.getNumElementSegments()
  for (let i = 0; i < ns; i++) {
    let data: string[]
    try {
      data = binaryen.getElementSegmentInfo(mod.getElementSegmentByIndex(i)).data
    } catch {
      // Segments of expressions (ref.null, global.get) are beyond binaryen.js:
      // assume every function may sit in a table.
      for (const f of functions) tableFuncs.add(f.name)
      continue
    }
    for (const f of data) tableFuncs.add(f)
  }
  // Imported tables may hold any function of this module that is exported.
  markRecursive(functions, tableFuncs)
  return { functions, loops, branchTargets, tableMutation: [...tableMutation], unsupported: [...unsupported] }
}

/** Tarjan's strongly connected components, iterative. */
function markRecursive (functions: FunctionFacts[], tableFuncs: Set<string>): void {
  const byName = new Map(functions.map(f => [f.name, f]))
  const edges = (f: FunctionFacts): string[] => {
    const out = [...f.callees].filter(n => byName.has(n))
    if (f.indirect) for (const t of tableFuncs) if (byName.has(t)) out.push(t)
    return out
  }
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  let next = 0
  for (const root of functions) {
    if (index.has(root.name)) continue
    const work: Array<{ name: string, it: string[], i: number }> = []
    const push = (name: string): void => {
      index.set(name, next); low.set(name, next); next++
      stack.push(name); onStack.add(name)
      work.push({ name, it: edges(byName.get(name) as FunctionFacts), i: 0 })
    }
    push(root.name)
    while (work.length > 0) {
      const top = work[work.length - 1]
      if (top.i < top.it.length) {
        const w = top.it[top.i++]
        if (w === top.name) byName.get(w)!.recursive = true
        if (!index.has(w)) push(w)
        else if (onStack.has(w)) low.set(top.name, Math.min(low.get(top.name)!, index.get(w)!))
        continue
      }
      work.pop()
      if (work.length > 0) {
        const parent = work[work.length - 1].name
        low.set(parent, Math.min(low.get(parent)!, low.get(top.name)!))
      }
      if (low.get(top.name) === index.get(top.name)) {
        const scc: string[] = []
        let w: string
        do { w = stack.pop() as string; onStack.delete(w); scc.push(w) } while (w !== top.name)
        if (scc.length > 1) for (const n of scc) byName.get(n)!.recursive = true
      }
    }
  }
}
