/**
 * The compiler's front door: validate, check imports, instrument. Pure bytes
 * in, bytes out; the disk cache lives in `cache.ts`.
 */
import { sha256hex } from './hash.js'
import { ABI_FUNCTIONS, INTERRUPT_MODULE, INTERRUPT_NAME, MEMORY_MODULE, MEMORY_NAME } from './abi.js'
import { instrument } from './instrument.js'
import { CompileError } from './errors.js'
import { validateModule, type ModuleInfo, type ValidateLimits } from './validate.js'

/** Bump when the instrumentation changes: snapshots name the compiler that made their stack. */
export const COMPILER_VERSION = 'gate-p2p-compiler/2 binaryen/132'

export interface CompileOptions extends ValidateLimits {
  /** Entry function (default `_start`). */
  entry?: string
  /** Checks between interrupts are set at run time; these affect code shape only. */
  entryChecks?: 'auto' | 'all'
  /** Asyncify data memory in pages; bounds the depth of a stack that can be captured. */
  asyncifyMemoryPages?: number
  optimize?: 'functions' | 'module' | 'none'
}

export interface CompiledModule {
  /** Instrumented bytes. */
  bytes: Uint8Array
  /** SHA-256 hex of the original module. */
  moduleHash: string
  /** SHA-256 hex of the instrumented module. */
  compiledHash: string
  /** COMPILER_VERSION plus the options that shape the code. */
  compilerId: string
  entry: string
  hasStart: boolean
  globals: Array<{ name: string, type: 'i32' | 'i64' | 'f32' | 'f64' }>
  memoryInitial: number
  memoryMaximum?: number
  info: ModuleInfo
  stats: { loopChecks: number, entryChecks: number, functions: number, compileMs: number }
}

export const DEFAULT_ASYNCIFY_PAGES = 64
const ENTRY_NAME = /^[A-Za-z0-9\-._]{1,31}$/

export { sha256hex }

export function compilerId (opts: CompileOptions = {}): string {
  return `${COMPILER_VERSION} entry=${opts.entryChecks ?? 'auto'} asyncify=${opts.asyncifyMemoryPages ?? DEFAULT_ASYNCIFY_PAGES} opt=${opts.optimize ?? 'functions'}`
}

/** Validate and instrument a module for the executor. Throws CompileError subclasses. */
export function compileModule (bytes: Uint8Array, opts: CompileOptions = {}): CompiledModule {
  const t0 = performance.now()
  const info = validateModule(bytes, opts)
  const entry = opts.entry ?? '_start'
  if (!ENTRY_NAME.test(entry)) throw new EntryError(`invalid entry function name ${JSON.stringify(entry)}`)
  const exp = info.exports.find(e => e.name === entry)
  if (exp == null || exp.kind !== 'function') throw new EntryError(`module has no exported function ${JSON.stringify(entry)}`)
  const blocking: Array<[string, string]> = []
  for (const imp of info.imports) {
    if (imp.canonical != null && ABI_FUNCTIONS[imp.canonical]?.blocking === true) blocking.push([imp.module, imp.name])
  }
  const pages = opts.asyncifyMemoryPages ?? DEFAULT_ASYNCIFY_PAGES
  const r = instrument(bytes, {
    interruptImport: [INTERRUPT_MODULE, INTERRUPT_NAME],
    blockingImports: blocking,
    entryChecks: opts.entryChecks ?? 'auto',
    asyncifyMemoryPages: pages,
    importMemory: [MEMORY_MODULE, MEMORY_NAME],
    startToExport: true,
    snapshotSafe: true,
    optimize: opts.optimize
  })
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
    stats: { loopChecks: r.loopChecks, entryChecks: r.entryChecks, functions: r.functions, compileMs: performance.now() - t0 }
  }
}

/** The requested entry function is missing or malformed. */
export class EntryError extends CompileError {
  static name = 'EntryError'
  constructor (message: string) { super(message); this.name = 'EntryError' }
}
