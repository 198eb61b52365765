/**
 * The compiler's identity and its input/output types, without the compiler
 * itself (compile.ts).
 */
import type { ModuleInfo, ValidateLimits } from './validate.js'

/** Bump when the instrumentation changes: snapshots name the compiler that made their stack. */
export const COMPILER_VERSION = 'gate-p2p-compiler/3.3'

export interface CompileOptions extends ValidateLimits {
  /** Entry function (default `_start`). */
  entry?: string
  /** Checks between interrupts are set at run time; these affect code shape only. */
  entryChecks?: 'auto' | 'all'
  /** Maximum size of the frame stack memory in pages; bounds the depth of a stack that can be captured. */
  framePages?: number
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
  stats: { loopChecks: number, entryChecks: number, sites: number, functions: number, compileMs: number }
}

/** 1 GiB of frames at most. */
export const DEFAULT_FRAME_PAGES = 16384

/**
 * Does a snapshot's compiler ID name this compiler's frame layout? Only the
 * version part counts: options (entry checks, frame pages) change the code,
 * which the compiled-module hash checks.
 */
export function sameStackFormat (snapshotCompilerId: unknown): boolean {
  return typeof snapshotCompilerId === 'string' && snapshotCompilerId.split(' ')[0] === COMPILER_VERSION
}

export function compilerId (opts: CompileOptions = {}): string {
  return `${COMPILER_VERSION} entry=${opts.entryChecks ?? 'auto'} frames=${opts.framePages ?? DEFAULT_FRAME_PAGES}`
}
