/**
 * Where snapshot blocks live: in memory, or one file per block named by CID
 * (writes are atomic: temp file + rename). Helia's blockstore fits the same
 * three calls, so a node can keep snapshots in its IPFS store.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CID } from 'multiformats/cid'

export interface Blockstore {
  has: (cid: CID) => Promise<boolean>
  get: (cid: CID, opts?: { signal?: AbortSignal }) => Promise<Uint8Array>
  put: (cid: CID, bytes: Uint8Array) => Promise<void>
  /**
   * Optional: the block if the store holds it in memory with its hash
   * already checked (put by an encoder or a verifying receiver), so readers
   * may skip hashing it again. Undefined otherwise.
   */
  peekVerified?: (cid: CID) => Uint8Array | undefined
  /** Optional: resolves once every put so far is durable (a store that writes behind). */
  flush?: () => Promise<void>
}

export class MemoryBlockstore implements Blockstore {
  readonly blocks = new Map<string, Uint8Array>()
  async has (cid: CID): Promise<boolean> { return this.blocks.has(cid.toString()) }
  async get (cid: CID): Promise<Uint8Array> {
    const b = this.blocks.get(cid.toString())
    if (b == null) throw new Error(`block ${cid.toString()} not found`)
    return b
  }

  async put (cid: CID, bytes: Uint8Array): Promise<void> { this.blocks.set(cid.toString(), bytes) }
}

export class FsBlockstore implements Blockstore {
  private seq = 0
  constructor (readonly dir: string) {}
  private path (cid: CID): string { return join(this.dir, cid.toString()) }
  async has (cid: CID): Promise<boolean> { try { await stat(this.path(cid)); return true } catch { return false } }
  async get (cid: CID): Promise<Uint8Array> { return new Uint8Array(await readFile(this.path(cid))) }
  async put (cid: CID, bytes: Uint8Array): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    const tmp = `${this.path(cid)}.${process.pid}.${this.seq++}.tmp`
    await writeFile(tmp, bytes)
    await rename(tmp, this.path(cid))
  }
}
