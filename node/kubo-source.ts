/**
 * Modules through a Kubo daemon's RPC API (`--ipfs-api http://127.0.0.1:5001`):
 * `POST /api/v0/add` and `POST /api/v0/cat?arg=<cid>&length=<max+1>` as Gate's
 * IPFS source does (gate-reference §7). Kubo verifies blocks; we check the size.
 */
import { CID } from 'multiformats/cid'
import { concat, ModuleFetchError, ModuleTooLargeError, type FetchOptions, type ModuleSource } from './modules.js'

export class KuboModuleSource implements ModuleSource {
  readonly name = 'kubo'
  private readonly base: string

  constructor (api: string) {
    this.base = api.replace(/\/+$/, '')
  }

  async add (bytes: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<CID> {
    const form = new FormData()
    form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'module.wasm')
    const res = await this.call('add?cid-version=1&raw-leaves=true&pin=true', { body: form, signal: opts.signal })
    const body = await res.json() as { Hash?: string }
    if (body.Hash == null) throw new ModuleFetchError('kubo add: no Hash in the reply')
    return CID.parse(body.Hash)
  }

  async get (cid: CID, opts: FetchOptions): Promise<Uint8Array> {
    const res = await this.call(`cat?arg=${encodeURIComponent('/ipfs/' + cid.toString())}&length=${opts.maxBytes + 1}`, { signal: opts.signal })
    const header = res.headers.get('x-content-length')
    const total = header != null ? Number(header) : undefined
    if (total != null && total > opts.maxBytes) throw new ModuleTooLargeError(total, opts.maxBytes)
    const parts: Uint8Array[] = []
    let received = 0
    if (res.body == null) throw new ModuleFetchError('kubo cat: empty reply')
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.byteLength
      if (received > opts.maxBytes) throw new ModuleTooLargeError(received, opts.maxBytes)
      parts.push(chunk)
      opts.onProgress?.({ received, total })
    }
    return concat(parts, received)
  }

  private async call (path: string, init: { body?: FormData, signal?: AbortSignal }): Promise<Response> {
    let res: Response
    try {
      res = await fetch(`${this.base}/api/v0/${path}`, { method: 'POST', body: init.body, signal: init.signal })
    } catch (err) {
      throw new ModuleFetchError(`kubo RPC at ${this.base} unreachable: ${(err as Error).message}`)
    }
    if (!res.ok) throw new ModuleFetchError(`kubo RPC ${path.split('?')[0]}: HTTP ${res.status} ${(await res.text()).trim()}`)
    return res
  }
}
