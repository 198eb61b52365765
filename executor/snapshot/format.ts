/**
 * The content-addressed snapshot format (doc/snapshot-format.md).
 *
 * A snapshot is a DAG of IPFS blocks: memory in fixed 256 KiB chunks, each a
 * raw block with a sha2-256 CIDv1 (all-zero chunks are left out: null in the
 * list), the Asyncify stack as a raw block, the original module as raw
 * blocks, and one small dag-cbor root that links them with the rest of the
 * state. A second snapshot of the same instance shares every unchanged chunk,
 * so a store (or a peer) that has the first needs only the changed chunks.
 */
import { createHash } from 'node:crypto'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import type { InstanceSnapshot } from '../types.js'
import { SnapshotCorruptError, SnapshotVersionError } from './errors.js'
import type { Blockstore } from './blockstore.js'
import { fileBlocks, linkFiles, loadFiles } from './files.js'
import { isZero } from '../zero.js'
import { chunkEquals, chunkOf, isSparse, type SparseMemory, type SparseSnapshot, sparseOfChunks } from './sparse.js'

/** 256 KiB: 256 chunks for 64 MiB (a root of ~10 KiB), fine enough that a few changed pages cost little. */
export const CHUNK_SIZE = 256 * 1024
/** Modules larger than this are split into chunks of this size. */
export const MODULE_CHUNK = 1024 * 1024
export const FORMAT_VERSION = 1

/** Chunks at least this small in a hibernated snapshot. */
export const MIN_HIBERNATION_CHUNK = 16 * 1024

/**
 * The chunk size a hibernated memory of `byteLength` is encoded with: the
 * smallest power of two from 16 KiB up to CHUNK_SIZE that keeps it within
 * 256 chunks (a root of at most ~10 KiB). A program that read a line and
 * waits again has changed a few pages; each re-hibernation stores (and
 * hashes) the chunks holding them, 16 KiB each instead of 256 KiB for an idle
 * 1.2 MiB cat.
 */
export function hibernationChunkSize (byteLength: number): number {
  let cs = MIN_HIBERNATION_CHUNK
  while (cs < CHUNK_SIZE && byteLength > 256 * cs) cs *= 2
  return cs
}
export const KIND = 'gate-snapshot'
const RAW = 0x55
const SHA256 = 0x12

export function rawCid (bytes: Uint8Array): CID {
  const d = createHash('sha256').update(bytes).digest()
  return CID.createV1(RAW, Digest.create(SHA256, new Uint8Array(d.buffer, d.byteOffset, d.byteLength)))
}

function cborCid (bytes: Uint8Array): CID {
  const d = createHash('sha256').update(bytes).digest()
  return CID.createV1(dagCbor.code, Digest.create(SHA256, new Uint8Array(d.buffer, d.byteOffset, d.byteLength)))
}

/** Does this block's content hash to its CID? */
export function verifyBlock (cid: CID, bytes: Uint8Array): boolean {
  if (cid.multihash.code !== SHA256) return false
  const d = createHash('sha256').update(bytes).digest()
  const want = cid.multihash.digest
  return d.length === want.length && d.every((b, i) => b === want[i])
}

export interface EncodeOptions {
  /**
   * Memory chunk size (a multiple of 4 KiB up to CHUNK_SIZE, the default):
   * hibernation uses smaller chunks for small memories (hibernationChunkSize).
   * `previous` must have been encoded with the same.
   */
  chunkSize?: number
  /** Include the original module, so the snapshot is self-contained. */
  moduleBytes?: Uint8Array
  /**
   * An earlier snapshot of the same instance (the chunk CIDs it was encoded
   * with, all in `store`, and its memory if at hand; without it a chunk's
   * earlier bytes come from `store.peekVerified`): chunks whose bytes did
   * not change keep their CID without being hashed again (a byte compare is
   * several times cheaper than SHA-256).
   */
  previous?: {
    memory?: Uint8Array | SparseMemory
    chunks: Array<CID | null>
    /**
     * The chunks known to differ from `chunks` (a capture that updated the
     * earlier memory in place reports them): the others are taken as
     * unchanged without a compare.
     */
    changed?: number[]
  }
}

/** Block writes an encoder or receiver keeps in flight at once (a store on disk overlaps them). */
export const PUT_CONCURRENCY = 16

/**
 * Bounded concurrent puts: `add` waits while `limit` are in flight; `drain`
 * waits for all (and throws the first error). With `ifNew`, the block is
 * put only if the store lacks it, and `ifNew` is called then.
 */
export class PutQueue {
  private readonly inFlight = new Set<Promise<void>>()
  private error: unknown
  constructor (private readonly store: Blockstore, private readonly limit = PUT_CONCURRENCY) {}

  async add (cid: CID, bytes: Uint8Array, ifNew?: () => void): Promise<void> {
    if (this.error != null) throw this.error
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight)
    const task = async (): Promise<void> => {
      if (ifNew != null) {
        if (await this.store.has(cid)) return
        ifNew()
      }
      await this.store.put(cid, bytes)
    }
    const p: Promise<void> = task().catch(err => { this.error ??= err }).finally(() => { this.inFlight.delete(p) })
    this.inFlight.add(p)
  }

  async drain (): Promise<void> {
    await Promise.all(this.inFlight)
    if (this.error != null) throw this.error
  }
}

export interface EncodeResult {
  root: CID
  /** Blocks and bytes the store did not have before (a store that writes behind: did not hold in memory). */
  newBlocks: number
  newBytes: number
  totalBlocks: number
  totalBytes: number
  /** Memory chunk CIDs (null = zero chunk), for EncodeOptions.previous. */
  chunks: Array<CID | null>
}

/** Write a snapshot's blocks to a store; returns the root CID. A sparse memory (sparse.ts) encodes to the same blocks as its whole form. */
export async function encodeSnapshot (s: InstanceSnapshot | SparseSnapshot, store: Blockstore, opts: EncodeOptions = {}): Promise<EncodeResult> {
  const r: EncodeResult = { root: undefined as unknown as CID, newBlocks: 0, newBytes: 0, totalBlocks: 0, totalBytes: 0, chunks: [] }
  const q = new PutQueue(store)
  const put = async (cid: CID, bytes: Uint8Array): Promise<CID> => {
    r.totalBlocks++; r.totalBytes += bytes.byteLength
    if (store.peekVerified?.(cid) != null) return cid
    const counted = (): void => { r.newBlocks++; r.newBytes += bytes.byteLength }
    // a store that writes behind skips blocks it has on its own, off this path
    if (store.flush != null) { await q.add(cid, bytes); counted() } else await q.add(cid, bytes, counted)
    return cid
  }
  const chunks: Array<CID | null> = []
  const mem = s.memory
  const prev = opts.previous
  const changed = prev?.changed != null ? new Set(prev.changed) : undefined
  const cs = opts.chunkSize ?? CHUNK_SIZE
  if (!(cs > 0 && cs % 4096 === 0 && cs <= CHUNK_SIZE)) throw new RangeError(`chunk size ${cs} is not a multiple of 4096 up to ${CHUNK_SIZE}`)
  for (let off = 0; off < mem.byteLength; off += cs) {
    const end = Math.min(off + cs, mem.byteLength)
    const i = off / cs
    const was = prev != null && i < prev.chunks.length ? prev.chunks[i] : undefined
    if (was !== undefined && changed != null && !changed.has(i)) {
      if (was != null) { r.totalBlocks++; r.totalBytes += end - off }
      chunks.push(was)
      continue
    }
    if (was !== undefined && changed == null) {
      const pm = prev?.memory
      const before = pm != null
        ? (end <= pm.byteLength ? (isSparse(pm) ? pm : pm.subarray(off, end)) : undefined)
        : (was != null ? store.peekVerified?.(was) : undefined)
      if (before != null && sameBytes(mem, off, end, before)) {
        if (was != null) { r.totalBlocks++; r.totalBytes += end - off }
        chunks.push(was)
        continue
      }
    }
    if (isSparse(mem)) {
      const c = chunkOf(mem, off, end)
      chunks.push(c == null ? null : await put(rawCid(c), c))
    } else {
      const c = mem.subarray(off, end)
      chunks.push(isZero(c) ? null : await put(rawCid(c), c.slice()))
    }
  }
  r.chunks = chunks
  let module: CID[] | null = null
  if (opts.moduleBytes != null) {
    module = []
    for (let off = 0; off < opts.moduleBytes.byteLength; off += MODULE_CHUNK) {
      const c = opts.moduleBytes.subarray(off, off + MODULE_CHUNK)
      module.push(await put(rawCid(c), c.slice()))
    }
  }
  const stack = s.stack.byteLength > 0 ? await put(rawCid(s.stack), s.stack.slice()) : null
  // file contents: raw blocks beside memory, linked from the host state (files.ts)
  const host = await linkFiles(s.host, put, rawCid)
  const root = {
    kind: KIND,
    version: FORMAT_VERSION,
    moduleHash: s.moduleHash,
    compiledHash: s.compiledHash,
    compilerId: s.compilerId,
    entry: s.entry,
    instanceId: s.instanceId,
    status: JSON.parse(JSON.stringify(s.status)),
    memory: { byteLength: mem.byteLength, maxPages: s.memoryMaxPages ?? null, chunkSize: cs, chunks },
    globals: s.globals.map(g => ({ name: g.name, type: g.type, value: toBits(g.type, g.value) })),
    stack,
    stackBytes: s.stack.byteLength,
    started: s.started,
    host,
    cpuTimeNs: BigInt(s.cpuTimeNs),
    outputBytes: s.outputBytes,
    module,
    moduleBytes: opts.moduleBytes?.byteLength ?? null
  }
  const bytes = dagCbor.encode(root)
  // the root goes in last: a store that has a root has the whole snapshot
  await q.drain()
  r.root = await put(cborCid(bytes), bytes)
  await q.drain()
  return r
}

/** Are bytes [off, end) of `mem` those of `before` (the chunk's bytes, or a whole sparse memory)? */
function sameBytes (mem: Uint8Array | SparseMemory, off: number, end: number, before: Uint8Array | SparseMemory): boolean {
  if (isSparse(mem)) return chunkEquals(mem, off, end, before)
  const c = mem.subarray(off, end)
  if (isSparse(before)) return chunkEquals(before, off, end, c)
  return before.byteLength === c.byteLength && Buffer.compare(c, before) === 0
}

async function getVerified (store: Blockstore, cid: CID): Promise<Uint8Array> {
  const trusted = store.peekVerified?.(cid)
  if (trusted != null) return trusted
  let bytes: Uint8Array
  try {
    bytes = await store.get(cid)
  } catch {
    throw new SnapshotCorruptError(`block ${cid.toString()} is missing`)
  }
  if (!verifyBlock(cid, bytes)) throw new SnapshotCorruptError(`block ${cid.toString()} does not match its hash`)
  return bytes
}

export interface Decoded {
  snapshot: InstanceSnapshot
  moduleBytes?: Uint8Array
  root: CID
  /** Memory chunk CIDs (null = zero chunk): EncodeOptions.previous of the next snapshot, DecodeOptions.reuse. */
  chunks: Array<CID | null>
}

export interface DecodeOptions {
  /**
   * An earlier decode of the same instance whose memory may be taken over
   * (it is changed in place): only chunks whose CID differs are read and
   * copied, the rest is already right.
   */
  reuse?: { memory: Uint8Array, chunks: Array<CID | null> }
}

/** The root block of a snapshot, read, verified and checked for kind and version. */
async function readRoot (root: CID, store: Blockstore): Promise<any> {
  const node = dagCbor.decode<any>(await getVerified(store, root))
  if (node?.kind !== KIND) throw new SnapshotVersionError(`${root.toString()} is not a gate snapshot`)
  if (node.version !== FORMAT_VERSION) throw new SnapshotVersionError(`snapshot format version ${String(node.version)} is not supported (this node reads ${FORMAT_VERSION})`)
  return node
}

/** Read and verify a snapshot from a store. */
export async function decodeSnapshot (root: CID, store: Blockstore, opts: DecodeOptions = {}): Promise<Decoded> {
  const node = await readRoot(root, store)
  const cs = node.memory.chunkSize as number
  const chunks = node.memory.chunks as Array<CID | null>
  const reuse = opts.reuse != null && opts.reuse.memory.byteLength === node.memory.byteLength && cs === CHUNK_SIZE ? opts.reuse : undefined
  const memory = reuse?.memory ?? new Uint8Array(node.memory.byteLength)
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]
    const had = reuse?.chunks[i]
    if (reuse != null && had !== undefined && (had === c || (had != null && c != null && had.equals(c)))) continue
    if (c == null) {
      if (reuse != null) memory.fill(0, i * cs, Math.min((i + 1) * cs, memory.byteLength))
      continue
    }
    memory.set(await memoryChunk(store, node, i), i * cs)
  }
  if (reuse != null) {
    // chunks the earlier decode had past the end of this list
    for (let i = chunks.length; i < reuse.chunks.length; i++) if (reuse.chunks[i] != null) memory.fill(0, i * cs, Math.min((i + 1) * cs, memory.byteLength))
  }
  const { moduleBytes, ...rest } = await theRest(node, store)
  return { snapshot: { ...rest, memory }, moduleBytes, root, chunks: [...chunks] }
}

/**
 * Read and verify a snapshot with its memory in sparse form (sparse.ts):
 * only its non-zero pages are allocated (the executor's wake from
 * hibernation). The module, if the snapshot carries one, is not read.
 */
export async function decodeSparseSnapshot (root: CID, store: Blockstore): Promise<SparseSnapshot> {
  const node = await readRoot(root, store)
  const cs = node.memory.chunkSize as number
  const cids = node.memory.chunks as Array<CID | null>
  const parts: Array<Uint8Array | null> = []
  for (let i = 0; i < cids.length; i++) parts.push(cids[i] == null ? null : await memoryChunk(store, node, i))
  let memory: SparseMemory
  try {
    memory = sparseOfChunks(node.memory.byteLength, cs, parts)
  } catch (err) {
    throw new SnapshotCorruptError(`memory: ${(err as Error).message}`)
  }
  const { moduleBytes, ...rest } = await theRest(node, store, false)
  return { ...rest, memory }
}

/** Memory chunk `i` of a root, read, verified and checked to fit. */
async function memoryChunk (store: Blockstore, node: any, i: number): Promise<Uint8Array> {
  const cs = node.memory.chunkSize as number
  const b = await getVerified(store, node.memory.chunks[i])
  if (b.byteLength > cs || i * cs + b.byteLength > node.memory.byteLength) throw new SnapshotCorruptError(`memory chunk ${i} has a bad size`)
  return b
}

/** Everything of a root but its memory. */
async function theRest (node: any, store: Blockstore, withModule = true): Promise<Omit<InstanceSnapshot, 'memory'> & { moduleBytes?: Uint8Array }> {
  const stack = node.stack != null ? await getVerified(store, node.stack) : new Uint8Array(0)
  await loadFiles(node.host, async c => await getVerified(store, c))
  let moduleBytes: Uint8Array | undefined
  if (withModule && Array.isArray(node.module)) {
    const parts = await Promise.all((node.module as CID[]).map(async c => await getVerified(store, c)))
    moduleBytes = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0))
    let o = 0
    for (const p of parts) { moduleBytes.set(p, o); o += p.byteLength }
    if (createHash('sha256').update(moduleBytes).digest('hex') !== node.moduleHash) throw new SnapshotCorruptError('module bytes do not match the module hash')
  }
  return {
    version: 1,
    moduleHash: node.moduleHash,
    compiledHash: node.compiledHash,
    compilerId: node.compilerId,
    entry: node.entry,
    instanceId: node.instanceId,
    status: node.status,
    memoryMaxPages: node.memory.maxPages ?? undefined,
    globals: node.globals.map((g: any) => ({ name: g.name, type: g.type, value: fromBits(g.type, g.value) })),
    stack,
    started: node.started,
    host: node.host,
    cpuTimeNs: BigInt(node.cpuTimeNs),
    outputBytes: Number(node.outputBytes),
    moduleBytes
  }
}

/** Every CID a snapshot root links to, the root included (for sending only what a peer lacks). */
export async function listBlocks (root: CID, store: Blockstore): Promise<CID[]> {
  const node = dagCbor.decode<any>(await getVerified(store, root))
  const out: CID[] = [root]
  for (const c of node.memory?.chunks ?? []) if (c != null) out.push(c)
  if (node.stack != null) out.push(node.stack)
  for (const c of node.module ?? []) out.push(c)
  out.push(...fileBlocks(node.host))
  return out
}

/** Floats travel as their raw bits: dag-cbor has no NaN, and payloads must survive. */
function toBits (type: string, v: number | bigint): number | bigint {
  const dv = new DataView(new ArrayBuffer(8))
  if (type === 'f32') { dv.setFloat32(0, Number(v), true); return dv.getUint32(0, true) }
  if (type === 'f64') { dv.setFloat64(0, Number(v), true); return dv.getBigUint64(0, true) }
  return type === 'i64' ? BigInt(v) : Number(v)
}

function fromBits (type: string, v: number | bigint): number | bigint {
  const dv = new DataView(new ArrayBuffer(8))
  if (type === 'f32') { dv.setUint32(0, Number(v), true); return dv.getFloat32(0, true) }
  if (type === 'f64') { dv.setBigUint64(0, BigInt(v), true); return dv.getFloat64(0, true) }
  return type === 'i64' ? BigInt(v) : Number(v)
}
