/**
 * Modules through the embedded Helia: UnixFS files (what `ipfs add` makes),
 * fetched from peers with bitswap and kept in the node's blockstore.
 */
import { unixfs, type UnixFS } from '@helia/unixfs'
import type { CID } from 'multiformats/cid'
import { concat, ModuleFetchError, ModuleTooLargeError, type FetchOptions, type ModuleSource } from './modules.js'

export class HeliaModuleSource implements ModuleSource {
  readonly name = 'helia'
  private readonly fs: UnixFS

  constructor (private readonly helia: any) {
    this.fs = unixfs(helia)
  }

  async add (bytes: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<CID> {
    const cid = await this.fs.addBytes(bytes, { signal: opts.signal })
    // announce it; a failure (no peers yet) does not undo the add
    void this.helia.routing.provide(cid, { signal: AbortSignal.timeout(30_000) }).catch(() => {})
    return cid
  }

  async get (cid: CID, opts: FetchOptions): Promise<Uint8Array> {
    let total: number | undefined
    try {
      const st = await this.fs.stat(cid, { signal: opts.signal })
      total = Number((st as any).size ?? (st as any).fileSize)
    } catch (err) {
      throw new ModuleFetchError(`cannot fetch ${cid.toString()}: ${(err as Error).message}`)
    }
    if (total != null && total > opts.maxBytes) throw new ModuleTooLargeError(total, opts.maxBytes)
    const parts: Uint8Array[] = []
    let received = 0
    opts.onProgress?.({ received, total })
    try {
      for await (const chunk of this.fs.cat(cid, { signal: opts.signal })) {
        received += chunk.byteLength
        if (received > opts.maxBytes) throw new ModuleTooLargeError(received, opts.maxBytes)
        parts.push(chunk)
        opts.onProgress?.({ received, total })
      }
    } catch (err) {
      if (err instanceof ModuleTooLargeError) throw err
      throw new ModuleFetchError(`cannot fetch ${cid.toString()}: ${(err as Error).message}`)
    }
    return concat(parts, received)
  }
}
