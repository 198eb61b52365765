/**
 * Local stores: known modules by SHA-256 (Gate's module identity, one file
 * per module under `<data-dir>/modules`) and a view of Helia's blockstore
 * in the shape the snapshot format uses, so snapshots are IPFS content.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CID } from 'multiformats/cid'
import { sha256hex } from '../compiler/compile.js'
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

/** Helia's blockstore (interface-blockstore 7: get yields chunks) as a snapshot Blockstore. */
export function snapshotBlockstore (helia: { blockstore: any }): Blockstore {
  const bs = helia.blockstore
  return {
    has: async (cid: CID) => await bs.has(cid),
    put: async (cid: CID, bytes: Uint8Array) => { await bs.put(cid, bytes) },
    get: async (cid: CID, opts?: { signal?: AbortSignal }) => {
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
