/**
 * The compiler's identity and its input/output types, without the compiler:
 * importing this does not load Binaryen (compile.ts does).
 */
import type { ModuleInfo, ValidateLimits } from './validate.js'

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

export function compilerId (opts: CompileOptions = {}): string {
  return `${COMPILER_VERSION} entry=${opts.entryChecks ?? 'auto'} asyncify=${opts.asyncifyMemoryPages ?? DEFAULT_ASYNCIFY_PAGES} opt=${opts.optimize ?? 'functions'}`
}
