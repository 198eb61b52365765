/**
 * The hook for the WebAssembly spec testsuite runner
 * (`node run-spec.mjs --transform dist/compiler/transform.js`): applies the
 * same instrumentation the executor uses - loop and entry checks, the
 * interrupt call and Asyncify - to every test module.
 *
 * The runner links imports only from `spectest` and registered modules, so
 * the interrupt import is bound to `spectest.print` (a no-op `() -> ()`
 * function there). Invalid or malformed modules are passed through unchanged
 * for the engine to reject, exactly as it would reject the original.
 */
import { instrument } from './instrument.js'

let multiMemory: boolean | undefined
function engineHasMultiMemory (): boolean {
  if (multiMemory === undefined) {
    // (module (memory 0) (memory 0))
    multiMemory = WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 5, 2, 0, 0, 0, 0]))
  }
  return multiMemory
}

export function transform (bytes: Uint8Array, _info?: unknown): Uint8Array {
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return bytes
  const out = instrument(bytes, {
    interruptImport: ['spectest', 'print'],
    entryChecks: 'auto',
    asyncifyMemoryPages: engineHasMultiMemory() ? 1 : 0,
    initialCounter: 1000
  })
  return out.bytes
}
