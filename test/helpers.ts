// Shared test helpers: locating built test programs, running instances to completion.
import { readFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Executor, Instance, InstanceStatus } from '../executor/index.js'

export const ROOT = resolve(import.meta.dirname, '../..')

export function program (name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(ROOT, 'build/testprogs', `${name}.wasm`)))
}

export function tempDir (prefix = 'gate-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export interface Collected { stdout: string, stderr: string, status: InstanceStatus }

/** Collect an instance's output until it ends. */
export async function collect (inst: Instance, input?: string | Uint8Array): Promise<Collected> {
  const out: Buffer[] = []
  const err: Buffer[] = []
  inst.on('stdout', d => out.push(Buffer.from(d)))
  inst.on('stderr', d => err.push(Buffer.from(d)))
  if (input !== undefined) inst.write(typeof input === 'string' ? new TextEncoder().encode(input) : input)
  inst.end()
  const status = await inst.wait()
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), status }
}

/** Run a program to completion. */
export async function runToEnd (ex: Executor, bytes: Uint8Array, args: string[] = [], input?: string): Promise<Collected> {
  const cm = await ex.compile(bytes)
  return await collect(ex.launch(cm, { args: ['prog', ...args] }), input)
}

export const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))
