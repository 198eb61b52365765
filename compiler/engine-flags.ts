/**
 * V8 flags that running compiled modules need, set once per process before
 * the first module is compiled (V8 flags are process-wide, so worker threads
 * see them).
 *
 * `--experimental-wasm-branch-hinting`: the compiler marks the slow paths of
 * its checks (countdown, unwind test, rewind dispatch) unlikely in a
 * `metadata.code.branch_hint` section. Node 20 and 22 parse the section only
 * with this flag (V8 turned it on by default later); without it the section
 * is an ignored custom section, so output is correct either way and only the
 * speed differs (bench/tricks.ts: 'no branch hints').
 */
import { setFlagsFromString } from 'node:v8'

let done = false

export function setEngineFlags (): void {
  if (done) return
  done = true
  setFlagsFromString('--experimental-wasm-branch-hinting')
}

setEngineFlags()
