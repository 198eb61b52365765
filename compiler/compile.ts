/**
 * The compiler's front door: validate, check imports, instrument. Pure bytes
 * in, bytes out; the disk cache lives in `cache.ts`.
 */
import { sha256hex } from './hash.js'
import { ABI_FUNCTIONS, FRAMES_NAME, INTERRUPT_MODULE, INTERRUPT_NAME, MEMORY_MODULE, MEMORY_NAME } from './abi.js'
import { instrument } from './instrument.js'
import { CompileError, EntryError, InvalidModuleError, LimitError } from './errors.js'
import { InstrumentError } from './instrument-errors.js'
import { validateModule } from './validate.js'
import { compilerId, DEFAULT_FRAME_PAGES, type CompiledModule, type CompileOptions } from './compile-id.js'

export { COMPILER_VERSION, DEFAULT_FRAME_PAGES, compilerId, type CompiledModule, type CompileOptions } from './compile-id.js'
export { sha256hex, EntryError }

const ENTRY_NAME = /^[A-Za-z0-9\-._]{1,31}$/

/** Validate and instrument a module for the executor. Throws CompileError subclasses. */
export function compileModule (bytes: Uint8Array, opts: CompileOptions = {}): CompiledModule {
  const t0 = performance.now()
  const info = validateModule(bytes, opts)
  const entry = opts.entry ?? '_start'
  if (!ENTRY_NAME.test(entry)) throw new EntryError(`invalid entry function name ${JSON.stringify(entry)}`)
  const blocking: Array<[string, string]> = []
  for (const imp of info.imports) {
    if (imp.canonical != null && ABI_FUNCTIONS[imp.canonical]?.blocking === true) blocking.push([imp.module, imp.name])
  }
  const r = guarded(() => instrument(bytes, {
    interruptImport: [INTERRUPT_MODULE, INTERRUPT_NAME],
    blockingImports: blocking,
    entryChecks: opts.entryChecks ?? 'auto',
    framePages: opts.framePages ?? DEFAULT_FRAME_PAGES,
    importMemory: [MEMORY_MODULE, MEMORY_NAME],
    importFrames: [MEMORY_MODULE, FRAMES_NAME],
    startToExport: true,
    snapshotSafe: true,
    maxFunctions: opts.maxFunctions
  }))
  checkOutput(bytes, r.bytes)
  const exp = info.exports.find(e => e.name === entry)
  if (exp == null || exp.kind !== 'function') throw new EntryError(`module has no exported function ${JSON.stringify(entry)}`)
  return {
    bytes: r.bytes,
    moduleHash: sha256hex(bytes),
    compiledHash: sha256hex(r.bytes),
    compilerId: compilerId(opts),
    entry,
    hasStart: r.hasStart,
    globals: r.globals,
    memoryInitial: info.memory?.initial ?? 0,
    memoryMaximum: info.memory?.maximum,
    info,
    stats: { loopChecks: r.loopChecks, entryChecks: r.entryChecks, sites: r.sites, functions: r.functions, compileMs: performance.now() - t0 }
  }
}

/**
 * The engine validates what we emit. Our validator checks everything the
 * instrumentation relies on; should the engine still refuse the output, the
 * original is asked too, so an invalid input is reported as such and only a
 * fault of ours as an InstrumentError.
 */
function checkOutput (input: Uint8Array, output: Uint8Array): void {
  if (WebAssembly.validate(output as Uint8Array<ArrayBuffer>)) return
  try {
    // eslint-disable-next-line no-new
    new WebAssembly.Module(input as Uint8Array<ArrayBuffer>)
  } catch (err: any) {
    throw new InvalidModuleError(`invalid module: ${String(err?.message ?? err).replace(/^WebAssembly\.Module\(\): /, '')}`)
  }
  let why = ''
  try { new WebAssembly.Module(output as Uint8Array<ArrayBuffer>) } catch (err: any) { why = String(err?.message ?? err) } // eslint-disable-line no-new
  throw new InstrumentError(`the instrumented module is invalid (a compiler bug): ${why}`)
}

/** Whatever goes wrong inside the compiler reaches the caller as a CompileError with a message. */
function guarded<T> (fn: () => T): T {
  try {
    return fn()
  } catch (err: any) {
    if (err instanceof CompileError) throw err
    if (err instanceof RangeError) throw new LimitError(`module too complex to compile: ${err.message}`)
    throw new InstrumentError(`internal compiler error: ${err?.message ?? String(err)}`)
  }
}
