/**
 * On-disk cache of compiled (instrumented) modules, keyed by the original
 * module's SHA-256 and the compiler identity. Instrumenting
 * takes up to a few hundred ms; a cache hit is one file read. Concurrent requests for the
 * same module share one compile. A caller's AbortSignal ends its own wait,
 * not the compile, which others may be waiting for and which fills the
 * cache for the next request either way.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { compilerId, type CompiledModule, type CompileOptions } from './compile-id.js'
import { sha256hex } from './hash.js'

/** What does the compiling on a miss: compileModule in a worker (WorkerCompiler) or inline. */
export type CompileFn = (bytes: Uint8Array, opts: CompileOptions) => Promise<CompiledModule>

export interface CompileCacheInit {
  compile: CompileFn
}

export class CompileCache {
  readonly dir: string
  /** In-process layer, so repeated launches skip even the file read. */
  private readonly memo = new Map<string, CompiledModule>()
  private readonly inflight = new Map<string, Promise<CompiledModule & { cached: boolean }>>()
  private readonly compileFn: CompileFn

  constructor (dir: string, init: CompileCacheInit) {
    this.dir = dir
    this.compileFn = init.compile
  }

  private key (moduleHash: string, opts: CompileOptions): string {
    return sha256hex(new TextEncoder().encode(`${moduleHash}\n${compilerId(opts)}\n${opts.entry ?? '_start'}`)).slice(0, 32)
  }

  /** Compile through the cache. */
  async compile (bytes: Uint8Array, opts: CompileOptions = {}, call: { signal?: AbortSignal } = {}): Promise<CompiledModule & { cached: boolean }> {
    const key = this.key(sha256hex(bytes), opts)
    const hit = this.memo.get(key)
    if (hit != null) return { ...hit, cached: true }
    const signal = call.signal
    signal?.throwIfAborted()
    let result = this.inflight.get(key)
    if (result == null) {
      const p = this.miss(key, bytes, opts)
      this.inflight.set(key, p)
      p.finally(() => { this.inflight.delete(key) }).catch(() => {})
      result = p
    }
    if (signal == null) return await result
    const shared = result
    return await new Promise((resolve, reject) => {
      const onAbort = (): void => { reject(signal.reason) }
      signal.addEventListener('abort', onAbort, { once: true })
      shared.then(resolve, reject).finally(() => { signal.removeEventListener('abort', onAbort) })
    })
  }

  private async miss (key: string, bytes: Uint8Array, opts: CompileOptions): Promise<CompiledModule & { cached: boolean }> {
    try {
      const meta = JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8'))
      const code = new Uint8Array(await readFile(join(this.dir, `${key}.wasm`)))
      if (sha256hex(code) === meta.compiledHash) {
        const cm: CompiledModule = { ...meta, bytes: code }
        this.memo.set(key, cm)
        return { ...cm, cached: true }
      }
    } catch {}
    const cm = await this.compileFn(bytes, opts)
    await mkdir(this.dir, { recursive: true })
    const { bytes: code, ...meta } = cm
    const tmp = `.${process.pid}.${Date.now()}`
    await writeFile(join(this.dir, `${key}.wasm${tmp}`), code)
    await rename(join(this.dir, `${key}.wasm${tmp}`), join(this.dir, `${key}.wasm`))
    await writeFile(join(this.dir, `${key}.json${tmp}`), JSON.stringify(meta))
    await rename(join(this.dir, `${key}.json${tmp}`), join(this.dir, `${key}.json`))
    this.memo.set(key, cm)
    return { ...cm, cached: false }
  }
}
