/**
 * Push a snapshot's blocks to a peer that sends back which ones it lacks:
 * a re-migration or a second clone moves only the changed chunks, and a
 * chunk the receiver has an earlier version of moves as its changed pages.
 * The receiver verifies every block against its CID before storing it.
 * Blocks are written back to back (waiting only when the stream pushes
 * back), and the receiver's store writes run while it reads on.
 */
import type { CID } from 'multiformats/cid'
import { listBlocks, PutQueue, verifyBlock, type Blockstore } from '../../executor/snapshot/index.js'
import type { ByteDuplex } from '../framing.js'
import { decode, encode, type Message } from './messages.js'
import { PeerClosedError, ProtocolError, PushRefusedError } from './errors.js'
import { Body, FrameReader, KIND_BLOCK, KIND_CONTROL, KIND_PATCH, writeBlock, writeControl, writePatch } from './frames.js'
import { apply, diff } from './patch.js'

/** Largest frame: a 1 MiB module chunk plus headers, or a long offer. */
export const MAX_FRAME = 4 * 1024 * 1024
/** After refusing, how long the receiver reads and drops the sender's frames in flight. */
export const DRAIN_MS = 2000

export interface PushProgress { type: 'snapshot:push:progress', sentBlocks: number, sentBytes: number, wantedBlocks: number }

export interface PushOptions {
  signal?: AbortSignal
  onProgress?: (e: PushProgress) => void
  /** Earlier versions of offered blocks (by the new block's CID string): the receiver may take a patch against them. */
  bases?: Map<string, CID>
}

export interface PushResult {
  offeredBlocks: number
  sentBlocks: number
  /** Of sentBlocks, how many went as patches. */
  patchedBlocks: number
  /** Block and patch bytes on the wire (frame headers included). */
  sentBytes: number
}

async function control (frames: FrameReader, signal?: AbortSignal): Promise<Message> {
  signal?.throwIfAborted()
  const f = await frames.next()
  if (f == null) throw new PeerClosedError('peer closed the stream')
  if (f[0] !== KIND_CONTROL) throw new ProtocolError(`expected a control frame, got kind ${f[0]}`)
  return decode(f.subarray(1))
}

/** Sender side. */
export async function pushSnapshot (d: ByteDuplex, root: CID, store: Blockstore, opts: PushOptions = {}): Promise<PushResult> {
  const frames = new FrameReader(d.source, MAX_FRAME)
  const blocks = await listBlocks(root, store)
  const bases = opts.bases != null ? blocks.map(c => opts.bases?.get(c.toString()) ?? null) : undefined
  await writeControl(d, encode({ type: 'offer', root, blocks, ...(bases?.some(b => b != null) === true ? { bases } : {}) }))
  const want = await control(frames, opts.signal)
  if (want.type === 'error') throw new PushRefusedError(want.message)
  if (want.type !== 'want') throw new ProtocolError(`expected want, got ${want.type}`)
  const offered = new Map(blocks.map((c, i) => [c.toString(), bases?.[i] ?? null]))
  // The receiver may refuse while blocks are still going out: listen now.
  let early: Message | Error | undefined
  const endP = control(frames).then(m => { early = m; return m }, (e: Error) => { early = e; throw e })
  endP.catch(() => {})
  let sentBlocks = 0; let sentBytes = 0; let patchedBlocks = 0
  for (let i = 0; i < want.cids.length; i++) {
    const cid = want.cids[i]
    opts.signal?.throwIfAborted()
    if (early instanceof Error) throw early
    if (early?.type === 'error') throw new PushRefusedError(early.message)
    if (early != null) throw new ProtocolError(`unexpected ${early.type} while sending blocks`)
    const key = cid.toString()
    if (!offered.has(key)) throw new ProtocolError(`peer wants ${key}, which was not offered`)
    const bytes = await store.get(cid)
    const base = want.patch[i]
    let ranges
    if (base != null) {
      if (!base.equals(offered.get(key) ?? undefined)) throw new ProtocolError(`peer wants ${key} patched against ${base.toString()}, which was not offered`)
      const was = await store.get(base).catch(() => undefined)
      if (was != null) ranges = diff(was, bytes, bytes.byteLength >> 1)
    }
    if (ranges != null && base != null) { sentBytes += await writePatch(d, cid, base, bytes.byteLength, ranges); patchedBlocks++ } else sentBytes += await writeBlock(d, cid, bytes)
    sentBlocks++
    opts.onProgress?.({ type: 'snapshot:push:progress', sentBlocks, sentBytes, wantedBlocks: want.cids.length })
  }
  await writeControl(d, encode({ type: 'done' }))
  const end = await endP
  if (end.type === 'error') throw new PushRefusedError(end.message)
  if (end.type !== 'ok' || end.root.toString() !== root.toString()) throw new ProtocolError('peer did not confirm the snapshot')
  await d.close()
  return { offeredBlocks: blocks.length, sentBlocks, patchedBlocks, sentBytes }
}

export interface ReceiveResult { root: CID, receivedBlocks: number, receivedBytes: number }

/** Receiver side: stores the blocks it lacks, verified; answers ok once all are there. */
export async function receiveSnapshot (d: ByteDuplex, store: Blockstore, opts: { signal?: AbortSignal, maxBlocks?: number } = {}): Promise<ReceiveResult> {
  const frames = new FrameReader(d.source, MAX_FRAME)
  const fail = async (err: Error): Promise<never> => {
    await writeControl(d, encode({ type: 'error', message: err.message })).catch(() => {})
    await d.close().catch(() => {})
    // Read and drop what the sender still has in flight, so it is not stuck
    // writing into a full socket and gets to read our error.
    // Bounded: a hostile sender could keep the connection open forever.
    const deadline = Date.now() + DRAIN_MS
    try {
      for (;;) {
        const left = deadline - Date.now()
        if (left <= 0) break
        let timer: NodeJS.Timeout | undefined
        const r = await Promise.race([frames.next(), new Promise<undefined>(resolve => { timer = setTimeout(() => { resolve(undefined) }, left) })])
        clearTimeout(timer)
        if (r == null) break
      }
    } catch {}
    d.abort?.()
    throw err
  }
  const q = new PutQueue(store)
  try {
    const offer = await control(frames, opts.signal)
    if (offer.type !== 'offer') throw new ProtocolError(`expected offer, got ${offer.type}`)
    if (offer.blocks.length > (opts.maxBlocks ?? 100_000)) throw new ProtocolError(`offer of ${offer.blocks.length} blocks is too large`)
    const has = async (c: CID): Promise<boolean> => store.peekVerified?.(c) != null || await store.has(c)
    const missing: CID[] = []
    const patch: Array<CID | null> = []
    // (the lookups run together: a store on disk answers each from a file system call)
    const present = await Promise.all(offer.blocks.map(has))
    const bases = await Promise.all(offer.blocks.map(async (c, i) => {
      const b = offer.bases?.[i]
      return !present[i] && b != null && await has(b) ? b : null
    }))
    offer.blocks.forEach((c, i) => { if (!present[i]) { missing.push(c); patch.push(bases[i]) } })
    await writeControl(d, encode({ type: 'want', cids: missing, patch }))
    const pending = new Map(missing.map((c, j) => [c.toString(), patch[j]]))
    let receivedBlocks = 0; let receivedBytes = 0
    // The root goes in last: a store that has a root has the whole snapshot.
    let rootBytes: Uint8Array | undefined
    const rootKey = offer.root.toString()
    for (;;) {
      opts.signal?.throwIfAborted()
      const f = await frames.next()
      if (f == null) throw new PeerClosedError('peer closed the stream')
      const b = new Body(f)
      if (b.kind === KIND_CONTROL) {
        const m = decode(f.subarray(1))
        if (m.type === 'done') break
        throw new ProtocolError(`expected a block, got ${m.type}`)
      }
      if (b.kind !== KIND_BLOCK && b.kind !== KIND_PATCH) throw new ProtocolError(`unknown frame kind ${b.kind}`)
      const cid = b.cid()
      const key = cid.toString()
      const base = pending.get(key)
      if (base === undefined) throw new ProtocolError(`unrequested block ${key}`)
      pending.delete(key)
      let bytes: Uint8Array
      if (b.kind === KIND_BLOCK) {
        bytes = b.bytes()
      } else {
        const against = b.cid()
        if (base == null || !against.equals(base)) throw new ProtocolError(`block ${key} patched against ${against.toString()}, which was not asked for`)
        const total = b.u32()
        const ranges: Array<[number, Uint8Array]> = []
        while (!b.done) { const off = b.u32(); ranges.push([off, b.bytes(b.u32())]) }
        const baseBytes = store.peekVerified?.(base) ?? await store.get(base)
        if (store.peekVerified?.(base) == null && !verifyBlock(base, baseBytes)) throw new ProtocolError(`base block ${base.toString()} here does not match its hash`)
        bytes = apply(baseBytes, total, ranges)
      }
      if (!verifyBlock(cid, bytes)) throw new ProtocolError(`block ${key} does not match its hash`)
      // a small block sliced out of a big stream chunk would pin that chunk: keep it in a buffer of its own
      if (bytes.buffer.byteLength > bytes.byteLength + 4096) bytes = bytes.slice()
      if (key === rootKey) rootBytes = bytes
      else await q.add(cid, bytes)
      receivedBlocks++; receivedBytes += f.byteLength
    }
    if (pending.size > 0) throw new ProtocolError(`${pending.size} wanted blocks never arrived`)
    await q.drain()
    if (rootBytes != null) await store.put(offer.root, rootBytes)
    await writeControl(d, encode({ type: 'ok', root: offer.root }))
    await d.close()
    return { root: offer.root, receivedBlocks, receivedBytes }
  } catch (err) {
    await q.drain().catch(() => {})
    return await fail(err as Error)
  }
}
