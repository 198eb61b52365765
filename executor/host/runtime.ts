/**
 * The contract between the host ABI (WASI + Gate I/O, `executor/host/`) and
 * the instance runtime that owns the wasm instance (`executor/worker/`).
 *
 * Blocking calls use Asyncify: an import that cannot complete calls
 * `runtime.wait(cond)` and returns at once (its return value is ignored). The
 * runtime unwinds the wasm stack, waits until `cond` may hold (or a suspend
 * request arrives), then rewinds; Asyncify then calls the same import AGAIN
 * with the same arguments, so every blocking import must be restartable: it
 * either completes fully or changes no state before calling `wait`.
 */
import type { InstanceCause } from '../types.js'
import type { PeerBridge } from './services/peer.js'

export interface WaitCondition {
  /** Wake when client input (stdin / origin) arrives or ends. */
  input?: boolean
  /** Wake when a packet from a service is queued for the program. */
  packets?: boolean
  /** Wake at this monotonic time (ns, as returned by HostRuntime.monotonicNs()). */
  deadlineNs?: bigint
}

export interface HostRuntime {
  /** The instance's linear memory (re-read `.buffer` after every call: memory may grow). */
  memory(): WebAssembly.Memory
  /** Unwind the calling (blocking) import and wait; the import must return right after. */
  wait(cond: WaitCondition): void
  /** Program output to the client: fd 1 = stdout, fd 2 = stderr. */
  output(fd: 1 | 2, data: Uint8Array): void
  /**
   * Nanoseconds the program must wait before its next output (its output
   * rate limit); 0n = write now. Absent: no limit.
   */
  outputDelayNs?(): bigint
  /** Monotonic clock in ns; continues across suspend/restore and across hosts. */
  monotonicNs(): bigint
  /** Wall clock in ns since the Unix epoch. */
  realtimeNs(): bigint
  /** proc_exit: never returns (throws the runtime's exit signal). */
  exit(code: number): never
  /** The node side of the `peer` service, if the instance has one. */
  readonly peer?: PeerBridge
  /** End the instance with a trap cause (ABI_VIOLATION, ABI_DEFICIENCY...): never returns. */
  trap(cause: InstanceCause, message: string): never
}

/** Thrown by HostRuntime.exit(): unwinds through wasm to the runtime. */
export class ExitSignal extends Error {
  static name = 'ExitSignal'
  constructor (readonly code: number) { super(`exit ${code}`); this.name = 'ExitSignal' }
}

/** Thrown by HostRuntime.trap(). */
export class TrapSignal extends Error {
  static name = 'TrapSignal'
  constructor (readonly cause: InstanceCause, message: string) { super(message); this.name = 'TrapSignal' }
}
