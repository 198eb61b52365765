/**
 * The hook for the WebAssembly spec testsuite runner
 * (`node run-spec.mjs --transform dist/compiler/transform.js`): applies the
 * same instrumentation the executor uses - loop and entry checks, the
 * interrupt call, unwind checks after calls, the rewind dispatch - to every
 * test module.
 *
 * The runner links imports only from `spectest` and registered modules, so
 * the interrupt import is bound to `spectest.print` (a no-op `() -> ()`
 * function there), which never unwinds: the run checks that the normal path
 * of instrumented code computes exactly what the original does. Frames go
 * to memory 0 (or a memory of their own when the module has none), so
 * Node 20, without multi-memory, runs it too. Invalid or malformed modules
 * are passed through unchanged for the engine to reject, exactly as it
 * would reject the original.
 */
import { instrument } from './instrument/index.js'

export function transform (bytes: Uint8Array, _info?: unknown): Uint8Array {
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return bytes
  const out = instrument(bytes, {
    interruptImport: ['spectest', 'print'],
    entryChecks: 'auto',
    framePages: 0,
    initialCounter: 1000
  })
  return out.bytes
}
