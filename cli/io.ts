/**
 * Attaching a local instance to this process's stdio, and mapping its final
 * status to an exit code like a native program's.
 */
import type { Instance, InstanceStatus } from '../executor/index.js'

/** Pipe stdin to the instance and its output to stdout/stderr. Resolves with the final status. */
export async function attach (inst: Instance, opts: { stdin?: boolean } = {}): Promise<InstanceStatus> {
  inst.on('stdout', d => { process.stdout.write(d) })
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
  return await inst.wait()
}

/** Exit code for a final status: the program's own for terminated, 1 for killed, 0 for suspended. */
export function exitCode (s: InstanceStatus): number {
  if (s.state === 'terminated' || s.state === 'halted') return s.result ?? 0
  if (s.state === 'suspended') return 0
  return 1
}

export function describe (s: InstanceStatus): string {
  return [s.state, s.cause, s.error].filter(x => x != null && x !== '').join(': ')
}

/** Wait until stdout and stderr have drained, then exit. */
export function exit (code: number): never {
  process.stdout.write('', () => { process.stderr.write('', () => { process.exit(code) }) })
  // the callbacks above end the process; keep the type system honest
  return undefined as never
}
