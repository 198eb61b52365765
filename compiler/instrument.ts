/**
 * Instrumentation with Binaryen: a counter at loop headers and at the entry
 * of functions that could otherwise run unbounded between checks, a call to
 * the host's `interrupt` import when the counter runs out, and the Asyncify
 * pass so the host can unwind the wasm stack at that call (or at a blocking
 * import) and rewind it later - in another worker, process or host.
 *
 * Why these choices: ../doc/rationale.md ("Why a counter and Asyncify?").
 */
import { EXPORT_ASYNCIFY_MEMORY, EXPORT_COUNTER, EXPORT_GLOBAL_PREFIX, EXPORT_MEMORY, EXPORT_START } from './exports.js'
import binaryen from 'binaryen'
import { analyze, type Analysis } from './analyze.js'
import { InstrumentError } from './instrument-errors.js'
import { emptyDeclarativeSegments } from './declarative-elems.js'

/** Export names the runtime relies on. */
export { EXPORT_ASYNCIFY_MEMORY, EXPORT_COUNTER, EXPORT_GLOBAL_PREFIX, EXPORT_MEMORY, EXPORT_START }

export interface InstrumentOptions {
  /** Import the counter calls when it runs out: [module, name]. */
  interruptImport: [string, string]
  /** Other imports that may unwind (blocking host calls): [module, name][]. */
  blockingImports?: Array<[string, string]>
  /**
   * Where the entry check goes. 'auto': functions on a call-graph cycle
   * (call_indirect counting as an edge to every table function) and functions
   * with two or more call sites, which bounds the work between two checks by
   * the code size. 'all': every function. 'none': loops only (unsafe:
   * unbounded recursion without checks).
   */
  entryChecks?: 'auto' | 'all' | 'none'
  /** Run Binaryen's Asyncify pass. Default true. */
  asyncify?: boolean
  /** Asyncify data in its own memory (needs multi-memory, Node >= 22): its size in 64 KiB pages; 0 = in memory 0. */
  asyncifyMemoryPages?: number
  /** Turn memory 0 into an import [module, name] so the host sets its limits. */
  importMemory?: [string, string]
  /** Replace the start section by an export (`__gate_start`) the host calls once on a fresh start. */
  startToExport?: boolean
  /** Initial counter value. Default 0 (the host sets it). */
  initialCounter?: number
  /**
   * Binaryen -O2 after Asyncify (as Emscripten does). 'functions' (default)
   * optimizes each function body and leaves module elements alone; 'module'
   * also runs the global passes (inlining, removing unused imports and
   * functions), which changes linking behaviour; 'none' skips it.
   */
  optimize?: 'functions' | 'module' | 'none'
  /** Reject table mutation and non-numeric mutable globals (their state cannot be snapshotted). */
  snapshotSafe?: boolean
}

export interface InstrumentResult {
  bytes: Uint8Array
  /** Mutable globals exported for snapshots: export name and type, in global index order. */
  globals: Array<{ name: string, type: 'i32' | 'i64' | 'f32' | 'f64' }>
  /** Number of loops and function entries that got a check. */
  loopChecks: number
  entryChecks: number
  functions: number
  hasStart: boolean
}

const F = binaryen.Features
const B = binaryen as any
const FEATURES = F.ExtendedConst | F.MutableGlobals | F.SignExt | F.BulkMemory | F.BulkMemoryOpt | F.CallIndirectOverlong |
  F.NontrappingFPToInt | F.SIMD128 | F.Multivalue | F.ReferenceTypes

let labelSeq = 0
const fresh = (what: string): string => `gate$${what}${labelSeq++}`

/** Instrument a module (already validated). Throws InstrumentError. */
export function instrument (bytes: Uint8Array, opts: InstrumentOptions): InstrumentResult {
  let mod: binaryen.Module
  try {
    mod = binaryen.readBinary(emptyDeclarativeSegments(bytes))
  } catch (err: any) {
    throw new InstrumentError(`binaryen could not read the module: ${err?.message ?? err}`)
  }
  try {
    return instrumentModule(mod, opts)
  } finally {
    mod.dispose()
  }
}

function instrumentModule (mod: binaryen.Module, opts: InstrumentOptions): InstrumentResult {
  const secondary = opts.asyncifyMemoryPages ?? 0
  mod.setFeatures(FEATURES | (secondary > 0 ? F.MultiMemory : 0))

  const info: Analysis = analyze(mod)
  if (opts.snapshotSafe === true && info.tableMutation.length > 0) {
    throw new InstrumentError(`table mutation (${info.tableMutation.join(', ')}) is not supported: tables are not part of snapshots`)
  }
  const refFns = info.functions.filter(f => f.refLocals)
  if (opts.snapshotSafe === true && refFns.length > 0) {
    throw new InstrumentError(`function ${refFns[0].name} has reference-typed locals, which cannot be part of a snapshot`)
  }
  // Asyncify cannot spill reference-typed locals: such functions get no checks
  // and stay out of Asyncify (only outside snapshotSafe mode, where no unwind
  // ever crosses them).
  const noCheck = new Set(refFns.map(f => f.name))
  if (opts.snapshotSafe === true && info.unsupported.length > 0) {
    throw new InstrumentError(`unsupported instructions (binaryen expression ids ${info.unsupported.join(', ')})`)
  }

  // Counter and interrupt import.
  const counter = 'gate$counter'
  const interrupt = 'gate$interrupt'
  mod.addGlobal(counter, binaryen.i32, true, mod.i32.const(opts.initialCounter ?? 0))
  mod.addGlobalExport(counter, EXPORT_COUNTER)
  mod.addFunctionImport(interrupt, opts.interruptImport[0], opts.interruptImport[1], binaryen.none, binaryen.none)

  const dec = (): binaryen.ExpressionRef =>
    mod.global.set(counter, mod.i32.sub(mod.global.get(counter, binaryen.i32), mod.i32.const(1)))
  const expired = (): binaryen.ExpressionRef =>
    mod.i32.le_s(mod.global.get(counter, binaryen.i32), mod.i32.const(0))
  const call = (): binaryen.ExpressionRef => mod.call(interrupt, [], binaryen.none)

  // Loop checks. A loop whose label nobody branches to runs once: no check.
  let loopChecks = 0
  for (const { loop, fn } of info.loops) {
    if (noCheck.has(fn)) continue
    const name = B.Loop.getName(loop)
    if (name == null || name === '' || !info.branchTargets.has(name)) continue
    loopChecks++
    const body = B.Loop.getBody(loop)
    const type = binaryen.getExpressionType(loop)
    if (type === binaryen.none) {
      // Loop-exit form: the header only decrements and branches out to a cold
      // path that calls `interrupt` and re-enters; so a call-free loop body
      // needs no Asyncify guards per iteration.
      const outer = fresh('outer'); const done = fresh('done'); const chk = fresh('chk')
      const inner = mod.loop(name, mod.block(null, [dec(), mod.br(chk, expired()), body], binaryen.none))
      B.Loop.setName(loop, outer)
      B.Loop.setBody(loop, mod.block(done, [
        mod.block(chk, [inner, mod.br(done)], binaryen.none),
        call(),
        mod.br(outer)
      ], binaryen.none))
    } else {
      B.Loop.setBody(loop, mod.block(null, [dec(), mod.if(expired(), call()), body], type))
    }
  }

  // Function entry checks.
  let entryChecks = 0
  const mode = opts.entryChecks ?? 'auto'
  for (const fn of info.functions) {
    const want = !noCheck.has(fn.name) && (mode === 'all' || (mode === 'auto' && (fn.recursive || fn.callSites >= 2)))
    if (!want) continue
    entryChecks++
    const ref = mod.getFunction(fn.name)
    const fi = binaryen.getFunctionInfo(ref)
    B.Function.setBody(ref, mod.block(null, [dec(), mod.if(expired(), call()), fi.body], fi.results))
  }

  // Export mutable globals (before Asyncify adds its own) so they can be captured.
  const globals: InstrumentResult['globals'] = []
  const n = mod.getNumGlobals()
  for (let i = 0; i < n; i++) {
    const g = binaryen.getGlobalInfo(mod.getGlobalByIndex(i))
    if (!g.mutable || g.name === counter || (g.module != null && g.module !== '')) continue
    const t = g.type === binaryen.i32 ? 'i32' : g.type === binaryen.i64 ? 'i64' : g.type === binaryen.f32 ? 'f32' : g.type === binaryen.f64 ? 'f64' : undefined
    if (t === undefined) {
      if (opts.snapshotSafe === true) throw new InstrumentError(`mutable global ${i} has a type that cannot be snapshotted`)
      continue
    }
    const exportName = `${EXPORT_GLOBAL_PREFIX}${i}`
    mod.addGlobalExport(g.name, exportName)
    globals.push({ name: exportName, type: t })
  }

  // Start section -> export, run by the host on a fresh start only.
  const start = mod.getStart()
  const hasStart = start !== 0
  if (hasStart && opts.startToExport === true) {
    const name = binaryen.getFunctionInfo(start).name
    mod.addFunctionExport(name, EXPORT_START)
    mod.setStart(0 as unknown as binaryen.FunctionRef)
  }

  // Memory 0 becomes an import, so the host chooses its maximum and owns it.
  if (opts.importMemory != null && mod.hasMemory()) {
    const mi = mod.getMemoryInfo()
    if (mi.module == null || mi.module === '') mod.addMemoryImport(memoryName(mod), opts.importMemory[0], opts.importMemory[1], mi.shared)
  }

  if (mod.validate() !== 1) throw new InstrumentError('instrumented module failed Binaryen validation')

  // Asyncify optimizes the code it instruments according to these levels;
  // pin them (binaryen.js keeps them as process-wide state).
  binaryen.setOptimizeLevel(2)
  binaryen.setShrinkLevel(0)
  if (opts.asyncify !== false) {
    const imports = [opts.interruptImport, ...(opts.blockingImports ?? [])].map(([m, f]) => `${m}.${f}`)
    binaryen.setPassArgument('asyncify-imports', imports.join(','))
    if (noCheck.size > 0) binaryen.setPassArgument('asyncify-removelist', [...noCheck].join(','))
    if (secondary > 0) {
      binaryen.setPassArgument('asyncify-in-secondary-memory', '1')
      binaryen.setPassArgument('asyncify-secondary-memory-size', String(secondary))
    }
    try {
      mod.runPasses(['asyncify'])
    } finally {
      binaryen.clearPassArguments()
    }
    if (secondary > 0) mod.addMemoryExport('asyncify_memory', EXPORT_ASYNCIFY_MEMORY)
  }
  const optimize = opts.optimize ?? 'functions'
  if (optimize !== 'none') {
    if (optimize === 'module') mod.optimize()
    else {
      const nf = mod.getNumFunctions()
      for (let i = 0; i < nf; i++) {
        const fn = mod.getFunctionByIndex(i)
        const fi = binaryen.getFunctionInfo(fn)
        if (fi.module == null || fi.module === '') mod.optimizeFunction(fn)
      }
    }
  }
  const out = mod.emitBinary()
  return { bytes: out, globals, loopChecks, entryChecks, functions: info.functions.length, hasStart }
}

/** Internal name of memory 0: the one an export names, else Binaryen's default. */
function memoryName (mod: binaryen.Module): string {
  const n = mod.getNumExports()
  for (let i = 0; i < n; i++) {
    const e = binaryen.getExportInfo(mod.getExportByIndex(i))
    if (e.kind === binaryen.ExternalMemory) return e.value
  }
  return '0'
}
