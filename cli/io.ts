/**
 * Attaching a local instance to this process's stdio, and mapping its final
 * status to an exit code like a native program's.
 */
import type { Instance, InstanceStatus } from '../executor/index.js'

/** A final status after which our stdout's reader went away (EPIPE). */
export type AttachedStatus = InstanceStatus & { brokenPipe?: boolean }

/** Exit code of a process killed by SIGPIPE, as a shell reports it (128 + 13). */
export const SIGPIPE_EXIT = 141

/**
 * Pipe stdin to the instance and its output to stdout/stderr. Resolves with
 * the final status. If stdout's reader goes away (`gate run ... | head`),
 * the instance is killed as SIGPIPE would kill a native program: quietly,
 * and the status says `brokenPipe`.
 */
export async function attach (inst: Instance, opts: { stdin?: boolean } = {}): Promise<AttachedStatus> {
  let brokenPipe = false
  const onError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') throw err
    if (!brokenPipe) { brokenPipe = true; void inst.kill().catch(() => {}) }
  }
  process.stdout.on('error', onError)
  inst.on('stdout', d => { if (!brokenPipe) process.stdout.write(d) })
  inst.on('stderr', d => { process.stderr.write(d) })
  if (opts.stdin !== false) {
    const onData = (d: Buffer): void => { inst.write(new Uint8Array(d)) }
    const onEnd = (): void => { inst.end() }
    process.stdin.on('data', onData)
    process.stdin.on('end', onEnd)
    void inst.wait().then(() => {
      process.stdin.off('data', onData)
      process.stdin.off('end', onEnd)
      process.stdin.pause()
      process.stdin.unref?.()
    })
  } else {
    inst.end()
  }
  const status = await inst.wait()
  return brokenPipe ? { ...status, brokenPipe } : status
}

/** Exit code for a final status: the program's own for terminated, 1 for killed, 0 for suspended, 141 after a broken pipe. */
export function exitCode (s: AttachedStatus): number {
  if (s.brokenPipe === true) return SIGPIPE_EXIT
  if (s.state === 'terminated' || s.state === 'halted') return s.result ?? 0
  if (s.state === 'suspended') return 0
  return 1
}

export function describe (s: InstanceStatus): string {
  return [s.state, s.cause, s.error].filter(x => x != null && x !== '').join(': ')
}

/** Wait until stdout and stderr have drained, then exit. */
export function exit (code: number): never {
  if (process.stdout.destroyed || process.stdout.writableEnded) process.stderr.write('', () => { process.exit(code) })
  else process.stdout.write('', () => { process.stderr.write('', () => { process.exit(code) }) })
  // the callbacks above end the process; keep the type system honest
  return undefined as never
}
