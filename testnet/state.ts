/**
 * The state file of a local testnet (`<dir>/testnet.json`): what `up`
 * started, so that `down`, `status`, `kill`, `start`, `cut` and `heal` can
 * be run later from any process.
 */
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TestnetError } from './errors.js'

export const STATE_FILE = 'testnet.json'

export interface TestnetNodeState {
  /** 1-based; node 1 is the bootstrap node. */
  index: number
  name: string
  dataDir: string
  log: string
  /** Listen addresses to use at every start (ports fixed after the first). */
  listen: string[]
  bootstrap: string[]
  pid: number
  peerId: string
  addresses: string[]
  /** Control API URL (`http://127.0.0.1:port` or `unix:<path>`). */
  control: string
  /** Network namespace, when the testnet has them. */
  netns?: string
  /** 'arm64': run by an arm64 Node under qemu-user (testnet/arm64.ts); absent: this host's Node. */
  arch?: 'arm64'
  /** Cable pulled with `cut`. */
  cut?: boolean
}

export interface TestnetState {
  version: 1
  dir: string
  createdAt: string
  /** Namespace prefix (`<prefix>-hub`, `<prefix>-<i>`), when made with --netns. */
  netnsPrefix?: string
  /** Extra arguments given to every `gate node start`. */
  nodeArgs: string[]
  /** Cache of the arm64 runtime, when not the default. */
  archCacheDir?: string
  nodes: TestnetNodeState[]
}

export async function readState (dir: string): Promise<TestnetState> {
  let text: string
  try { text = await readFile(join(dir, STATE_FILE), 'utf8') } catch { throw new TestnetError(`no local testnet in ${dir} (start one with: gate testnet up -n 3)`) }
  const s = JSON.parse(text) as TestnetState
  if (s.version !== 1 || !Array.isArray(s.nodes)) throw new TestnetError(`${join(dir, STATE_FILE)} is not a testnet state file`)
  return s
}

let writes = Promise.resolve()
let serial = 0

/**
 * Replace the state file atomically. Writes from one process are queued
 * (nodes start concurrently), each through a temporary file of its own.
 */
export async function writeState (s: TestnetState): Promise<void> {
  const path = join(s.dir, STATE_FILE)
  const text = JSON.stringify(s, null, 2) + '\n'
  const tmp = `${path}.${process.pid}.${serial++}.tmp`
  const write = writes.then(async () => {
    await writeFile(tmp, text)
    await rename(tmp, path)
  })
  writes = write.catch(() => {})
  await write
}
