/**
 * The instrumenter: parse, validate and analyse the module, then emit every
 * function body in one linear pass each (emit-body.ts) and assemble the
 * result (out-module.ts). No IR, no optimizer: V8 optimizes the output.
 * Why this design: ../../doc/rationale.md ("Our own compiler").
 */
import { InstrumentError } from '../instrument-errors.js'
import { CodeValidator, type CodeLimits, type FuncFacts } from '../wasm/code.js'
import { parseModule, type ModuleLimits, type WasmModule } from '../wasm/module.js'
import { ByteWriter } from '../wasm/writer.js'
import { emitFunction, type EmitStats } from './emit-body.js'
import { OutModule } from './out-module.js'
import { makePlan } from './plan.js'

export interface InstrumentOptions extends ModuleLimits, CodeLimits {
  /** Import the counter calls when it runs out: [module, name]. */
  interruptImport: [string, string]
  /** Other imports that may unwind (blocking host calls): [module, name][]. */
  blockingImports?: Array<[string, string]>
  /**
   * Where entry checks go. 'auto': functions on a call-graph cycle and
   * functions that could otherwise run more than `entryBudget` bytes of
   * code, callees included, without a check. 'all': every function.
   * 'none': loops only (unsafe: recursion unchecked).
   */
  entryChecks?: 'auto' | 'all' | 'none'
  entryBudget?: number
  /** Frame stack in a memory of its own with this maximum size in pages (needs multi-memory); 0 = in memory 0 (for the spec hook, where nothing unwinds). */
  framePages?: number
  /** Turn memory 0 into an import [module, name] so the host sets its limits. */
  importMemory?: [string, string]
  /** Import the frame memory as [module, name] where the program's memories are all imports (OutOptions.importFrames). */
  importFrames?: [string, string]
  /** Replace the start section by an export (`__gate_start`) the host calls once on a fresh start. */
  startToExport?: boolean
  /** Initial counter value. Default 0 (the host sets it). */
  initialCounter?: number
  /** Refuse what a snapshot cannot hold: table mutation, reference-typed state, tail calls. */
  snapshotSafe?: boolean
  /**
   * Add a branch hint section marking the checks' slow paths unlikely
   * (default true). V8 reads it only with --experimental-wasm-branch-hinting,
   * which the executor turns on (compiler/engine.ts).
   */
  branchHints?: boolean
  /** Leave parts out, to measure what each costs (bench/tricks.ts only): the output cannot be suspended correctly. */
  unsafeOmit?: Array<'unwind-checks' | 'dispatch' | 'counter' | 'leaf-counter' | 'saved-locals'>
}

export interface InstrumentResult {
  bytes: Uint8Array
  /** Mutable globals exported for snapshots: export name and type, in global index order. */
  globals: Array<{ name: string, type: 'i32' | 'i64' | 'f32' | 'f64' }>
  loopChecks: number
  entryChecks: number
  /** Resume points (calls that can unwind and checks). */
  sites: number
  functions: number
  hasStart: boolean
  module: WasmModule
}

export function instrument (bytes: Uint8Array, opts: InstrumentOptions): InstrumentResult {
  const m = parseModule(bytes, opts)
  const v = new CodeValidator(m, opts)
  const facts: FuncFacts[] = []
  for (let f = m.importedFuncs; f < m.funcTypes.length; f++) facts.push(v.validate(f))
  const safe = opts.snapshotSafe === true
  if (safe) {
    const tail = facts.find(f => f.tailCalls)
    if (tail != null) throw new InstrumentError(`function ${tail.index} uses tail calls (return_call), which are not supported`)
    const tm = facts.find(f => f.tableMutation)
    if (tm != null) throw new InstrumentError(`function ${tm.index} mutates a table (table.set/grow/fill/copy/init, elem.drop), which is not supported: tables are not part of snapshots`)
  }
  const blocking = new Set<number>()
  const want = new Set((opts.blockingImports ?? []).map(([a, b]) => `${a}\u0000${b}`))
  let fi = 0
  for (const imp of m.imports) {
    if (imp.kind !== 'function') continue
    if (want.has(`${imp.module}\u0000${imp.name}`)) blocking.add(fi)
    fi++
  }
  const plan = makePlan(m, facts, { entryChecks: opts.entryChecks ?? 'auto', blocking, entryBudget: opts.entryBudget })
  const om = new OutModule(m, blocking, {
    interruptImport: opts.interruptImport,
    importMemory: opts.importMemory,
    importFrames: opts.importFrames,
    startToExport: opts.startToExport === true,
    initialCounter: opts.initialCounter ?? 0,
    framePages: opts.framePages ?? 0,
    snapshotSafe: safe,
    exportGlobals: safe,
    unsafeOmit: opts.unsafeOmit,
    branchHints: opts.branchHints ?? true
  })
  const stats: EmitStats = { sites: 0, loopChecks: 0, entryChecks: 0 }
  const bodies = new ByteWriter(bytes.length + (bytes.length >> 2))
  for (const ff of facts) emitFunction(ff, plan, om, bodies, stats)
  const out = om.build(bodies)
  return {
    bytes: out,
    globals: om.globalsOut,
    loopChecks: stats.loopChecks,
    entryChecks: stats.entryChecks,
    sites: stats.sites,
    functions: facts.length,
    hasStart: m.start !== undefined,
    module: m
  }
}
