/**
 * An instance's filesystem (executor/host/vfs/image.ts, FsImage) as UnixFS,
 * and back. doc/rationale.md: "Why a filesystem travels as UnixFS".
 *
 * Export writes one preopen as a UnixFS DAG: dag-pb directory nodes,
 * dag-pb file nodes in the importer's balanced layout (174 links per
 * node), and as the leaves the image's own 256 KiB chunks as raw blocks
 * (CIDv1, sha2-256): exactly the importer's default leaves and exactly the
 * blocks a snapshot stores for the same chunks, so a tree whose chunks are
 * already in the store costs only its (small) file and directory nodes.
 * A one-chunk file without mtime is its raw leaf alone, as the importer's
 * reduceSingleLeafToSelf makes it, and a small file gets the same CID as
 * `@helia/unixfs` addBytes gives (test/node/fs-unixfs.test.ts). With
 * `mtime`, files and directories carry their modification time (then a
 * one-chunk file is a file node linking its leaf, where the importer
 * would inline the bytes). Hard links become two names for one DAG.
 * Directories are never sharded on export.
 *
 * Import reads a UnixFS DAG (directories, HAMT-sharded directories, files
 * of any layout and leaf kind, symlinks, raw and identity blocks) from any
 * store with get(), checks every block's hash, bounds the bytes and
 * entries it accepts, and builds a preopen of an FsBuilder.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { create as createDigest } from 'multiformats/hashes/digest'
import { FILE_CHUNK, type FsBuilder, type FsImage, type FsNodeImage, type Times } from '../executor/host/vfs/image.js'

const IDENTITY = 0x00
const SHA2_256 = 0x12
/** The importer's balanced layout: links per file node. */
export const MAX_CHILDREN_PER_NODE = 174

/** Something blocks can be put into (Helia's blockstore, a MemoryBlockstore, the snapshot store). */
export interface PutStore {
  put: (cid: CID, bytes: Uint8Array) => unknown
  has?: (cid: CID) => unknown
}

/** Something blocks can be read from: get() may answer bytes, a promise of them, or an async iterable of pieces (interface-blockstore 7). */
export interface GetStore {
  get: (cid: CID, opts?: { signal?: AbortSignal }) => unknown
}

/** A UnixFS tree could not be read; `cid` names the block at fault. */
export class UnixFsError extends Error {
  static name = 'UnixFsError'
  constructor (readonly cid: string, message: string) { super(message); this.name = 'UnixFsError' }
}
/** A block of the tree is not in the store (or could not be fetched). */
export class UnixFsMissingBlockError extends UnixFsError {
  static name = 'UnixFsMissingBlockError'
  constructor (cid: string, cause: string) { super(cid, `block ${cid} is missing: ${cause}`); this.name = 'UnixFsMissingBlockError' }
}
/** The block is there but it is not UnixFS (another codec, a dag-pb node without UnixFS data, a bad block). */
export class NotUnixFsError extends UnixFsError {
  static name = 'NotUnixFsError'
  constructor (cid: string, why: string) { super(cid, `${cid} is not UnixFS: ${why}`); this.name = 'NotUnixFsError' }
}
/** The tree is larger than allowed. */
export class UnixFsTooLargeError extends UnixFsError {
  static name = 'UnixFsTooLargeError'
  constructor (cid: string, why: string) { super(cid, `tree ${cid} is too large: ${why}`); this.name = 'UnixFsTooLargeError' }
}

// ---- export ---------------------------------------------------------------

export interface ExportOptions {
  /** Write each file's and directory's mtime (default false: CIDs as the default importer's). */
  mtime?: boolean
}

interface Built { cid: CID, /** cumulative size, as the importer's Tsize */ size: number }

const rawCid = async (bytes: Uint8Array): Promise<CID> => CID.createV1(raw.code, await sha256.digest(bytes))

const mtimeOf = (t: Times): { secs: bigint, nsecs: number } => {
  const ns = t[1] < 0n ? 0n : t[1]
  return { secs: ns / 1_000_000_000n, nsecs: Number(ns % 1_000_000_000n) }
}

/**
 * Write preopen `index` of `image` into `store` as UnixFS; returns the root
 * directory's CID. Blocks the store already has are not put again.
 */
export async function exportPreopen (image: FsImage, index: number, store: PutStore, opts: ExportOptions = {}): Promise<CID> {
  const pre = image.preopens[index]
  if (pre == null) throw new Error(`the filesystem has no preopen ${index}`)
  const nodes = new Map<number, FsNodeImage>(image.nodes.map(n => [n.ino, n]))
  const put = async (cid: CID, bytes: Uint8Array): Promise<void> => {
    if (store.has != null && (await store.has(cid)) === true) return
    await store.put(cid, bytes)
  }
  const putPb = async (node: dagPb.PBNode): Promise<Built> => {
    const block = dagPb.encode(dagPb.prepare(node))
    const cid = CID.createV1(dagPb.code, await sha256.digest(block))
    await put(cid, block)
    return { cid, size: block.byteLength + node.Links.reduce((a, l) => a + (l.Tsize ?? 0), 0) }
  }
  const filesDone = new Map<number, Built>()
  const inProgress = new Set<number>()

  const file = async (n: Extract<FsNodeImage, { type: 'file' }>): Promise<Built> => {
    const done = filesDone.get(n.ino)
    if (done != null) return done
    const count = Math.ceil(n.size / FILE_CHUNK)
    const leaves: Built[] = []
    for (let i = 0; i < count; i++) {
      const want = Math.min(FILE_CHUNK, n.size - i * FILE_CHUNK)
      const c = n.chunks[i]
      let bytes: Uint8Array
      if (c != null && c.byteLength === want) bytes = c // as stored: the snapshot's chunk block
      else { bytes = new Uint8Array(want); if (c != null) bytes.set(c.subarray(0, Math.min(want, c.byteLength))) }
      const cid = await rawCid(bytes)
      await put(cid, bytes)
      leaves.push({ cid, size: want })
    }
    const mtime = opts.mtime === true ? mtimeOf(n.times) : undefined
    let out: Built
    if (leaves.length === 0 && mtime == null) {
      // the importer's empty file: one empty raw leaf
      const empty = new Uint8Array(0)
      const cid = await rawCid(empty)
      await put(cid, empty)
      out = { cid, size: 0 }
    } else if (leaves.length === 1 && mtime == null) {
      out = leaves[0]
    } else {
      out = await balanced(leaves, mtime)
    }
    filesDone.set(n.ino, out)
    return out
  }

  /** Parents of at most 174 children, level by level, until one is left (ipfs-unixfs-importer's balanced layout). */
  const balanced = async (leaves: Built[], mtime: { secs: bigint, nsecs: number } | undefined): Promise<Built> => {
    type Level = Array<Built & { fileSize: bigint, raw: boolean }>
    let level: Level = leaves.map(l => ({ ...l, fileSize: BigInt(l.size), raw: true }))
    for (;;) {
      const parents: Level = []
      for (let i = 0; i < level.length || (level.length === 0 && i === 0); i += MAX_CHILDREN_PER_NODE) {
        const kids = level.slice(i, i + MAX_CHILDREN_PER_NODE).filter(k => k.fileSize > 0n)
        const f = new UnixFS({ type: 'file', mtime })
        for (const k of kids) f.addBlockSize(k.fileSize)
        const b = await putPb({ Data: f.marshal(), Links: kids.map(k => ({ Name: '', Tsize: k.size, Hash: k.cid })) })
        parents.push({ ...b, fileSize: f.fileSize(), raw: false })
      }
      if (parents.length === 1) return parents[0]
      level = parents
    }
  }

  const dir = async (ino: number): Promise<Built> => {
    const d = nodes.get(ino)
    if (d?.type !== 'dir') throw new Error(`inode ${ino} is not a directory`)
    inProgress.add(ino)
    const links: dagPb.PBLink[] = []
    for (const e of d.entries) {
      const n = nodes.get(e.ino)
      if (n == null) continue
      let b: Built
      if (n.type === 'dir') {
        if (inProgress.has(n.ino)) continue // a loop (cannot happen in a well-formed tree)
        b = await dir(n.ino)
      } else if (n.type === 'file') {
        b = await file(n)
      } else {
        const u = new UnixFS({ type: 'symlink', data: new TextEncoder().encode(n.target), mtime: opts.mtime === true ? mtimeOf(n.times) : undefined })
        b = await putPb({ Data: u.marshal(), Links: [] })
      }
      links.push({ Name: e.name, Tsize: b.size, Hash: b.cid })
    }
    inProgress.delete(ino)
    const u = new UnixFS({ type: 'directory', mtime: opts.mtime === true ? mtimeOf(d.times) : undefined })
    return await putPb({ Data: u.marshal(), Links: links })
  }

  return (await dir(pre.ino)).cid
}

/** Every preopen of `image`, each as its own UnixFS root. */
export async function exportImage (image: FsImage, store: PutStore, opts: ExportOptions = {}): Promise<Array<{ name: string, readonly: boolean, cid: CID }>> {
  const out: Array<{ name: string, readonly: boolean, cid: CID }> = []
  for (let i = 0; i < image.preopens.length; i++) out.push({ name: image.preopens[i].name, readonly: image.preopens[i].readonly, cid: await exportPreopen(image, i, store, opts) })
  return out
}

// ---- import ---------------------------------------------------------------

export interface ImportOptions {
  readonly?: boolean
  /** At most this many bytes of file data (default 512 MiB). */
  maxBytes?: number
  /** At most this many entries (default 100,000). */
  maxEntries?: number
  /** At most this deep (default 256). */
  maxDepth?: number
  signal?: AbortSignal
  /** Times of entries without an mtime (default now). */
  nowNs?: bigint
}

const timesFrom = (m: { secs: bigint, nsecs?: number } | undefined, now: bigint): Times => {
  const ns = m != null ? m.secs * 1_000_000_000n + BigInt(m.nsecs ?? 0) : now
  return [ns, ns, ns]
}

/** A block's bytes from a store whose get() may answer any of its shapes. */
async function getBlock (store: GetStore, cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
  if (cid.multihash.code === IDENTITY) return cid.multihash.digest
  let bytes: Uint8Array
  try {
    const r = store.get(cid, { signal }) as any
    const v = r instanceof Uint8Array ? r : await r
    if (v instanceof Uint8Array) bytes = v
    else if (v != null && (typeof v[Symbol.asyncIterator] === 'function' || typeof v[Symbol.iterator] === 'function')) {
      const parts: Uint8Array[] = []
      for await (const c of v as AsyncIterable<Uint8Array>) parts.push(c)
      bytes = parts.length === 1 ? parts[0] : new Uint8Array(Buffer.concat(parts))
    } else throw new Error('the store gave no bytes')
  } catch (err) {
    throw new UnixFsMissingBlockError(cid.toString(), (err as Error)?.message ?? String(err))
  }
  if (cid.multihash.code !== SHA2_256) throw new NotUnixFsError(cid.toString(), `hash function 0x${cid.multihash.code.toString(16)} is not supported (sha2-256 only)`)
  const d = await sha256.digest(bytes)
  if (!equalBytes(d.digest, cid.multihash.digest)) throw new UnixFsError(cid.toString(), `block ${cid.toString()} does not match its hash`)
  return bytes
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && a.every((x, i) => x === b[i])

type Decoded = { kind: 'raw', bytes: Uint8Array } | { kind: 'pb', node: dagPb.PBNode, unixfs: UnixFS }

async function load (store: GetStore, cid: CID, signal?: AbortSignal): Promise<Decoded> {
  if (cid.code !== raw.code && cid.code !== dagPb.code) throw new NotUnixFsError(cid.toString(), `codec 0x${cid.code.toString(16)} is neither dag-pb nor raw`)
  const bytes = await getBlock(store, cid, signal)
  if (cid.code === raw.code) return { kind: 'raw', bytes }
  let node: dagPb.PBNode
  let unixfs: UnixFS
  try {
    node = dagPb.decode(bytes)
    if (node.Data == null) throw new Error('a dag-pb node without Data')
    unixfs = UnixFS.unmarshal(node.Data)
  } catch (err) {
    throw new NotUnixFsError(cid.toString(), (err as Error).message)
  }
  return { kind: 'pb', node, unixfs }
}

/**
 * Read the UnixFS directory `root` from `store` into a new preopen `guest`
 * of `b`; returns its ino. Errors name the block at fault.
 */
export async function importUnixFs (store: GetStore, root: CID | string, b: FsBuilder, guest: string, opts: ImportOptions = {}): Promise<number> {
  let rootCid: CID
  try { rootCid = typeof root === 'string' ? CID.parse(root) : root } catch { throw new NotUnixFsError(String(root), 'not a CID') }
  const maxBytes = opts.maxBytes ?? 512 * 1024 * 1024
  const maxEntries = opts.maxEntries ?? 100_000
  const maxDepth = opts.maxDepth ?? 256
  const now = opts.nowNs ?? BigInt(Date.now()) * 1_000_000n
  const signal = opts.signal
  let bytesSeen = 0
  let entries = 0
  const rootText = rootCid.toString()

  const top = await load(store, rootCid, signal)
  if (top.kind !== 'pb' || (top.unixfs.type !== 'directory' && top.unixfs.type !== 'hamt-sharded-directory')) {
    throw new NotUnixFsError(rootText, `it is a UnixFS ${top.kind === 'raw' ? 'raw block' : top.unixfs.type}, not a directory`)
  }
  const preIno = b.preopen(guest, { readonly: opts.readonly === true, times: timesFrom(top.unixfs.mtime, now) })

  /** The file's bytes, appended into parts (leaves in order). */
  const fileData = async (d: Decoded, cid: CID, parts: Uint8Array[], depth: number): Promise<void> => {
    if (depth > maxDepth) throw new UnixFsTooLargeError(rootText, `file DAG deeper than ${maxDepth} at ${cid.toString()}`)
    const add = (x: Uint8Array): void => {
      bytesSeen += x.byteLength
      if (bytesSeen > maxBytes) throw new UnixFsTooLargeError(rootText, `more than ${maxBytes} bytes of file data`)
      parts.push(x)
    }
    if (d.kind === 'raw') { add(d.bytes); return }
    const t = d.unixfs.type
    if (t !== 'file' && t !== 'raw') throw new NotUnixFsError(cid.toString(), `a ${t} inside a file`)
    if (d.unixfs.data != null && d.unixfs.data.byteLength > 0) add(d.unixfs.data)
    for (const l of d.node.Links) await fileData(await load(store, l.Hash, signal), l.Hash, parts, depth + 1)
  }

  const entry = async (parent: number, name: string, cid: CID, depth: number): Promise<void> => {
    if (++entries > maxEntries) throw new UnixFsTooLargeError(rootText, `more than ${maxEntries} entries`)
    if (depth > maxDepth) throw new UnixFsTooLargeError(rootText, `deeper than ${maxDepth} directories`)
    const d = await load(store, cid, signal)
    if (d.kind === 'raw') { addBytes(d.bytes.byteLength); b.file(parent, name, d.bytes, timesFrom(undefined, now)); return }
    const u = d.unixfs
    switch (u.type) {
      case 'directory': case 'hamt-sharded-directory': {
        const ino = b.mkdir(parent, name, timesFrom(u.mtime, now))
        await directory(ino, d, cid, depth + 1)
        return
      }
      case 'file': case 'raw': {
        const parts: Uint8Array[] = []
        await fileData(d, cid, parts, 0)
        b.file(parent, name, concatParts(parts), timesFrom(u.mtime, now))
        return
      }
      case 'symlink':
        b.symlink(parent, name, new TextDecoder().decode(u.data ?? new Uint8Array(0)), timesFrom(u.mtime, now))
        return
      default:
        throw new NotUnixFsError(cid.toString(), `UnixFS type ${u.type} is not supported`)
    }
  }
  const addBytes = (n: number): void => {
    bytesSeen += n
    if (bytesSeen > maxBytes) throw new UnixFsTooLargeError(rootText, `more than ${maxBytes} bytes of file data`)
  }

  const directory = async (ino: number, d: Extract<Decoded, { kind: 'pb' }>, cid: CID, depth: number): Promise<void> => {
    if (d.unixfs.type === 'directory') {
      for (const l of d.node.Links) await named(ino, l.Name ?? '', l.Hash, cid, depth)
      return
    }
    await shard(ino, d, cid, depth, 0)
  }

  const named = async (ino: number, name: string, child: CID, at: CID, depth: number): Promise<void> => {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw new UnixFsError(at.toString(), `directory ${at.toString()} has an entry named ${JSON.stringify(name)}`)
    await entry(ino, name, child, depth)
  }

  /** A HAMT shard: link names are a bucket prefix (hex, as wide as the fanout needs) and then the entry's name; a bare prefix is a sub-shard. */
  const shard = async (ino: number, d: Extract<Decoded, { kind: 'pb' }>, cid: CID, depth: number, shardDepth: number): Promise<void> => {
    if (shardDepth > 64) throw new UnixFsTooLargeError(rootText, `HAMT deeper than 64 at ${cid.toString()}`)
    const fanout = Number(d.unixfs.fanout ?? 256n)
    if (!(fanout >= 2 && fanout <= 1024)) throw new NotUnixFsError(cid.toString(), `HAMT fanout ${fanout}`)
    const pad = (fanout - 1).toString(16).length
    for (const l of d.node.Links) {
      const n = l.Name ?? ''
      if (n.length < pad) throw new NotUnixFsError(cid.toString(), `HAMT link name ${JSON.stringify(n)}`)
      if (n.length > pad) { await named(ino, n.slice(pad), l.Hash, cid, depth); continue }
      const sub = await load(store, l.Hash, signal)
      if (sub.kind !== 'pb' || sub.unixfs.type !== 'hamt-sharded-directory') throw new NotUnixFsError(l.Hash.toString(), 'a HAMT bucket that is not a shard')
      await shard(ino, sub, l.Hash, depth, shardDepth + 1)
    }
  }

  await directory(preIno, top, rootCid, 1)
  return preIno
}

function concatParts (parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]
  const n = parts.reduce((a, p) => a + p.byteLength, 0)
  const out = new Uint8Array(n)
  let off = 0
  for (const p of parts) { out.set(p, off); off += p.byteLength }
  return out
}

/** Import several roots as preopens of one builder, in order. */
export async function importTrees (store: GetStore, roots: Array<{ guest: string, cid: CID | string, readonly?: boolean }>, b: FsBuilder, opts: ImportOptions = {}): Promise<void> {
  for (const r of roots) await importUnixFs(store, r.cid, b, r.guest, { ...opts, readonly: r.readonly ?? opts.readonly })
}

/** Every block of the DAG under `root` (for a CAR), each once, root first. */
export async function * dagBlocks (store: GetStore, root: CID, opts: { signal?: AbortSignal, maxBytes?: number } = {}): AsyncGenerator<{ cid: CID, bytes: Uint8Array }> {
  const seen = new Set<string>()
  const stack: CID[] = [root]
  let total = 0
  const max = opts.maxBytes ?? 1024 * 1024 * 1024
  while (stack.length > 0) {
    const cid = stack.pop()!
    const k = cid.toString()
    if (seen.has(k)) continue
    seen.add(k)
    if (cid.code !== raw.code && cid.code !== dagPb.code) throw new NotUnixFsError(k, `codec 0x${cid.code.toString(16)} is neither dag-pb nor raw`)
    if (cid.multihash.code === IDENTITY) continue
    const bytes = await getBlock(store, cid, opts.signal)
    total += bytes.byteLength
    if (total > max) throw new UnixFsTooLargeError(root.toString(), `more than ${max} bytes of blocks`)
    yield { cid, bytes }
    if (cid.code === dagPb.code) {
      let node: dagPb.PBNode
      try { node = dagPb.decode(bytes) } catch (err) { throw new NotUnixFsError(k, (err as Error).message) }
      for (let i = node.Links.length - 1; i >= 0; i--) stack.push(node.Links[i].Hash)
    }
  }
}

/** For identity CIDs in tests and tools. */
export const identityCid = (bytes: Uint8Array): CID => CID.createV1(raw.code, createDigest(IDENTITY, bytes))
