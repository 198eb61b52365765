// A differential runner for the WebAssembly spec testsuite as wast2json
// writes it (build/spec-debian/json/<name>/<name>.json, see fetch.sh).
//
// Every module of a script is instantiated twice, from its plain bytes and
// from transform(bytes), in two separate worlds (each has its own spectest
// module and registry; plain instances link to plain ones, transformed to
// transformed). Every action and assertion runs in both worlds, and the two
// outcomes are compared: the same results bit for bit, or both a trap, or both
// a stack exhaustion (RangeError), or both the same kind of error.
//
// Values cross as raw bits: each invoke goes through a generated wrapper
// module that takes the numeric arguments from memory, calls the export
// through call_indirect (wasm to wasm, so no NaN payload is lost in a JS
// number), and stores the numeric results to memory; globals are read by a
// wrapper that imports them. References cross as JS values.
//
// The plain world is also checked against the script's own verdicts
// (assert_return's expected values, NaN patterns included, assert_trap,
// assert_exhaustion, assert_invalid/assert_malformed of binary modules by
// WebAssembly.validate, assert_unlinkable, assert_uninstantiable), which says
// whether the runner and the engine agree with the spec at all.
//
// runFile() runs one script in this process; runAll() runs many, each in a
// child process (node dist/test/spec/debian/run-file.js) under a wall-clock
// timeout, a few at a time.
import { readFileSync } from 'node:fs'
import { dirname, join, basename, resolve } from 'node:path'
import { spawn } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { exportSigs, callWrapper, getWrapper, spectestFuncsModule, isRef, RESULTS, type ValType, type FuncSig, type GlobalSig, type ExportSig } from './wasm-sig.js'

export type Transform = (bytes: Uint8Array) => Uint8Array

export interface Difference { line: number, command: string, plain: string, instrumented: string }
export interface FileResult {
  file: string
  commands: number // commands seen
  specPassed: number // plain outcome as the script says
  specFailed: number
  specSkipped: number // assertions on text modules (wast2json gives .wat files)
  compared: number // commands run in both worlds
  same: number
  differences: Difference[] // at most MAX_DIFFS kept; `different` counts all
  different: number
  trapMessageDiffers: number // both trapped, with other messages (not a difference)
  jsFallback: number // calls made through JS (types the wrapper does not know)
  modules: number
  transformMs: number
  transformErrors: number
  transformErrorSamples: string[] // the first few messages
  missingInstance: number // differences on commands whose instrumented module is missing (follow-ons of a transform error or failed instantiation)
  specFailures: Array<{ line: number, command: string, why: string }> // first few
  error?: string // the file could not be run to its end (timeout, crash)
  ms: number
}

const MAX_DIFFS = 20
const MAX_SPEC_FAILURES = 10

// ---------------------------------------------------------------- values

interface JsonValue { type: string, value?: string | string[], lane_type?: string }
interface JsonAction { type: 'invoke' | 'get', module?: string, field: string, args?: JsonValue[] }
interface JsonCommand {
  type: string, line: number, filename?: string, name?: string, as?: string,
  action?: JsonAction, expected?: JsonValue[], text?: string, module_type?: string
}

/** One result value: numeric ones as their raw bits, references by identity class. */
type Val = { t: ValType, bits: bigint } | { t: ValType, ref: string }
type Outcome = { k: 'ok', v: Val[] } | { k: 'trap', msg: string } | { k: 'exhaust' } | { k: 'error', name: string, msg: string }

const width: Record<string, number> = { i32: 32, i64: 64, f32: 32, f64: 64, v128: 128 }
const mask = (n: number): bigint => (1n << BigInt(n)) - 1n

function showVal (v: Val): string { return 'bits' in v ? `${v.t}:0x${v.bits.toString(16)}` : `${v.t}:${v.ref}` }
function show (o: Outcome): string {
  switch (o.k) {
    case 'ok': return `ok(${o.v.map(showVal).join(', ')})`
    case 'trap': return `trap(${o.msg})`
    case 'exhaust': return 'exhaustion'
    case 'error': return `${o.name}(${o.msg.slice(0, 120)})`
  }
}
function sameOutcome (a: Outcome, b: Outcome): boolean {
  if (a.k !== b.k) return false
  if (a.k === 'ok' && b.k === 'ok') return a.v.length === b.v.length && a.v.every((x, i) => showVal(x) === showVal(b.v[i]))
  if (a.k === 'error' && b.k === 'error') return a.name === b.name
  return true
}
function classify (err: unknown): Outcome {
  if (err instanceof WebAssembly.RuntimeError) return { k: 'trap', msg: err.message }
  if (err instanceof RangeError) return { k: 'exhaust' }
  const e = err as Error
  return { k: 'error', name: e?.constructor?.name ?? 'Error', msg: String(e?.message ?? e) }
}

// externref values of the script, (ref.extern N), one host object per N
const externs = new Map<number, object>()
const externNames = new WeakMap<object, string>()
function externFor (n: number): object {
  let o = externs.get(n)
  if (o === undefined) { o = { extern: n }; externs.set(n, o); externNames.set(o, String(n)) }
  return o
}

function lanesToBits (laneType: string, lanes: string[]): bigint {
  const w = 128 / lanes.length
  let bits = 0n
  lanes.forEach((l, i) => { bits |= (BigInt(l) & mask(w)) << BigInt(w * i) })
  void laneType
  return bits
}

function argBits (a: JsonValue): bigint {
  if (a.type === 'v128') return lanesToBits(a.lane_type ?? 'i32', a.value as string[])
  return BigInt(a.value as string) & mask(width[a.type])
}
function argRef (a: JsonValue): unknown {
  if (a.value === 'null' || a.value === undefined) return null
  if (a.type === 'externref') return externFor(Number(a.value))
  throw new Error(`cannot pass a ${a.type} ${String(a.value)}`)
}
function refVal (t: ValType, x: unknown): Val {
  if (x === null) return { t, ref: 'null' }
  if (typeof x === 'function') return { t, ref: 'func' }
  if (typeof x === 'object' && externNames.has(x)) return { t, ref: `extern ${externNames.get(x) as string}` }
  return { t, ref: typeof x }
}

// ------------------------------------------------------- the spec's verdict

function nanOk (bits: bigint, w: number, pattern: string): boolean {
  const [expMask, quiet] = w === 32 ? [0x7f800000n, 0x00400000n] : [0x7ff0000000000000n, 0x0008000000000000n]
  const mantissa = w === 32 ? 0x7fffffn : 0xfffffffffffffn
  if ((bits & expMask) !== expMask || (bits & mantissa) === 0n) return false
  if (pattern === 'nan:canonical') return (bits & mantissa) === quiet
  return (bits & quiet) !== 0n // nan:arithmetic
}

function scalarOk (actual: bigint, w: number, isFloat: boolean, expected: string): boolean {
  if (expected.startsWith('nan:')) return isFloat && nanOk(actual, w, expected)
  return actual === (BigInt(expected) & mask(w))
}

function expectedOk (v: Val, e: JsonValue): boolean {
  if (!('bits' in v)) {
    if (e.type !== v.t && !(e.type === 'funcref' || e.type === 'externref')) return false
    if (e.value === 'null') return v.ref === 'null'
    if (e.type === 'externref') return v.ref === `extern ${String(e.value)}`
    return v.ref !== 'null'
  }
  if (v.t === 'v128') {
    if (e.type !== 'v128') return false
    const lanes = e.value as string[]; const w = 128 / lanes.length
    const isFloat = e.lane_type === 'f32' || e.lane_type === 'f64'
    return lanes.every((l, i) => scalarOk((v.bits >> BigInt(w * i)) & mask(w), w, isFloat, l))
  }
  const value = e.value as string
  // a NaN pattern is checked at the real result type (legacy-wast.mjs guesses the written one)
  if (value.startsWith('nan:')) return (v.t === 'f32' || v.t === 'f64') && nanOk(v.bits, width[v.t], value)
  if (e.type !== v.t) return false
  return scalarOk(v.bits, width[v.t], v.t === 'f32' || v.t === 'f64', value)
}

// ---------------------------------------------------------------- worlds

interface Inst { exports: WebAssembly.Exports, sigs: Map<string, ExportSig> | null }

// One memory and one table serve all wrappers (calls are sequential).
const wrapMem = new WebAssembly.Memory({ initial: 1 })
const wrapTable = new WebAssembly.Table({ element: 'anyfunc', initial: 1 })
const callWrappers = new Map<string, (...a: unknown[]) => unknown>()
const spectestFuncs = new WebAssembly.Module(spectestFuncsModule() as Uint8Array<ArrayBuffer>)

function spectest (): Record<string, unknown> {
  const f = new WebAssembly.Instance(spectestFuncs).exports
  return {
    ...f,
    global_i32: new WebAssembly.Global({ value: 'i32', mutable: false }, 666),
    global_i64: new WebAssembly.Global({ value: 'i64', mutable: false }, 666n),
    global_f32: new WebAssembly.Global({ value: 'f32', mutable: false }, 666.6),
    global_f64: new WebAssembly.Global({ value: 'f64', mutable: false }, 666.6),
    table: new WebAssembly.Table({ element: 'anyfunc', initial: 10, maximum: 20 }),
    memory: new WebAssembly.Memory({ initial: 1, maximum: 2 })
  }
}

class World {
  registry: Record<string, Record<string, unknown>> = { spectest: spectest() }
  named = new Map<string, Inst | null>()
  last: Inst | null = null

  instantiate (bytes: Uint8Array, name?: string): Outcome {
    let inst: Inst | null = null
    let out: Outcome
    try {
      const mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)
      const instance = new WebAssembly.Instance(mod, this.registry as WebAssembly.Imports)
      inst = { exports: instance.exports, sigs: exportSigs(bytes) }
      out = { k: 'ok', v: [] }
    } catch (err) { out = classify(err) }
    this.last = inst
    if (name !== undefined) this.named.set(name, inst)
    return out
  }

  target (module?: string): Inst | null { return module === undefined ? this.last : (this.named.get(module) ?? null) }
}

let jsFallbacks = 0

function invoke (inst: Inst | null, action: JsonAction): Outcome {
  if (inst === null) return { k: 'error', name: 'NoModule', msg: 'no instance' }
  const x = inst.exports[action.field]
  if (x === undefined) return { k: 'error', name: 'NoExport', msg: action.field }
  const sig = inst.sigs?.get(action.field)
  try {
    if (action.type === 'get') {
      if (sig?.kind === 'global') return getGlobal(x as WebAssembly.Global, sig.sig)
      jsFallbacks++
      const v = (x as WebAssembly.Global).value
      return { k: 'ok', v: [jsVal(v, 'f64')] }
    }
    if (sig?.kind === 'func') return call(x as (...a: unknown[]) => unknown, sig.sig, action.args ?? [])
    jsFallbacks++
    const r = (x as (...a: unknown[]) => unknown)(...(action.args ?? []).map(jsArg))
    return { k: 'ok', v: r === undefined ? [] : [jsVal(r, 'f64')] }
  } catch (err) { return classify(err) }
}

function jsArg (a: JsonValue): unknown {
  if (isRef(a.type as ValType)) return argRef(a)
  const bits = argBits(a)
  if (a.type === 'i32') return Number(BigInt.asIntN(32, bits))
  if (a.type === 'i64') return BigInt.asIntN(64, bits)
  const dv = new DataView(new ArrayBuffer(8))
  if (a.type === 'f32') { dv.setUint32(0, Number(bits), true); return dv.getFloat32(0, true) }
  dv.setBigUint64(0, bits, true); return dv.getFloat64(0, true)
}
function jsVal (v: unknown, t: ValType): Val {
  if (typeof v === 'bigint') return { t: 'i64', bits: BigInt.asUintN(64, v) }
  if (typeof v === 'number') { const dv = new DataView(new ArrayBuffer(8)); dv.setFloat64(0, v, true); return { t, bits: dv.getBigUint64(0, true) } }
  return refVal('externref', v)
}

function writeSlot (view: DataView, at: number, t: ValType, bits: bigint): void {
  if (width[t] === 32) view.setUint32(at, Number(bits), true)
  else if (width[t] === 64) view.setBigUint64(at, bits, true)
  else { view.setBigUint64(at, bits & mask(64), true); view.setBigUint64(at + 8, bits >> 64n, true) }
}
function readSlot (view: DataView, at: number, t: ValType): bigint {
  if (width[t] === 32) return BigInt(view.getUint32(at, true))
  if (width[t] === 64) return view.getBigUint64(at, true)
  return view.getBigUint64(at, true) | (view.getBigUint64(at + 8, true) << 64n)
}

function call (fn: (...a: unknown[]) => unknown, sig: FuncSig, args: JsonValue[]): Outcome {
  const key = JSON.stringify(sig)
  let w = callWrappers.get(key)
  if (w === undefined) {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(callWrapper(sig) as Uint8Array<ArrayBuffer>), { m: { t: wrapTable, mem: wrapMem } })
    w = inst.exports.call as (...a: unknown[]) => unknown
    callWrappers.set(key, w)
  }
  if (args.length !== sig.params.length) return { k: 'error', name: 'TypeError', msg: 'argument count' }
  const view = new DataView(wrapMem.buffer)
  const refArgs: unknown[] = []
  sig.params.forEach((t, i) => {
    if (isRef(t)) refArgs.push(argRef(args[i]))
    else writeSlot(view, 16 * i, t, argBits(args[i]))
  })
  wrapTable.set(0, fn as any)
  try {
    const r = w(...refArgs)
    const refs = sig.results.filter(isRef).length === 1 ? [r] : (r as unknown[] | undefined) ?? []
    let ri = 0
    return { k: 'ok', v: sig.results.map((t, i) => isRef(t) ? refVal(t, refs[ri++]) : { t, bits: readSlot(view, RESULTS + 16 * i, t) }) }
  } finally { wrapTable.set(0, null) }
}

function getGlobal (g: WebAssembly.Global, sig: GlobalSig): Outcome {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(getWrapper(sig) as Uint8Array<ArrayBuffer>), { m: { g, mem: wrapMem } })
  const r = (inst.exports.get as () => unknown)()
  if (isRef(sig.type)) return { k: 'ok', v: [refVal(sig.type, r)] }
  return { k: 'ok', v: [{ t: sig.type, bits: readSlot(new DataView(wrapMem.buffer), RESULTS, sig.type) }] }
}

// ---------------------------------------------------------------- a script

export function runFile (jsonPath: string, transform: Transform): FileResult {
  const t0 = performance.now()
  const script = JSON.parse(readFileSync(jsonPath, 'utf8')) as { commands: JsonCommand[] }
  const dir = dirname(jsonPath)
  const res: FileResult = {
    file: basename(jsonPath, '.json'), commands: 0, specPassed: 0, specFailed: 0, specSkipped: 0, compared: 0, same: 0,
    differences: [], different: 0, trapMessageDiffers: 0, jsFallback: 0, modules: 0, transformMs: 0, transformErrors: 0, transformErrorSamples: [], missingInstance: 0, specFailures: [], ms: 0
  }
  const plain = new World(); const inst = new World()
  jsFallbacks = 0

  const spec = (c: JsonCommand, ok: boolean, why: () => string): void => {
    if (ok) { res.specPassed++; return }
    res.specFailed++
    if (res.specFailures.length < MAX_SPEC_FAILURES) res.specFailures.push({ line: c.line, command: c.type, why: why() })
  }
  const compare = (c: JsonCommand, a: Outcome, b: Outcome): void => {
    res.compared++
    if (sameOutcome(a, b)) {
      res.same++
      if (a.k === 'trap' && b.k === 'trap' && a.msg !== b.msg) res.trapMessageDiffers++
      return
    }
    res.different++
    if (b.k === 'error' && b.name === 'NoModule') res.missingInstance++
    if (res.differences.length < MAX_DIFFS) res.differences.push({ line: c.line, command: c.type + (c.action !== undefined ? ` ${c.action.field}` : ''), plain: show(a), instrumented: show(b) })
  }
  const transformed = (bytes: Uint8Array): Uint8Array | Outcome => {
    const s = performance.now()
    try { return transform(bytes) } catch (err) {
      res.transformErrors++
      if (res.transformErrorSamples.length < 3) res.transformErrorSamples.push(String((err as Error)?.message ?? err).slice(0, 200))
      return { k: 'error', name: 'TransformError', msg: String((err as Error)?.message ?? err) }
    } finally { res.transformMs += performance.now() - s }
  }
  // both worlds instantiate the module; the outcomes are compared
  const load = (c: JsonCommand): [Outcome, Outcome] => {
    const bytes = new Uint8Array(readFileSync(join(dir, c.filename as string)))
    res.modules++
    const a = plain.instantiate(bytes, c.name)
    const tb = transformed(bytes)
    let b: Outcome
    if (tb instanceof Uint8Array) b = inst.instantiate(tb, c.name)
    else { b = tb; inst.last = null; if (c.name !== undefined) inst.named.set(c.name, null) }
    compare(c, a, b)
    return [a, b]
  }

  for (const c of script.commands) {
    res.commands++
    switch (c.type) {
      case 'module': {
        const [a] = load(c)
        spec(c, a.k === 'ok', () => show(a))
        break
      }
      case 'register': {
        const a = plain.target(c.name); const b = inst.target(c.name)
        if (a !== null) plain.registry[c.as as string] = a.exports
        if (b !== null) inst.registry[c.as as string] = b.exports
        spec(c, a !== null, () => 'no module to register')
        break
      }
      case 'action':
      case 'assert_return':
      case 'assert_trap':
      case 'assert_exhaustion': {
        const act = c.action as JsonAction
        const a = invoke(plain.target(act.module), act)
        const b = invoke(inst.target(act.module), act)
        compare(c, a, b)
        if (c.type === 'action') spec(c, a.k === 'ok', () => show(a))
        else if (c.type === 'assert_trap') spec(c, a.k === 'trap', () => `${show(a)}, expected trap ${c.text ?? ''}`)
        else if (c.type === 'assert_exhaustion') spec(c, a.k === 'exhaust', () => `${show(a)}, expected exhaustion`)
        else {
          const exp = c.expected ?? []
          spec(c, a.k === 'ok' && a.v.length === exp.length && a.v.every((v, i) => expectedOk(v, exp[i])),
            () => `${show(a)}, expected ${JSON.stringify(exp)}`)
        }
        break
      }
      case 'assert_invalid':
      case 'assert_malformed': {
        if (c.module_type !== 'binary') { res.specSkipped++; break }
        const bytes = new Uint8Array(readFileSync(join(dir, c.filename as string)))
        const va = WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)
        const tb = transformed(bytes)
        const vb = tb instanceof Uint8Array ? WebAssembly.validate(tb as Uint8Array<ArrayBuffer>) : tb
        compare(c, { k: 'ok', v: [{ t: 'i32', bits: va ? 1n : 0n }] }, vb === true || vb === false ? { k: 'ok', v: [{ t: 'i32', bits: vb ? 1n : 0n }] } : vb)
        spec(c, !va, () => `validates, expected ${c.text ?? ''}`)
        break
      }
      case 'assert_unlinkable':
      case 'assert_uninstantiable': {
        if (c.module_type !== undefined && c.module_type !== 'binary') { res.specSkipped++; break }
        // a failed instantiation must not replace the current module
        const keepA = plain.last; const keepB = inst.last
        const [a] = load(c)
        plain.last = keepA; inst.last = keepB
        const want = c.type === 'assert_unlinkable' ? a.k === 'error' : a.k === 'trap'
        spec(c, want, () => `${show(a)}, expected ${c.type === 'assert_unlinkable' ? 'a link error' : 'a trap'} ${c.text ?? ''}`)
        break
      }
      default:
        res.specSkipped++
    }
  }
  res.jsFallback = jsFallbacks
  res.ms = performance.now() - t0
  return res
}

// ------------------------------------------------------- many, in children

export interface RunAllOptions {
  transform?: string // path of a module exporting transform(); absent: identity
  jobs?: number
  timeoutMs?: number // per file
  onFile?: (r: FileResult) => void
}
export interface Totals {
  files: number, commands: number, specPassed: number, specFailed: number, specSkipped: number, compared: number, same: number,
  different: number, trapMessageDiffers: number, jsFallback: number, modules: number, transformMs: number, transformErrors: number, missingInstance: number,
  transformErrorMessages: Record<string, number> // sample messages, numbers and offsets blanked, by count
  failedFiles: string[] // timed out or crashed
  ms: number
}

const runFileJs = join(import.meta.dirname, 'run-file.js')

function runChild (json: string, opts: RunAllOptions): Promise<FileResult> {
  const args = [runFileJs, json]
  if (opts.transform !== undefined) args.push('--transform', resolve(opts.transform)); else args.push('--transform-identity')
  const t0 = performance.now()
  return new Promise(resolvePromise => {
    // Without NODE_OPTIONS: under tap, @tapjs/processinfo puts its --import
    // there for every child it sees spawned (whatever env is given), which
    // costs each child 300 ms; env(1) drops it after that.
    const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''; let err = ''
    child.stdout.on('data', d => { out += String(d) })
    child.stderr.on('data', d => { err += String(d) })
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      try {
        resolvePromise(JSON.parse(out) as FileResult)
      } catch {
        const why = signal === 'SIGKILL' ? `timed out after ${opts.timeoutMs ?? 120_000} ms` : `exit ${String(code ?? signal)}: ${(err.split('\n').find(l => /Error/.test(l)) ?? err.trim().split('\n').slice(-3).join(' | ')).trim().slice(0, 300)}`
        resolvePromise({
          file: basename(json, '.json'), commands: 0, specPassed: 0, specFailed: 0, specSkipped: 0, compared: 0, same: 0, differences: [],
          different: 0, trapMessageDiffers: 0, jsFallback: 0, modules: 0, transformMs: 0, transformErrors: 0, transformErrorSamples: [], missingInstance: 0, specFailures: [], error: why, ms: performance.now() - t0
        })
      }
    })
  })
}

export async function runAll (jsonFiles: string[], opts: RunAllOptions = {}): Promise<{ totals: Totals, files: FileResult[] }> {
  const t0 = performance.now()
  const results: FileResult[] = []
  // the longest scripts first, so that the pool ends evenly
  const queue = [...jsonFiles].sort((a, b) => (readFileSync(b).length - readFileSync(a).length))
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      const r = await runChild(f, opts)
      results.push(r); opts.onFile?.(r)
    }
  }
  await Promise.all(Array.from({ length: opts.jobs ?? 2 }, worker))
  results.sort((a, b) => a.file.localeCompare(b.file))
  const totals: Totals = {
    files: results.length, commands: 0, specPassed: 0, specFailed: 0, specSkipped: 0, compared: 0, same: 0, different: 0,
    trapMessageDiffers: 0, jsFallback: 0, modules: 0, transformMs: 0, transformErrors: 0, missingInstance: 0, transformErrorMessages: {}, failedFiles: [], ms: 0
  }
  for (const r of results) {
    for (const k of ['commands', 'specPassed', 'specFailed', 'specSkipped', 'compared', 'same', 'different', 'trapMessageDiffers', 'jsFallback', 'modules', 'transformMs', 'transformErrors', 'missingInstance'] as const) totals[k] += r[k]
    for (const m of r.transformErrorSamples) { const key = m.replace(/\d+/g, 'N'); totals.transformErrorMessages[key] = (totals.transformErrorMessages[key] ?? 0) + 1 }
    if (r.error !== undefined) totals.failedFiles.push(`${r.file}: ${r.error}`)
  }
  totals.ms = performance.now() - t0
  return { totals, files: results }
}

export async function loadTransform (path: string | undefined): Promise<Transform> {
  if (path === undefined) return (b: Uint8Array) => b
  const mod = await import(pathToFileURL(resolve(path)).href) as { transform: Transform }
  if (typeof mod.transform !== 'function') throw new Error(`${path} exports no transform()`)
  return mod.transform
}
