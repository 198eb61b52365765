/**
 * Push a snapshot's blocks to a peer that sends back which ones it lacks:
 * a re-migration or a second clone moves only the changed chunks. The
 * receiver verifies every block against its CID before storing it.
 */
import type { CID } from 'multiformats/cid'
import { listBlocks, verifyBlock, type Blockstore } from '../../executor/snapshot/index.js'
import { readFrames, writeFrame, type ByteDuplex } from '../framing.js'
import { decode, encode, type Message } from './messages.js'
import { ProtocolError, PushRefusedError } from './errors.js'

/** Largest frame: a 1 MiB module chunk plus encoding overhead, or a long offer. */
export const MAX_FRAME = 4 * 1024 * 1024
/** After refusing, how long the receiver reads and drops the sender's frames in flight. */
export const DRAIN_MS = 2000

export interface PushProgress { type: 'snapshot:push:progress', sentBlocks: number, sentBytes: number, wantedBlocks: number }

export interface PushOptions {
  signal?: AbortSignal
  onProgress?: (e: PushProgress) => void
}

export interface PushResult { offeredBlocks: number, sentBlocks: number, sentBytes: number }

async function next (frames: AsyncIterator<Uint8Array>, signal?: AbortSignal): Promise<Message> {
  signal?.throwIfAborted()
  const r = await frames.next()
  if (r.done === true) throw new ProtocolError('peer closed the stream')
  return decode(r.value)
}

/** Sender side. */
export async function pushSnapshot (d: ByteDuplex, root: CID, store: Blockstore, opts: PushOptions = {}): Promise<PushResult> {
  const frames = readFrames(d.source, MAX_FRAME)[Symbol.asyncIterator]()
  const blocks = await listBlocks(root, store)
  await writeFrame(d, encode({ type: 'offer', root, blocks }))
  const want = await next(frames, opts.signal)
  if (want.type === 'error') throw new PushRefusedError(want.message)
  if (want.type !== 'want') throw new ProtocolError(`expected want, got ${want.type}`)
  const offered = new Set(blocks.map(c => c.toString()))
  // The receiver may refuse while blocks are still going out: listen now.
  let early: Message | Error | undefined
  const endP = next(frames).then(m => { early = m; return m }, (e: Error) => { early = e; throw e })
  endP.catch(() => {})
  let sentBlocks = 0; let sentBytes = 0
  for (const cid of want.cids) {
    opts.signal?.throwIfAborted()
    if (early instanceof Error) throw early
    if (early?.type === 'error') throw new PushRefusedError(early.message)
    if (early != null) throw new ProtocolError(`unexpected ${early.type} while sending blocks`)
    if (!offered.has(cid.toString())) throw new ProtocolError(`peer wants ${cid.toString()}, which was not offered`)
    const bytes = await store.get(cid)
    await writeFrame(d, encode({ type: 'block', cid, bytes }))
    sentBlocks++; sentBytes += bytes.byteLength
    opts.onProgress?.({ type: 'snapshot:push:progress', sentBlocks, sentBytes, wantedBlocks: want.cids.length })
  }
  await writeFrame(d, encode({ type: 'done' }))
  const end = await endP
  if (end.type === 'error') throw new PushRefusedError(end.message)
  if (end.type !== 'ok' || end.root.toString() !== root.toString()) throw new ProtocolError('peer did not confirm the snapshot')
  await d.close()
  return { offeredBlocks: blocks.length, sentBlocks, sentBytes }
}

export interface ReceiveResult { root: CID, receivedBlocks: number, receivedBytes: number }

/** Receiver side: stores the blocks it lacks, verified; answers ok once all are there. */
export async function receiveSnapshot (d: ByteDuplex, store: Blockstore, opts: { signal?: AbortSignal, maxBlocks?: number } = {}): Promise<ReceiveResult> {
  const frames = readFrames(d.source, MAX_FRAME)[Symbol.asyncIterator]()
  const fail = async (err: Error): Promise<never> => {
    await writeFrame(d, encode({ type: 'error', message: err.message })).catch(() => {})
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
        const r = await Promise.race([frames.next(), new Promise<{ done: true }>(resolve => { timer = setTimeout(() => { resolve({ done: true }) }, left) })])
        clearTimeout(timer)
        if (r.done === true) break
      }
    } catch {}
    d.abort?.()
    throw err
  }
  try {
    const offer = await next(frames, opts.signal)
    if (offer.type !== 'offer') throw new ProtocolError(`expected offer, got ${offer.type}`)
    if (offer.blocks.length > (opts.maxBlocks ?? 100_000)) throw new ProtocolError(`offer of ${offer.blocks.length} blocks is too large`)
    const missing: CID[] = []
    for (const c of offer.blocks) if (!(await store.has(c))) missing.push(c)
    await writeFrame(d, encode({ type: 'want', cids: missing }))
    const pending = new Set(missing.map(c => c.toString()))
    let receivedBlocks = 0; let receivedBytes = 0
    // The root goes in last: a store that has a root has the whole snapshot.
    let rootBytes: Uint8Array | undefined
    const rootKey = offer.root.toString()
    for (;;) {
      const m = await next(frames, opts.signal)
      if (m.type === 'done') break
      if (m.type !== 'block') throw new ProtocolError(`expected block, got ${m.type}`)
      if (!pending.delete(m.cid.toString())) throw new ProtocolError(`unrequested block ${m.cid.toString()}`)
      if (!verifyBlock(m.cid, m.bytes)) throw new ProtocolError(`block ${m.cid.toString()} does not match its hash`)
      if (m.cid.toString() === rootKey) rootBytes = m.bytes
      else await store.put(m.cid, m.bytes)
      receivedBlocks++; receivedBytes += m.bytes.byteLength
    }
    if (pending.size > 0) throw new ProtocolError(`${pending.size} wanted blocks never arrived`)
    if (rootBytes != null) await store.put(offer.root, rootBytes)
    await writeFrame(d, encode({ type: 'ok', root: offer.root }))
    await d.close()
    return { root: offer.root, receivedBlocks, receivedBytes }
  } catch (err) {
    return await fail(err as Error)
  }
}
