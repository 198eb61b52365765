/**
 * Messages between the executor (main thread) and its worker threads. All
 * structured-clone safe; memory travels as transferred ArrayBuffers.
 */
import type { InstanceSnapshot, InstanceStatus } from '../types.js'
import type { PeerRequest } from '../host/services/peer.js'
import type { FsImage } from '../host/vfs/image.js'
import type { SparseSnapshot } from '../snapshot/sparse.js'

/** Control word bits in an instance's shared Int32Array[0]. */
export const CTL_KILL = 2

/** What a worker needs to run one instance. */
export interface LaunchSpec {
  id: string
  module: WebAssembly.Module
  /** Export names of mutable globals to capture, with types. */
  globals: Array<{ name: string, type: 'i32' | 'i64' | 'f32' | 'f64' }>
  entry: string
  hasStart: boolean
  /** Declared memory limits of the module (pages). */
  memoryInitial: number
  memoryMaximum?: number
  limits: RuntimeLimits
  args: string[]
  env: Record<string, string>
  principal?: string
  randomSeed?: Uint8Array
  /** Instance control word (SharedArrayBuffer of 4 bytes). */
  control: SharedArrayBuffer
  /** Resume from this snapshot instead of a fresh start (sparse: a wake from hibernation). */
  snapshot?: InstanceSnapshot | SparseSnapshot
  moduleHash: string
  compiledHash: string
  compilerId: string
  /** Offer the `peer` service (the main thread answers its requests). */
  peer?: boolean
  /** Std streams that are a terminal on the user's side (fresh launches; snapshots keep their own). */
  tty?: { stdin?: boolean, stdout?: boolean, stderr?: boolean }
  /** The preopened trees of a fresh launch (a restore takes its tree from the snapshot's host state). */
  fs?: FsImage
  /** Post 'waiting' when the instance starts to wait and 'woke' when it runs again (hibernation, executor/hibernate.ts). */
  reportWaits?: boolean
  /** Maximum pages of the frame memory the module imports (its compiler options: frames=N), shared by the worker's instances. */
  framePages?: number
}

/** What a waiting instance waits for, as the worker reports it (WaitCondition with the deadline relative). */
export interface WaitReport {
  input?: boolean
  packets?: boolean
  /** The deadline is this many ms after the report was made. */
  deadlineInMs?: number
}

export interface RuntimeLimits {
  /** Maximum linear memory in 64 KiB pages. */
  memoryPages: number
  /** CPU time limit in ms (across resumes); 0 = none. */
  cpuTimeMs: number
  /** Bytes of stdout+stderr; 0 = none. */
  outputBytes: number
  /** Bytes of stdout+stderr per second (a writer past it waits); 0 = none. */
  outputBytesPerSecond?: number
  /** Checks between calls to the host's interrupt. */
  quantum: number
  /** Bytes of file data in the instance's filesystem (ENOSPC past it). */
  fsBytes: number
}

export type ToWorker =
  | { type: 'launch', spec: LaunchSpec }
  | { type: 'input', id: string, data: Uint8Array }
  | { type: 'input-end', id: string }
  /**
   * Capture a snapshot; `then` says what happens to the instance afterwards.
   * With `base` (an earlier capture's memory, transferred), only the chunks
 * that differ are copied into it and it comes back as the memory.
   * `sparse`: the memory comes back as its non-zero pages (hibernation).
   */
  | { type: 'snapshot', id: string, then: 'stop' | 'continue', base?: SnapshotBase, sparse?: boolean, /** performance.timeOrigin + now() on the sender: the request's time on a clock both threads share */ sentAt?: number }
  | { type: 'kill', id: string }
  /** The node's answer to a peer-service request. */
  | { type: 'peer-reply', id: string, seq: number, error: number, endpoints?: string[] }
  /** A message for the instance's peer service. */
  | { type: 'peer-message', id: string, from: string, payload: Uint8Array }

export type FromWorker =
  | { type: 'output', id: string, fd: 1 | 2, data: Uint8Array }
  /** Sent once the instance is instantiated (fresh) or restored (snapshot); initMs measured in the worker. */
  | { type: 'status', id: string, status: InstanceStatus, initMs: number }
  /** `changed`: with a base, the indices of the chunks that differed from it. */
  | { type: 'snapshot', id: string, snapshot: InstanceSnapshot | SparseSnapshot, timing: { requestToStoppedMs: number, requestToCapturedMs: number }, changed?: number[] }
  | { type: 'snapshot-error', id: string, error: string }
  /** `files`: the instance's final filesystem tree, when it was launched with one (not on suspend: the snapshot holds it). */
  | { type: 'exit', id: string, status: InstanceStatus, files?: FsImage }
  | { type: 'peer-request', id: string, seq: number, req: PeerRequest }
  | { type: 'peer-names', id: string, names: string[], restored: boolean }
  /** With LaunchSpec.reportWaits: the instance is unwound and waits for `cond`... */
  | { type: 'waiting', id: string, cond: WaitReport }
  /** ...and runs again (what it waited for came, or it is being captured). */
  | { type: 'woke', id: string }

/** An earlier capture's memory to update in place, compared in chunks of `chunkSize`. */
export interface SnapshotBase { memory: Uint8Array, chunkSize: number }
