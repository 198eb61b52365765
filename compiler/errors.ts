/**
 * Errors of the compiler. All extend CompileError; callers match on `.name`.
 * Messages are safe to show to the module's sender.
 */
export class CompileError extends Error {
  static name = 'CompileError'
  constructor (message: string) { super(message); this.name = 'CompileError' }
}

/** Not a wasm binary, or its structure is broken (bad magic, truncated, section overruns). */
export class MalformedModuleError extends CompileError {
  static name = 'MalformedModuleError'
  constructor (message: string) { super(message); this.name = 'MalformedModuleError' }
}

/** Well-formed but invalid: the engine's validator refused it. */
export class InvalidModuleError extends CompileError {
  static name = 'InvalidModuleError'
  constructor (message: string) { super(message); this.name = 'InvalidModuleError' }
}

/** An import the host does not provide, or with the wrong signature. */
export class ImportError extends CompileError {
  static name = 'ImportError'
  constructor (message: string) { super(message); this.name = 'ImportError' }
}

/** Over a limit: module size, memory, functions; or an unsupported feature (shared memory, memory64, multi-memory). */
export class LimitError extends CompileError {
  static name = 'LimitError'
  constructor (message: string) { super(message); this.name = 'LimitError' }
}

/** The requested entry function is missing or malformed. */
export class EntryError extends CompileError {
  static name = 'EntryError'
  constructor (message: string) { super(message); this.name = 'EntryError' }
}

/** The compiler's worker thread died (out of memory, a crash) while it compiled a module. */
export class CompilerCrashError extends CompileError {
  static name = 'CompilerCrashError'
  constructor (message: string) { super(message); this.name = 'CompilerCrashError' }
}
