/**
 * Worker thread: hosts many instances and time-shares the thread between
 * them. A running instance gives the thread up at its next interrupt when
 * the main thread has a message for the thread (mailbox count) or another instance is
 * runnable and its slice is used up; waiting instances are unwound, so an
 * idle instance costs its memory and nothing else.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { InstanceRuntime, KillSignal, type SliceOutcome } from './instance-runtime.js'
import type { FromWorker, SnapshotBase, ToWorker } from './messages.js'
import { MemoryPool } from './memory-pool.js'
import { isSparse, sparseTransfer } from '../snapshot/sparse.js'
import type { WaitCondition } from '../host/runtime.js'
import type { InstanceStatus } from '../types.js'

/** A running instance yields after this long when others want the thread. */
const TIME_SLICE_MS = 20
/** Output is sent to the main thread in batches of at most this many bytes... */
const OUTPUT_BATCH = 64 * 1024
/** ...or after this long, so a program that never waits still shows its output promptly. */
const OUTPUT_DELAY_MS = 10

/**
 * A full GC once instances that left this worker (ended, suspended,
 * hibernated) held this many bytes of linear memory since the last one. A
 * left instance's memory is given back only when V8 collects its Memory
 * object, and V8 does not count wasm memory as heap pressure: a worker that
 * hibernated 2,000 idle cats kept ~1 GiB of their pages. A collection of
 * this small heap takes a few ms, between slices.
 */
const GC_AFTER_DROPPED_BYTES = 128 * 1024 * 1024
setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void
let droppedBytes = 0
let gcScheduled = false

const port = parentPort
if (port == null) throw new Error('executor worker started outside a worker thread')
const mailbox = new Int32Array(workerData.mailbox as SharedArrayBuffer)

interface Slot {
  rt: InstanceRuntime
  state: 'runnable' | 'waiting'
  cond?: WaitCondition
  timer?: NodeJS.Timeout
  out: Array<{ fd: 1 | 2, data: Uint8Array }>
  outBytes: number
  outSince: number
  /** Batched output is due (size or age): sent at the next output call or interrupt. */
  due: boolean
  /** A 'waiting' was posted and no 'woke' yet (LaunchSpec.reportWaits). */
  reported?: boolean
}

const slots = new Map<string, Slot>()
const memories = new MemoryPool()
const runQueue: Slot[] = []
let scheduled = false

function post (msg: FromWorker, transfer: Transferable[] = []): void {
  port!.postMessage(msg, transfer as any)
}

/**
 * Send the slot's batched output, one message per run of the same fd, in
 * order. A run of one chunk that owns its whole ArrayBuffer (fd_write's
 * gather copy: large writes arrive that way) is transferred as it is;
 * smaller runs are joined into one new buffer, which is transferred.
 */
function flush (s: Slot): void {
  const out = s.out
  s.due = false
  if (out.length === 0) return
  s.out = []
  s.outBytes = 0
  for (let i = 0; i < out.length;) {
    const fd = out[i].fd
    let j = i + 1
    let total = out[i].data.byteLength
    while (j < out.length && out[j].fd === fd) total += out[j++].data.byteLength
    let data = out[i].data
    if (j - i > 1 || !ownsBuffer(data)) {
      data = new Uint8Array(total)
      for (let o = 0, k = i; k < j; k++) { data.set(out[k].data, o); o += out[k].data.byteLength }
    }
    post({ type: 'output', id: s.rt.id, fd, data }, [data.buffer])
    i = j
  }
}

const ownsBuffer = (d: Uint8Array): boolean =>
  d.byteOffset === 0 && d.byteLength === d.buffer.byteLength && d.buffer instanceof ArrayBuffer

function launch (msg: Extract<ToWorker, { type: 'launch' }>): void {
  const spec = msg.spec
  const slot: Slot = { rt: undefined as unknown as InstanceRuntime, state: 'runnable', out: [], outBytes: 0, outSince: 0, due: false }
  slot.rt = new InstanceRuntime(spec, {
    output: (fd, data) => {
      // `data` is ours once the import returns (RuntimeHooks.output): it is
      // kept, not copied, so it is sent from the next output call, the
      // next interrupt, or when the instance yields, waits or ends.
      if (slot.due) flush(slot)
      const now = performance.now()
      if (slot.out.length === 0) slot.outSince = now
      slot.out.push({ fd, data })
      slot.outBytes += data.byteLength
      if (slot.outBytes >= OUTPUT_BATCH || now - slot.outSince >= OUTPUT_DELAY_MS) slot.due = true
    },
    peer: {
      request: (seq, req) => { post({ type: 'peer-request', id: spec.id, seq, req }) },
      names: (names, restored) => { post({ type: 'peer-names', id: spec.id, names, restored }) }
    },
    memories,
    shouldYield: (sliceMs) => {
      // called at every interrupt: also the place to send output that waits
      if (slot.out.length > 0 && (slot.due || performance.now() - slot.outSince >= OUTPUT_DELAY_MS)) flush(slot)
      return Atomics.load(mailbox, 0) !== 0 || (runQueue.length > 0 && sliceMs >= TIME_SLICE_MS)
    }
  })
  slots.set(spec.id, slot)
  const t0 = performance.now()
  try {
    slot.rt.init()
  } catch (err) {
    const status: InstanceStatus = err instanceof KillSignal
      ? { state: 'killed', cause: err.cause, error: err.message }
      : { state: 'killed', cause: 'INTERNAL', error: (err as Error).message }
    finish(slot, status)
    return
  }
  post({ type: 'status', id: spec.id, status: { state: 'running' }, initMs: performance.now() - t0 })
  enqueue(slot)
}

function enqueue (s: Slot): void {
  if (s.reported === true) { s.reported = false; post({ type: 'woke', id: s.rt.id }) }
  s.state = 'runnable'
  s.cond = undefined
  if (s.timer != null) { clearTimeout(s.timer); s.timer = undefined }
  if (!runQueue.includes(s)) runQueue.push(s)
  schedule()
}

function schedule (): void {
  if (scheduled) return
  scheduled = true
  setImmediate(runNext)
}

/**
 * Fair share between owners: the next slice goes to a runnable instance of
 * the owner (LaunchSpec.principal) served longest ago, and an owner's
 * instances take their turns in queue order. An owner with many busy
 * instances gets as many slices as one with a single instance, not more.
 */
const served = new Map<string, number>()
let tick = 0

function takeNext (): Slot | undefined {
  let best = -1
  let bestAt = Infinity
  for (let i = 0; i < runQueue.length; i++) {
    const at = served.get(runQueue[i].rt.spec.principal ?? '') ?? -1
    if (at < bestAt) { best = i; bestAt = at; if (at < 0) break }
  }
  if (best < 0) return undefined
  const s = runQueue.splice(best, 1)[0]
  served.set(s.rt.spec.principal ?? '', tick++)
  if (served.size > 4096) {
    // owners with nothing runnable: forgotten (served first when they come back, which is fair)
    const queued = new Set(runQueue.map(q => q.rt.spec.principal ?? ''))
    for (const p of served.keys()) if (!queued.has(p)) served.delete(p)
  }
  return s
}

function runNext (): void {
  scheduled = false
  const s = takeNext()
  if (s == null) return
  if (!slots.has(s.rt.id)) { schedule(); return }
  const outcome: SliceOutcome = s.rt.runSlice()
  handle(s, outcome)
  if (runQueue.length > 0) schedule()
}

function handle (s: Slot, outcome: SliceOutcome): void {
  switch (outcome.kind) {
    case 'yield':
      flush(s)
      runQueue.push(s)
      break
    case 'wait':
      s.state = 'waiting'
      s.cond = outcome.cond
      if (s.rt.host.ready(outcome.cond, s.rt.monotonicNs())) { enqueue(s); break }
      let ms: number | undefined
      if (outcome.cond.deadlineNs != null) {
        ms = Math.max(0, Number(outcome.cond.deadlineNs - s.rt.monotonicNs()) / 1e6)
        s.timer = setTimeout(() => { if (s.state === 'waiting') enqueue(s) }, ms)
      }
      flush(s)
      if (s.rt.spec.reportWaits === true) {
        s.reported = true
        post({ type: 'waiting', id: s.rt.id, cond: { input: outcome.cond.input, packets: outcome.cond.packets, deadlineInMs: ms } })
      }
      break
    case 'done':
      finish(s, outcome.status)
      break
  }
}

/**
 * Capture an instance. It is not executing: messages are handled only
 * between slices, and a running instance unwinds at its next interrupt once
 * the main thread counts a message into the mailbox, so here it is fresh, unwound or
 * waiting. `then: 'stop'` ends it in state suspended.
 */
function snapshot (s: Slot, then: 'stop' | 'continue', requestedAt: number, base?: SnapshotBase, sparse = false): void {
  const stoppedAt = performance.now()
  flush(s)
  const { changed, ...snap } = s.rt.capture(base, sparse)
  const transfer = isSparse(snap.memory) ? sparseTransfer(snap.memory) : [snap.memory.buffer as ArrayBuffer]
  post({ type: 'snapshot', id: s.rt.id, snapshot: snap, changed, timing: { requestToStoppedMs: stoppedAt - requestedAt, requestToCapturedMs: performance.now() - requestedAt } }, transfer)
  if (then === 'stop') {
    drop(s)
    post({ type: 'exit', id: s.rt.id, status: { state: 'suspended' } })
  }
}

/** New input may satisfy what a waiting instance waits for. */
function wake (s: Slot): void {
  if (s.state === 'waiting' && s.cond != null && s.rt.host.ready(s.cond, s.rt.monotonicNs())) enqueue(s)
}

function finish (s: Slot, status: InstanceStatus): void {
  flush(s)
  drop(s)
  let files
  try { files = s.rt.host?.files() } catch {} // host is unset when init failed early
  post({ type: 'exit', id: s.rt.id, status, files })
}

function drop (s: Slot): void {
  if (s.timer != null) clearTimeout(s.timer)
  slots.delete(s.rt.id)
  const i = runQueue.indexOf(s)
  if (i >= 0) runQueue.splice(i, 1)
  // its memory to the pool for the next instance of its size, or to the GC
  try { const m = s.rt.memory(); if (m != null && !memories.give(m, s.rt.memoryMaximum)) droppedBytes += m.buffer.byteLength } catch {} // no memory when init failed early
  if (droppedBytes >= GC_AFTER_DROPPED_BYTES && !gcScheduled) {
    gcScheduled = true
    setImmediate(() => { gcScheduled = false; droppedBytes = 0; collect() })
  }
}

port.postMessage({ type: 'ready' })
port.on('message', (msg: ToWorker) => {
  // counted in by PooledWorker.send, counted off here: while any is unhandled a running instance yields at its next interrupt
  Atomics.sub(mailbox, 0, 1)
  if (msg.type === 'launch') { launch(msg); return }
  const s = slots.get(msg.id)
  if (s == null) {
    if (msg.type === 'snapshot') post({ type: 'snapshot-error', id: msg.id, error: 'no such instance' })
    return
  }
  switch (msg.type) {
    case 'input':
      s.rt.host.pushInput(msg.data)
      wake(s)
      break
    case 'input-end':
      s.rt.host.endInput()
      wake(s)
      break
    case 'snapshot':
      snapshot(s, msg.then, msg.sentAt != null ? Math.min(performance.now(), msg.sentAt - performance.timeOrigin) : performance.now(), msg.base, msg.sparse === true)
      break
    case 'kill':
      finish(s, s.rt.kill())
      break
    case 'peer-reply':
      s.rt.host.peerService()?.onReply(msg.seq, msg.error, msg.endpoints)
      wake(s)
      break
    case 'peer-message':
      s.rt.host.peerService()?.onMessage(msg.from, msg.payload)
      wake(s)
      break
  }
})
