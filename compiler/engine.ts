/**
 * The engine under compiled modules: the V8 flags they need, set once per
 * process when this module loads (V8 flags are process-wide, so worker
 * threads see them), and the wasm features our output may use.
 *
 * `--experimental-wasm-branch-hinting`: the compiler marks the slow paths of
 * its checks (countdown, unwind test, rewind dispatch) unlikely in a
 * `metadata.code.branch_hint` section. Node 20 and 22 parse the section only
 * with this flag (V8 turned it on by default later); without it the section
 * is an ignored custom section, so output is correct either way and only the
 * speed differs (bench/tricks.ts: 'no branch hints').
 */
import { setFlagsFromString } from 'node:v8'

setFlagsFromString('--experimental-wasm-branch-hinting')

let multiMemory: boolean | undefined
/** Can this engine instantiate a module with two memories? (Node 22: yes; Node 20: no.) */
export function engineHasMultiMemory (): boolean {
  // (module (memory 0) (memory 0))
  multiMemory ??= WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 5, 2, 0, 0, 0, 0]))
  return multiMemory
}
