/**
 * Where modules come from: the node's IPFS (embedded Helia, or a Kubo
 * daemon's RPC API). `add` publishes bytes and returns their CID; `get`
 * fetches by CID with a size bound and progress events. Fetched bytes are
 * verified by the IPFS layer (every block against its CID).
 */
import type { CID } from 'multiformats/cid'

export interface FetchProgress {
  /** Bytes received so far. */
  received: number
  /** File size when known (from the root block). */
  total?: number
}

export interface FetchOptions {
  signal?: AbortSignal
  /** Refuse files larger than this (default: the node's maxModuleBytes). */
  maxBytes: number
  onProgress?: (p: FetchProgress) => void
}

export interface ModuleSource {
  readonly name: string
  add: (bytes: Uint8Array, opts?: { signal?: AbortSignal }) => Promise<CID>
  get: (cid: CID, opts: FetchOptions) => Promise<Uint8Array>
}

/** The file behind a CID is larger than allowed. */
export class ModuleTooLargeError extends Error {
  static name = 'ModuleTooLargeError'
  constructor (readonly size: number, readonly limit: number) { super(`module is ${size} bytes, more than the limit of ${limit}`); this.name = 'ModuleTooLargeError' }
}

/** The module could not be fetched (no provider answered in time, daemon down...). */
export class ModuleFetchError extends Error {
  static name = 'ModuleFetchError'
  constructor (message: string) { super(message); this.name = 'ModuleFetchError' }
}

export function concat (parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.byteLength }
  return out
}
