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
 * to a memory of their own where the engine has multi-memory (Node 22), as
 * in the executor, else to memory 0 (Node 20). Invalid or malformed modules
 * are passed through unchanged for the engine to reject, exactly as it
 * would reject the original. The engine flags are the executor's
 * (engine.ts: branch hints read), so the suite runs what nodes run.
 */
import { engineHasMultiMemory } from './engine.js'
import { instrument } from './instrument/index.js'

export function transform (bytes: Uint8Array, _info?: unknown): Uint8Array {
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return bytes
  const out = instrument(bytes, {
    interruptImport: ['spectest', 'print'],
    entryChecks: 'auto',
    framePages: engineHasMultiMemory() ? 1 : 0,
    initialCounter: 1000
  })
  return out.bytes
}
