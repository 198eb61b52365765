/**
 * Instance filesystems on the node, as UnixFS trees in Helia's blockstore
 * (so peers fetch them over bitswap by CID): mounts of a deploy become an
 * FsImage, an instance's tree (now, or as it ended) becomes UnixFS roots,
 * and trees travel to and from the CLI as CAR files. Narrow dependencies:
 * a blockstore (Helia's: get() fetches missing blocks from peers) and, for
 * `gate fs`, the instance table and snapshot store.
 * doc/rationale.md: "Why a filesystem travels as UnixFS".
 */
import { CarBlockIterator, CarWriter } from '@ipld/car'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { FsBuilder, type FsImage } from '../executor/host/vfs/image.js'
import { decodeSnapshot, type Blockstore } from '../executor/snapshot/index.js'
import { RequestError } from '../protocols/errors.js'
import { ErrorCode, type Mount } from '../protocols/pb/gate.js'
import { UnixFsError, UnixFsMissingBlockError, UnixFsTooLargeError, dagBlocks, exportImage, importUnixFs, type GetStore, type PutStore } from './fs-unixfs.js'
import type { Managed } from './instances.js'

/** Default bound on the file data of mounted trees (the executor's default fsBytes). */
export const DEFAULT_MOUNT_BYTES = 512 << 20
/** How long fetching the trees of a deploy may take. */
export const MOUNT_FETCH_MS = 60_000

export type TreeStore = GetStore & PutStore

/** `GUEST::CID[:ro]` (as --mount takes it). */
export function parseMount (s: string): Mount {
  let rest = s
  let readonly = false
  if (rest.endsWith(':ro')) { readonly = true; rest = rest.slice(0, -3) }
  const i = rest.indexOf('::')
  if (i < 0) throw new RequestError(ErrorCode.BAD_REQUEST, `a mount is CID::GUEST[:ro], got ${JSON.stringify(s)}`)
  const cid = rest.slice(0, i)
  const guest = rest.slice(i + 2)
  if (guest === '' || cid === '') throw new RequestError(ErrorCode.BAD_REQUEST, `a mount is CID::GUEST[:ro], got ${JSON.stringify(s)}`)
  try { CID.parse(cid) } catch { throw new RequestError(ErrorCode.BAD_REQUEST, `not a CID: ${JSON.stringify(cid)}`) }
  return { guest, cid, readonly, writeBack: false }
}

export const mountToText = (m: Mount): string => `${m.cid}::${m.guest}${m.readonly ? ':ro' : ''}`

/** Fetch the mounts' trees (from peers if need be) into one FsImage, preopens in order. */
export async function loadMounts (store: GetStore, mounts: Mount[], opts: { maxBytes?: number, signal?: AbortSignal } = {}): Promise<FsImage> {
  if (mounts.length > 64) throw new RequestError(ErrorCode.TOO_LARGE, 'more than 64 mounts')
  const b = new FsBuilder()
  const signal = opts.signal ?? AbortSignal.timeout(MOUNT_FETCH_MS)
  let left = opts.maxBytes ?? DEFAULT_MOUNT_BYTES
  for (const m of mounts) {
    try {
      const before = b.build()
      await importUnixFs(store, m.cid, b, m.guest, { readonly: m.readonly, maxBytes: left, signal })
      left -= bytesOf(b.build()) - bytesOf(before)
    } catch (err) {
      throw asRequestError(err, `mount ${m.guest}`)
    }
  }
  return b.build()
}

const bytesOf = (img: FsImage): number => img.nodes.reduce((a, n) => a + (n.type === 'file' ? n.size : 0), 0)

export function asRequestError (err: unknown, what: string): Error {
  if (err instanceof UnixFsTooLargeError) return new RequestError(ErrorCode.TOO_LARGE, `${what}: ${err.message}`)
  if (err instanceof UnixFsMissingBlockError) return new RequestError(ErrorCode.UNAVAILABLE, `${what}: ${err.message}`)
  if (err instanceof UnixFsError) return new RequestError(ErrorCode.BAD_REQUEST, `${what}: ${err.message}`)
  return err as Error
}

/** Every preopen of an image as a UnixFS root in `store` (with mtimes: a write-back then leaves unchanged files alone). */
export async function putTrees (store: PutStore, image: FsImage, opts: { mtime?: boolean } = {}): Promise<Mount[]> {
  const roots = await exportImage(image, store, { mtime: opts.mtime ?? true })
  return roots.map(r => ({ guest: r.name, cid: r.cid.toString(), readonly: r.readonly, writeBack: false }))
}

/**
 * `gate fs <instance>`: the instance's tree now (a snapshot of a running
 * instance, which keeps running; the stored one of a suspended instance)
 * as UnixFS roots in `store`.
 */
export async function instanceTrees (m: Managed, snapshots: Blockstore, store: PutStore): Promise<Mount[]> {
  let host: any
  if (m.instance != null) {
    host = (await m.instance.snapshot({ then: 'continue' })).snapshot.host
  } else if (m.snapshotRoot != null) {
    host = (await decodeSnapshot(m.snapshotRoot, snapshots)).snapshot.host
  } else {
    throw new RequestError(ErrorCode.CONFLICT, `instance ${m.id} is ${m.status.state}; it has no snapshot to take its files from`)
  }
  const fs = host?.abi?.fs as FsImage | undefined
  if (fs == null || !Array.isArray(fs.preopens) || fs.preopens.length === 0) throw new RequestError(ErrorCode.CONFLICT, `instance ${m.id} has no filesystem (it was started without --dir or --mount)`)
  return await putTrees(store, fs, { mtime: false })
}

/** A CAR of every block of the DAG under `root`, streamed. */
export async function * carOf (store: GetStore, root: CID, opts: { signal?: AbortSignal, maxBytes?: number } = {}): AsyncGenerator<Uint8Array> {
  const { writer, out } = CarWriter.create([root])
  const blocks = dagBlocks(store, root, opts)
  let failed: unknown
  const feeding = (async () => {
    try {
      for await (const b of blocks) await writer.put(b)
    } catch (err) { failed = err }
    await writer.close()
  })()
  for await (const chunk of out) yield chunk
  await feeding
  if (failed != null) throw failed
}

/**
 * Put the blocks of a CAR into `store`, each hash checked; returns its
 * roots (each must be in the CAR). At most `maxBytes` of blocks.
 */
export async function putCar (store: PutStore, car: AsyncIterable<Uint8Array>, maxBytes: number): Promise<CID[]> {
  let it: CarBlockIterator
  try { it = await CarBlockIterator.fromIterable(car) } catch (err) { throw new RequestError(ErrorCode.BAD_REQUEST, `not a CAR: ${(err as Error).message}`) }
  const roots = await it.getRoots()
  const seen = new Set<string>()
  let n = 0
  try {
    for await (const { cid, bytes } of it) {
      n += bytes.byteLength
      if (n > maxBytes) throw new RequestError(ErrorCode.TOO_LARGE, `CAR holds more than ${maxBytes} bytes of blocks`)
      const c = CID.asCID(cid)!
      if (c.multihash.code !== sha256.code) throw new RequestError(ErrorCode.BAD_REQUEST, `block ${c.toString()}: only sha2-256 blocks`)
      const d = await sha256.digest(bytes)
      if (!Buffer.from(d.digest).equals(Buffer.from(c.multihash.digest))) throw new RequestError(ErrorCode.BAD_REQUEST, `block ${c.toString()} does not match its hash`)
      await store.put(c, bytes)
      seen.add(c.toString())
    }
  } catch (err) {
    if (err instanceof RequestError) throw err
    throw new RequestError(ErrorCode.BAD_REQUEST, `bad CAR: ${(err as Error).message}`)
  }
  for (const r of roots) if (!seen.has(r.toString())) throw new RequestError(ErrorCode.BAD_REQUEST, `the CAR lacks its root ${r.toString()}`)
  return roots.map(r => CID.asCID(r)!)
}
