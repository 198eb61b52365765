/**
 * Types shared by the executor, its worker threads, the host ABI and the
 * snapshot format. Everything here is structured-clone safe.
 */

/** Instance states, as in Gate (gate-reference §3.3). */
export type InstanceState = 'running' | 'suspended' | 'halted' | 'terminated' | 'killed'

/**
 * Why an instance stopped abnormally. Names follow Gate's cause enum, plus our
 * own limit causes (the limits Gate enforces with rlimits we enforce in-process).
 */
export type InstanceCause =
  | 'UNREACHABLE'
  | 'CALL_STACK_EXHAUSTED'
  | 'MEMORY_ACCESS_OUT_OF_BOUNDS'
  | 'INDIRECT_CALL_INDEX_OUT_OF_BOUNDS'
  | 'INDIRECT_CALL_SIGNATURE_MISMATCH'
  | 'INTEGER_DIVIDE_BY_ZERO'
  | 'INTEGER_OVERFLOW'
  | 'BREAKPOINT'
  | 'ABI_DEFICIENCY'
  | 'ABI_VIOLATION'
  | 'INTERNAL'
  | 'CPU_TIME_LIMIT'
  | 'MEMORY_LIMIT'
  | 'OUTPUT_LIMIT'
  | 'KILLED'

/** Status of an instance, Gate's `{state, cause, result, error}`. */
export interface InstanceStatus {
  state: InstanceState
  cause?: InstanceCause
  /** Exit code: proc_exit status, or 0 when the entry function returned. */
  result?: number
  /** Human readable detail for causes. */
  error?: string
}

/**
 * What the node does for an instance's `peer` service (doc/peer-service.md).
 * Rejections may carry a numeric `.code` (PEER_ERR_*) for the program;
 * otherwise the program gets PEER_ERR_FAILED.
 */
export interface PeerPort {
  /** The program registered a name (also called for every saved name when a snapshot is resumed). */
  register: (name: string) => Promise<void>
  unregister: (name: string) => Promise<void>
  /** Endpoints offering `name`, at most `limit`; an endpoint is "<peer-id>/<name-or-instance-id>". */
  find: (name: string, limit: number) => Promise<string[]>
  /** Deliver `payload` to an endpoint. */
  send: (to: string, payload: Uint8Array) => Promise<void>
}

/** A mutable global captured from a running instance. */
export interface GlobalValue {
  /** Export name in the instrumented module, e.g. `__snap_g0`. */
  name: string
  type: 'i32' | 'i64' | 'f32' | 'f64'
  /** i64 as bigint; f32/f64 as their raw bits (i32 number / bigint) so NaNs survive. */
  value: number | bigint
}

/**
 * The complete serializable state of the host side of one instance: WASI,
 * Gate packet I/O and services. Produced by `HostAbi.save()` and consumed by
 * `HostAbi.restore()`. Only plain data: numbers, bigints, strings, booleans,
 * Uint8Arrays, arrays and plain objects (so it encodes to dag-cbor as is).
 */
export type HostState = { [key: string]: HostStateValue }
export type HostStateValue = number | bigint | string | boolean | null | Uint8Array | HostStateValue[] | { [key: string]: HostStateValue }

/**
 * The in-memory form of a snapshot: everything needed to continue an instance
 * in a fresh worker or process. The content-addressed encoding lives in
 * `executor/snapshot/`.
 */
export interface InstanceSnapshot {
  /** Format version of this structure. */
  version: 1
  /** SHA-256 (hex) of the original (uninstrumented) module bytes. */
  moduleHash: string
  /** SHA-256 (hex) of the instrumented module bytes the stack blob belongs to. */
  compiledHash: string
  /** Compiler identity: version + options; resume must use the identical compiler. */
  compilerId: string
  /** Entry function name (`_start` by default). */
  entry: string
  /** Instance ID (lower-case UUIDv4). */
  instanceId: string
  status: InstanceStatus
  /** Linear memory: its full byte contents (length = pages * 65536). */
  memory: Uint8Array
  /** Declared maximum pages of the instance's memory (after limits). */
  memoryMaxPages?: number
  globals: GlobalValue[]
  /** Asyncify unwind data (empty when the instance has not started yet or is final). */
  stack: Uint8Array
  /** True when the instance has been started at least once (entry must be rewound, not called fresh). */
  started: boolean
  host: HostState
  /** CPU time used so far in nanoseconds (limits carry across resumes). */
  cpuTimeNs: bigint
  /** Bytes of output written so far (limits carry across resumes). */
  outputBytes: number
}
