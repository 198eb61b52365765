/** Messages between WorkerCompiler and its compile-worker thread. */
import type { CompiledModule, CompileOptions } from './compile-id.js'

export interface CompileRequest {
  id: number
  bytes: Uint8Array
  opts: CompileOptions
}

export type CompileReply =
  | { id: number, ok: true, cm: CompiledModule }
  | { id: number, ok: false, name: string, message: string }
