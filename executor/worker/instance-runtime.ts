/**
 * One wasm instance inside a worker: instantiation, the interrupt import,
 * unwind/rewind of the wasm stack (the compiler's frame stack, see
 * compiler/instrument/emit-body.ts) around interrupts and blocking
 * imports, trap mapping, capture and restore of its complete state.
 */
import { canonicalImport, FRAMES_NAME, INTERRUPT_MODULE, INTERRUPT_NAME, MEMORY_MODULE, MEMORY_NAME } from '../../compiler/abi.js'
import { EXPORT_COUNTER, EXPORT_FRAMES, EXPORT_QUANTUM, EXPORT_SP, EXPORT_START, EXPORT_STATE, REWIND_COUNTER, STATE_NORMAL, STATE_REWINDING, STATE_UNWINDING } from '../../compiler/exports.js'
import { HostAbi } from '../host/index.js'
import { DEFAULT_SERVICES } from '../host/services/registry.js'
import type { SnapshotBase } from './messages.js'
import type { PeerBridge } from '../host/services/peer.js'
import { ExitSignal, TrapSignal, type HostRuntime, type WaitCondition } from '../host/runtime.js'
import type { GlobalValue, HostState, InstanceCause, InstanceSnapshot, InstanceStatus } from '../types.js'
import { CTL_KILL, type LaunchSpec } from './messages.js'
import { DEFAULT_FRAME_PAGES } from '../../compiler/compile-id.js'
import { copyIntoFresh } from './restore-memory.js'
import { clear, copyIntoPooled, type MemoryPool } from './memory-pool.js'
import { copySparseInto, isSparse, sparseOf, type SparseSnapshot } from '../snapshot/sparse.js'
import { OutputRate } from './output-rate.js'

const PAGE = 65536

/**
 * Run time in this runtime (ms) at which a running instance unwinds and
 * rewinds once, in place. V8 has no on-stack replacement for wasm: a
 * function entered once and never left (an interpreter's dispatch loop)
 * keeps running the baseline (Liftoff) code it was entered with, however
 * hot it gets. Re-entering it after V8 has tiered it up runs the optimized
 * code. Marks spread out geometrically because a large function's
 * optimizing compile takes a while in the background; a rewind costs well
 * under a millisecond. doc/rationale.md: "Why re-enter running programs?".
 */
const REENTER_AT_MS = [40, 160, 640, 2560]

/**
 * The frame memory the instances of this worker share, by maximum size in
 * pages (compiler/instrument/out-module.ts importFrames). Instances take
 * turns on the thread, and one that is unwound keeps its frames in a copy of
 * its own (InstanceRuntime.parked), so one memory serves all of them: V8
 * reserves ~10 GiB of address space for every wasm memory, and a second
 * memory per instance halved how many one process could hold.
 */
const sharedFrames = new Map<number, WebAssembly.Memory>()

function framesFor (maximum: number): WebAssembly.Memory {
  let m = sharedFrames.get(maximum)
  if (m == null) { m = new WebAssembly.Memory({ initial: 1, maximum }); sharedFrames.set(maximum, m) }
  return m
}

/** Does the module speak Gate's own ABI (then it gets Gate's environment variables)? */
function importsGate (module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some(i => canonicalImport(i.module, i.name)?.startsWith('gate.') === true)
}

/** Thrown from `interrupt` to end the instance (kill request or a limit). */
class KillSignal extends Error {
  constructor (readonly cause: InstanceCause, message: string) { super(message); this.name = 'KillSignal' }
}

export type SliceOutcome =
  | { kind: 'yield' }
  | { kind: 'wait', cond: WaitCondition }
  | { kind: 'done', status: InstanceStatus }

export interface RuntimeHooks {
  /**
   * Program output, already counted against the limit. Once the import
   * that wrote it returns, `data` is the hook's (it batches it and may
   * transfer its buffer, which detaches it): the host hands over fresh
   * bytes (fd_write's gather copy) and may read them only until it
   * returns; output() copies anything that is a view of linear memory.
   */
  output: (fd: 1 | 2, data: Uint8Array) => void
  /** Should a running instance give the thread up (messages queued, others runnable)? */
  shouldYield: (sliceMs: number) => boolean
  /** The `peer` service's node connection (only for instances launched with one). */
  peer?: PeerBridge
  /** The worker's pool of linear memories (memory-pool.ts): memories come from it; the worker gives them back. */
  memories?: MemoryPool
}

interface Exports {
  [k: string]: any
}

export class InstanceRuntime implements HostRuntime {
  readonly id: string
  readonly spec: LaunchSpec
  private readonly ctl: Int32Array
  private readonly hooks: RuntimeHooks
  private mem!: WebAssembly.Memory
  private frames!: WebAssembly.Memory
  private ex!: Exports
  private counter!: WebAssembly.Global
  private state!: WebAssembly.Global
  private sp!: WebAssembly.Global
  host!: HostAbi
  /** 'start': inside the start function; 'entry': inside the entry function. */
  private phase: 'fresh' | 'start' | 'entry' = 'fresh'
  /** Set while the stack is unwound (yielded, waiting or suspended). */
  unwound = false
  /** While unwound: its frames, [0, sp) of the frame memory, which other instances of the worker use meanwhile. */
  private parked?: Uint8Array
  private pending: SliceOutcome | undefined
  private cpuNs = 0n
  private outputBytes = 0
  private readonly outputRate?: OutputRate
  private sliceStart = 0
  /** Time executed in this runtime (this worker's copy of the instance), for REENTER_AT_MS. */
  private hereMs = 0
  private nextReenterMs = REENTER_AT_MS[0]
  private monoBase = 0n
  private monoStart = process.hrtime.bigint()
  status: InstanceStatus = { state: 'running' }
  /** HostRuntime.peer: present when the spec asks for the peer service. */
  get peer (): PeerBridge | undefined { return this.spec.peer === true ? this.hooks.peer : undefined }

  constructor (spec: LaunchSpec, hooks: RuntimeHooks) {
    this.id = spec.id
    this.spec = spec
    this.hooks = hooks
    this.ctl = new Int32Array(spec.control)
    const rate = spec.limits.outputBytesPerSecond ?? 0
    if (rate > 0) this.outputRate = new OutputRate(rate, process.hrtime.bigint())
  }

  /** Instantiate; from the snapshot if the spec has one. */
  init (): void {
    const spec = this.spec
    const snap = spec.snapshot
    const maxPages = Math.min(spec.memoryMaximum ?? spec.limits.memoryPages, spec.limits.memoryPages)
    const pages = Math.max(spec.memoryInitial, snap != null ? snap.memory.byteLength / PAGE : 0)
    if (pages > maxPages) throw new KillSignal('MEMORY_LIMIT', `memory of ${pages} pages exceeds the limit of ${maxPages} pages`)
    this.memoryMaximum = maxPages
    const got = this.hooks.memories?.take(pages, maxPages) ?? { memory: new WebAssembly.Memory({ initial: pages, maximum: maxPages }), dirty: false }
    this.mem = got.memory
    // a pooled memory holds another instance's pages: zero before a fresh start's data segments, or made equal to the snapshot below
    if (got.dirty && snap == null) clear(new Uint8Array(this.mem.buffer))
    if (snap != null) {
      const host = snap.host as { abi: HostState, runtime: { monotonicNs: bigint, phase: 'fresh' | 'start' | 'entry' } }
      this.host = HostAbi.restore(host.abi, this)
      this.monoBase = BigInt(host.runtime.monotonicNs)
      this.phase = host.runtime.phase
      this.cpuNs = BigInt(snap.cpuTimeNs)
      this.outputBytes = snap.outputBytes
    } else {
      this.host = new HostAbi({ args: spec.args, env: spec.env, instanceId: spec.id, principal: spec.principal, randomSeed: spec.randomSeed, services: spec.peer === true ? [...DEFAULT_SERVICES, 'peer'] : undefined, tty: spec.tty, fs: spec.fs, fsLimitBytes: spec.limits.fsBytes, gateEnv: importsGate(spec.module) }, this)
    }
    const instance = new WebAssembly.Instance(spec.module, this.imports())
    this.ex = instance.exports as unknown as Exports
    this.frames = this.ex[EXPORT_FRAMES]
    this.counter = this.ex[EXPORT_COUNTER]
    this.state = this.ex[EXPORT_STATE]
    this.sp = this.ex[EXPORT_SP]
    this.counter.value = spec.limits.quantum
    this.ex[EXPORT_QUANTUM].value = spec.limits.quantum
    if (snap != null) {
      const dst = new Uint8Array(this.mem.buffer)
      if (isSparse(snap.memory)) copySparseInto(dst, snap.memory, got.dirty)
      else if (got.dirty) copyIntoPooled(dst, snap.memory); else copyIntoFresh(dst, snap.memory)
      for (const g of snap.globals) this.ex[g.name].value = g.value
      if (snap.stack.byteLength > 0) {
        this.parked = snap.stack
        this.sp.value = snap.stack.byteLength
        this.unwound = true
      }
      this.host.resumed()
    }
  }

  private imports (): WebAssembly.Imports {
    const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {}
    for (const imp of WebAssembly.Module.imports(this.spec.module)) {
      imports[imp.module] ??= {}
      if (imp.module === MEMORY_MODULE && imp.name === MEMORY_NAME) { imports[imp.module][imp.name] = this.mem; continue }
      if (imp.module === MEMORY_MODULE && imp.name === FRAMES_NAME && imp.kind === 'memory') { imports[imp.module][imp.name] = framesFor(this.spec.framePages ?? DEFAULT_FRAME_PAGES); continue }
      if (imp.module === INTERRUPT_MODULE && imp.name === INTERRUPT_NAME) { imports[imp.module][imp.name] = () => { this.interrupt() }; continue }
      const key = canonicalImport(imp.module, imp.name)
      const fn = key != null ? this.host.functions[key] : undefined
      if (key == null || fn == null) throw new KillSignal('ABI_VIOLATION', `unresolved import ${imp.module}.${imp.name}`)
      imports[imp.module][imp.name] = fn
    }
    return imports
  }

  // ---------------------------------------------------------------- HostRuntime
  memory (): WebAssembly.Memory { return this.mem }
  /** The maximum (pages) its memory was made with: a pooled memory is given only to an instance with the same. */
  memoryMaximum = 0
  wait (cond: WaitCondition): void { this.startUnwind({ kind: 'wait', cond }) }
  output (fd: 1 | 2, data: Uint8Array): void {
    this.outputBytes += data.byteLength
    // past the rate: the next check calls interrupt, which waits (a write is never split or refused)
    if (this.outputRate?.spend(data.byteLength, process.hrtime.bigint()) === true && this.counter.value > 1) this.counter.value = 1
    const lim = this.spec.limits.outputBytes
    if (lim > 0 && this.outputBytes > lim) throw new KillSignal('OUTPUT_LIMIT', `output exceeded ${lim} bytes`)
    this.hooks.output(fd, data.buffer === this.mem.buffer ? data.slice() : data)
  }

  outputDelayNs (): bigint { return this.outputRate?.delayNs(process.hrtime.bigint()) ?? 0n }

  monotonicNs (): bigint { return this.monoBase + (process.hrtime.bigint() - this.monoStart) }
  realtimeNs (): bigint { return BigInt(Date.now()) * 1_000_000n }
  exit (code: number): never { throw new ExitSignal(code) }
  trap (cause: InstanceCause, message: string): never { throw new TrapSignal(cause, message) }

  // ---------------------------------------------------------------- interrupt
  private interrupt (): void {
    const ctl = Atomics.load(this.ctl, 0)
    if ((ctl & CTL_KILL) !== 0) throw new KillSignal('KILLED', 'killed')
    const now = performance.now()
    const sliceMs = now - this.sliceStart
    const lim = this.spec.limits.cpuTimeMs
    if (lim > 0 && Number(this.cpuNs) / 1e6 + sliceMs > lim) throw new KillSignal('CPU_TIME_LIMIT', `CPU time limit of ${lim} ms exceeded`)
    const outputDelay = this.outputDelayNs()
    if (outputDelay > 0n) { this.startUnwind({ kind: 'wait', cond: { deadlineNs: this.monotonicNs() + outputDelay } }); return }
    if (this.hooks.shouldYield(sliceMs)) { this.startUnwind({ kind: 'yield' }); return }
    const ranMs = this.hereMs + sliceMs
    if (ranMs >= this.nextReenterMs) {
      this.nextReenterMs = REENTER_AT_MS.find(m => m > ranMs) ?? Infinity
      this.startUnwind({ kind: 'yield' })
      return
    }
    this.counter.value = this.spec.limits.quantum
  }

  /** Called from inside an import: the wasm code unwinds when the import returns. */
  private startUnwind (why: SliceOutcome): void {
    this.sp.value = 0
    this.pending = why
    this.state.value = STATE_UNWINDING
  }

  /** Before re-entering an unwound instance: its frames are in the frame memory, [0, sp). */
  private startRewind (): void {
    const p = this.parked
    if (p != null) {
      const need = Math.ceil(p.byteLength / PAGE) - this.frames.buffer.byteLength / PAGE
      if (need > 0) this.frames.grow(need)
      new Uint8Array(this.frames.buffer).set(p)
      this.parked = undefined
    }
    this.state.value = STATE_REWINDING
    this.counter.value = REWIND_COUNTER
    this.unwound = false
  }

  private unwinding (): boolean {
    const s = this.state.value
    if (s === STATE_REWINDING) throw new KillSignal('INTERNAL', 'the rewind of the stack did not reach its resume point')
    return s === STATE_UNWINDING
  }

  // ---------------------------------------------------------------- running
  /** Run until the instance yields, waits, suspends or ends. */
  runSlice (): SliceOutcome {
    this.sliceStart = performance.now()
    this.pending = undefined
    try {
      if (this.phase === 'fresh' || this.phase === 'start') {
        if (this.spec.hasStart) {
          const resume = this.phase === 'start'
          this.phase = 'start'
          if (resume) this.startRewind()
          this.ex[EXPORT_START]()
          if (this.unwinding()) return this.afterUnwind()
        }
        this.phase = 'entry'
        const fn = this.ex[this.spec.entry]
        if (typeof fn !== 'function') return this.done({ state: 'killed', cause: 'INTERNAL', error: `no entry function ${this.spec.entry}` })
        fn()
      } else {
        this.startRewind()
        this.ex[this.spec.entry]()
      }
      if (this.unwinding()) return this.afterUnwind()
      return this.done({ state: 'terminated', result: 0 })
    } catch (err) {
      return this.done(statusOf(err))
    } finally {
      const ms = performance.now() - this.sliceStart
      this.cpuNs += BigInt(Math.round(ms * 1e6))
      this.hereMs += ms
    }
  }

  private afterUnwind (): SliceOutcome {
    this.state.value = STATE_NORMAL
    this.unwound = true
    this.parked = new Uint8Array(this.frames.buffer, 0, this.sp.value).slice()
    const p = this.pending ?? { kind: 'yield' }
    this.pending = undefined
    return p
  }

  private done (status: InstanceStatus): SliceOutcome {
    this.status = status
    return { kind: 'done', status }
  }

  /** Kill from outside a slice (the instance is unwound or not started). */
  kill (): InstanceStatus {
    this.status = { state: 'killed', cause: 'KILLED' }
    return this.status
  }

  /**
   * Capture the state of an instance that is not executing (unwound, fresh
   * or ended). With `base` of the same size, memory chunks that differ are copied into
   * it and it is the snapshot's memory (`changed` lists them): one compare
   * instead of a full copy plus a compare on the main thread. `sparse`: the
   * memory as its non-zero pages (hibernation, snapshot/sparse.ts).
   */
  capture (base?: SnapshotBase, sparse = false): (InstanceSnapshot | SparseSnapshot) & { changed?: number[] } {
    const globals: GlobalValue[] = this.spec.globals.map(g => ({ name: g.name, type: g.type, value: this.ex[g.name].value }))
    let stack = new Uint8Array(0)
    if (this.unwound) stack = (this.parked ?? new Uint8Array(0)).slice()
    const state = this.status.state === 'running' ? 'suspended' : this.status.state
    return {
      version: 1,
      moduleHash: this.spec.moduleHash,
      compiledHash: this.spec.compiledHash,
      compilerId: this.spec.compilerId,
      entry: this.spec.entry,
      instanceId: this.spec.id,
      status: { ...this.status, state },
      ...(sparse ? { memory: sparseOf(new Uint8Array(this.mem.buffer)) } : this.memoryFor(base)),
      memoryMaxPages: this.spec.limits.memoryPages,
      globals,
      stack,
      started: this.phase !== 'fresh',
      host: { abi: this.host.save(), runtime: { monotonicNs: this.monotonicNs(), phase: this.phase } },
      cpuTimeNs: this.cpuNs,
      outputBytes: this.outputBytes
    }
  }

  private memoryFor (base?: SnapshotBase): { memory: Uint8Array, changed?: number[] } {
    const live = new Uint8Array(this.mem.buffer)
    if (base == null || base.memory.byteLength !== live.byteLength || base.chunkSize <= 0) {
      // a fresh zeroed buffer and only the non-zero pages copied: the zero pages (most of an idle program's memory) are never touched
      const memory = new Uint8Array(live.byteLength)
      copyIntoFresh(memory, live)
      return { memory }
    }
    const a = Buffer.from(live.buffer, live.byteOffset, live.byteLength)
    const b = Buffer.from(base.memory.buffer, base.memory.byteOffset, base.memory.byteLength)
    const changed: number[] = []
    for (let off = 0, i = 0; off < a.byteLength; off += base.chunkSize, i++) {
      const end = Math.min(off + base.chunkSize, a.byteLength)
      if (a.compare(b, off, end, off, end) !== 0) { b.set(a.subarray(off, end), off); changed.push(i) }
    }
    return { memory: base.memory, changed }
  }
}

/** Map whatever ended a slice to a final status. */
function statusOf (err: unknown): InstanceStatus {
  if (err instanceof ExitSignal) return { state: 'terminated', result: err.code }
  if (err instanceof TrapSignal) return { state: 'killed', cause: err.cause, error: err.message }
  if (err instanceof KillSignal) return { state: 'killed', cause: err.cause, error: err.message }
  if (err instanceof RangeError) return { state: 'killed', cause: 'CALL_STACK_EXHAUSTED', error: err.message }
  if (err instanceof WebAssembly.RuntimeError) {
    const m = err.message
    const cause: InstanceCause = /unreachable/i.test(m)
      ? 'UNREACHABLE'
      : /out of bounds|memory access/i.test(m)
        ? (/table/i.test(m) ? 'INDIRECT_CALL_INDEX_OUT_OF_BOUNDS' : 'MEMORY_ACCESS_OUT_OF_BOUNDS')
        : /divide by zero|remainder by zero/i.test(m)
          ? 'INTEGER_DIVIDE_BY_ZERO'
          : /overflow|unrepresentable/i.test(m)
            ? 'INTEGER_OVERFLOW'
            : /signature|function sig/i.test(m)
              ? 'INDIRECT_CALL_SIGNATURE_MISMATCH'
              : /null function|invalid index/i.test(m) ? 'INDIRECT_CALL_INDEX_OUT_OF_BOUNDS' : 'INTERNAL'
    return { state: 'killed', cause, error: m }
  }
  return { state: 'killed', cause: 'INTERNAL', error: String((err as Error)?.message ?? err) }
}

export { KillSignal }
