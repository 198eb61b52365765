/**
 * Local stores: known modules by SHA-256 (Gate's module identity, one file
 * per module under `<data-dir>/modules`) and a view of Helia's blockstore
 * in the shape the snapshot format uses, so snapshots are IPFS content.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CID } from 'multiformats/cid'
import { sha256hex } from '../compiler/hash.js'
import type { Blockstore } from '../executor/snapshot/index.js'
import { concat } from './modules.js'

const HEX64 = /^[0-9a-f]{64}$/

export class ModuleStore {
  private seq = 0
  constructor (readonly dir: string) {}

  /** Store module bytes; returns their SHA-256 hex (idempotent). */
  async put (bytes: Uint8Array, hash = sha256hex(bytes)): Promise<string> {
    const path = join(this.dir, `${hash}.wasm`)
    if (await exists(path)) return hash
    await mkdir(this.dir, { recursive: true })
    const tmp = `${path}.${process.pid}.${this.seq++}.tmp`
    await writeFile(tmp, bytes)
    await rename(tmp, path)
    return hash
  }

  async get (hash: string): Promise<Uint8Array | undefined> {
    if (!HEX64.test(hash)) return undefined
    try { return new Uint8Array(await readFile(join(this.dir, `${hash}.wasm`))) } catch { return undefined }
  }
}

async function exists (path: string): Promise<boolean> {
  try { await stat(path); return true } catch { return false }
}

/**
 * A cache key: the multihash in base64, made natively, so one flat string
 * (cid.toString() builds its base32 text by concatenation, and the cache
 * kept each key as a tree of some 50 string pieces: 1.6 KiB per hibernated
 * instance's root).
 */
const keyOf = (cid: CID): string => Buffer.from(cid.multihash.bytes).toString('base64')

/** Recently written or read snapshot blocks kept in memory, at most this many bytes. */
export const SNAPSHOT_CACHE_BYTES = 512 * 1024 * 1024

/**
 * Helia's blockstore (interface-blockstore 7: get yields chunks) as a
 * snapshot Blockstore, with a bounded in-memory cache of the blocks of
 * recent snapshots: a migration writes, pushes, receives and decodes the
 * same blocks within moments, and reading them back from one file per
 * block dominated its downtime. Only blocks whose hash was checked enter
 * the cache (put by the encoder, which hashed them, or by the push
 * receiver, which verified them), so readers may skip re-hashing them.
 */
export function snapshotBlockstore (helia: { blockstore: any }, cacheBytes = SNAPSHOT_CACHE_BYTES): Blockstore {
  const bs = helia.blockstore
  const cache = new Map<string, Uint8Array>()
  let cached = 0
  const remember = (cid: CID, bytes: Uint8Array): void => {
    // a view into a larger buffer (Node's 8 KiB Buffer pool, an encoder's output) would keep all of it: a copy of its own
    if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) bytes = new Uint8Array(bytes)
    const k = keyOf(cid)
    if (cache.has(k)) { cache.delete(k); cache.set(k, bytes); return }
    cache.set(k, bytes)
    cached += bytes.byteLength
    while (cached > cacheBytes) {
      const [oldest, b] = cache.entries().next().value as [string, Uint8Array]
      cache.delete(oldest)
      cached -= b.byteLength
    }
  }
  return {
    has: async (cid: CID) => cache.has(keyOf(cid)) || await bs.has(cid),
    put: async (cid: CID, bytes: Uint8Array) => { await bs.put(cid, bytes); remember(cid, bytes) },
    peekVerified: (cid: CID) => cache.get(keyOf(cid)),
    get: async (cid: CID, opts?: { signal?: AbortSignal }) => {
      const hit = cache.get(keyOf(cid))
      if (hit != null) return hit
      const r = bs.get(cid, opts)
      if (r instanceof Uint8Array) return r
      const v = await r
      if (v instanceof Uint8Array) return v
      const parts: Uint8Array[] = []
      let n = 0
      for await (const c of (v ?? r) as AsyncIterable<Uint8Array>) { parts.push(c); n += c.byteLength }
      return concat(parts, n)
    }
  }
}
