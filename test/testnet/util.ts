// Local testnets for end-to-end tests: node processes made by LocalTestnet,
// driven by the gate CLI (as a user would) and by the control API.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ControlClient } from '../../cli/client.js'
import { LocalTestnet } from '../../testnet/index.js'
import { ROOT, tempDir } from '../helpers.js'

export const GATE = join(ROOT, 'bin/gate')
export const prog = (n: string): string => join(ROOT, 'build/testprogs', `${n}.wasm`)

export interface CliResult { stdout: string, stderr: string, code: number }

/** Run the gate CLI against node i of `tn` (or with raw args when i is 0). */
export async function gate (tn: LocalTestnet, i: number, args: string[], input = '', timeout = 120_000): Promise<CliResult> {
  const full = i > 0 ? ['--data-dir', tn.node(i).dataDir, ...args] : args
  return await new Promise(resolve => {
    const child = execFile(GATE, full, { maxBuffer: 64 << 20, timeout, env: { ...process.env, GATE_TESTNET_DIR: tn.dir } }, (err: any, stdout, stderr) => {
      resolve({ stdout, stderr, code: err == null ? 0 : (typeof err.code === 'number' ? err.code : 1) })
    })
    child.stdin?.end(input)
  })
}

/** A long-running CLI command (e.g. an attached send) whose stdout is collected as it comes. */
export function gateBackground (tn: LocalTestnet, i: number, args: string[]): { proc: ChildProcess, out: () => string, err: () => string, done: Promise<number> } {
  const proc = spawn(GATE, ['--data-dir', tn.node(i).dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''; let err = ''
  proc.stdout!.on('data', d => { out += String(d) })
  proc.stderr!.on('data', d => { err += String(d) })
  const done = new Promise<number>(resolve => proc.once('exit', code => { resolve(code ?? 1) }))
  return { proc, out: () => out, err: () => err, done }
}

export async function up (n: number, opts: { netns?: boolean } = {}): Promise<LocalTestnet> {
  // node processes inherit this: their errors (with stacks) go to their logs, which dumpLogs shows
  process.env.DEBUG ??= 'gate*:error'
  return await LocalTestnet.up({ dir: tempDir('gate-e2e-'), nodes: n, netns: opts.netns, startTimeoutMs: 90_000, exitWithPid: process.pid })
}

export async function api (tn: LocalTestnet, i: number): Promise<ControlClient> {
  return await ControlClient.open(tn.node(i).dataDir)
}

export interface InstanceRow { instance: string, status: { state: string, error?: string } }

/** Instances on node i, as its owner (the node itself) sees them. */
export async function instances (tn: LocalTestnet, i: number): Promise<InstanceRow[]> {
  if (!tn.running(i)) return []
  const r = await (await api(tn, i)).json('POST', 'instance/')
  return r.instances as InstanceRow[]
}

/** How many nodes of the testnet run instance `id`. */
export async function runningCopies (tn: LocalTestnet, id: string): Promise<number> {
  let n = 0
  for (const node of tn.nodes) {
    const rows = await instances(tn, node.index).catch(() => [])
    if (rows.some(r => r.instance === id && r.status.state === 'running')) n++
  }
  return n
}

export async function waitFor (cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** The last lines of every node's log, for a failed test's output. */
export function dumpLogs (tn: LocalTestnet | undefined, lines = 25): void {
  if (tn == null) return
  for (const n of tn.nodes) {
    let text = ''
    try { text = readFileSync(n.log, 'utf8') } catch {}
    process.stderr.write(`--- ${n.name} ${n.peerId} (${n.log}) ---\n${text.trim().split('\n').slice(-lines).join('\n')}\n`)
  }
}

/** Bytes in the files under dir (0 if it does not exist). */
export function dirBytes (dir: string): number {
  let n = 0
  let entries: Array<{ name: string, isDirectory: () => boolean }> = []
  try { entries = readdirSync(dir, { withFileTypes: true }) } catch { return 0 }
  for (const e of entries) {
    const p = join(dir, e.name)
    try { n += e.isDirectory() ? dirBytes(p) : statSync(p).size } catch {}
  }
  return n
}
