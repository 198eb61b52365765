/**
 * Node processes of a local testnet: `gate node start --json` detached, its
 * output in a log file; started once its `started` line is in the log.
 */
import { spawn } from 'node:child_process'
import { openSync, closeSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ForeignRuntime } from './arm64.js'
import { NodeStartError } from './errors.js'
import { gateProcessEnv } from '../cli/glibc-env.js'

/** The built CLI entry point (dist/cli/bin.js), run on this process's Node. */
export const GATE_BIN = join(import.meta.dirname, '..', 'cli', 'bin.js')

export interface Started { pid: number, peerId: string, addresses: string[], control: string }

export interface SpawnInit {
  args: string[]
  log: string
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string
  /** Run the CLI with this runtime (an arm64 Node under qemu) instead of this process's Node. */
  runtime?: ForeignRuntime
  timeoutMs: number
  signal?: AbortSignal
}

/** Start a node process and wait for its `started` event. */
export async function spawnNode (init: SpawnInit): Promise<Started> {
  const fd = openSync(init.log, 'a')
  const from = readFileSync(init.log).byteLength
  const argv = [GATE_BIN, 'node', 'start', '--json', ...init.args]
  const cmd = init.runtime != null ? [init.runtime.command, ...init.runtime.args] : [process.execPath]
  const env = gateProcessEnv(init.runtime != null ? { ...process.env, ...init.runtime.env } : process.env)
  const child = init.netns != null
    ? spawn('ip', ['netns', 'exec', init.netns, ...cmd, ...argv], { detached: true, stdio: ['ignore', fd, fd], env })
    : spawn(cmd[0], [...cmd.slice(1), ...argv], { detached: true, stdio: ['ignore', fd, fd], env })
  closeSync(fd)
  let exited: string | undefined
  child.once('exit', (code, sig) => { exited = `exited with ${sig ?? String(code)}` })
  child.once('error', err => { exited = `could not start: ${err.message}` })
  child.unref()
  const deadline = Date.now() + init.timeoutMs
  try {
    for (;;) {
      const text = (await readFile(init.log)).subarray(from).toString()
      const started = text.split('\n').map(parseLine).find(e => e?.event === 'started')
      if (started != null) {
        return { pid: child.pid!, peerId: started.peerId, addresses: started.addresses, control: started.control }
      }
      if (exited != null) throw new NodeStartError(`node ${exited}: ${tail(text)}`)
      if (init.signal?.aborted === true) throw new NodeStartError('aborted')
      if (Date.now() > deadline) throw new NodeStartError(`node did not start in ${init.timeoutMs} ms: ${tail(text)}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  } catch (err) {
    if (exited == null) try { process.kill(child.pid!, 'SIGKILL') } catch {}
    throw err
  }
}

/** Wait until the log shows a connected peer (the node joined the testnet). */
export async function waitForPeer (log: string, from: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const text = (await readFile(log)).subarray(from).toString()
    if (text.split('\n').some(l => parseLine(l)?.event === 'peer:connect')) return true
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return false
}

/** Whether pid is alive and is the node of this data dir (pids get reused). */
export function isNodeProcess (pid: number, dataDir: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    const i = cmd.indexOf('--data-dir')
    return i >= 0 && cmd[i + 1] === dataDir
  } catch {
    try { process.kill(pid, 0); return process.platform !== 'linux' } catch { return false }
  }
}

/** SIGTERM (graceful: instances are suspended to disk), SIGKILL after `graceMs`. */
export async function stopProcess (pid: number, dataDir: string, signal: 'SIGTERM' | 'SIGKILL', graceMs = 20_000): Promise<void> {
  if (!isNodeProcess(pid, dataDir)) return
  try { process.kill(pid, signal) } catch { return }
  const deadline = Date.now() + graceMs
  while (isNodeProcess(pid, dataDir) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
  if (isNodeProcess(pid, dataDir)) try { process.kill(pid, 'SIGKILL') } catch {}
  while (isNodeProcess(pid, dataDir) && Date.now() < deadline + 5000) await new Promise(resolve => setTimeout(resolve, 50))
}

function parseLine (l: string): any {
  if (!l.startsWith('{')) return undefined
  try { return JSON.parse(l) } catch { return undefined }
}

function tail (text: string): string {
  const lines = text.trim().split('\n')
  return lines.slice(-5).join(' | ') || '(no output)'
}
