/**
 * On-disk cache of compiled (instrumented) modules, keyed by the original
 * module's SHA-256 and the compiler identity. Instrumenting with Binaryen
 * takes 0.1-15 s; a cache hit is one file read.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { compileModule, compilerId, sha256hex, type CompiledModule, type CompileOptions } from './compile.js'

export class CompileCache {
  readonly dir: string
  /** In-process layer, so repeated launches skip even the file read. */
  private readonly memo = new Map<string, CompiledModule>()

  constructor (dir: string) {
    this.dir = dir
  }

  private key (moduleHash: string, opts: CompileOptions): string {
    return sha256hex(new TextEncoder().encode(`${moduleHash}\n${compilerId(opts)}\n${opts.entry ?? '_start'}`)).slice(0, 32)
  }

  /** Compile through the cache. */
  async compile (bytes: Uint8Array, opts: CompileOptions = {}): Promise<CompiledModule & { cached: boolean }> {
    const key = this.key(sha256hex(bytes), opts)
    const hit = this.memo.get(key)
    if (hit != null) return { ...hit, cached: true }
    try {
      const meta = JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8'))
      const code = new Uint8Array(await readFile(join(this.dir, `${key}.wasm`)))
      if (sha256hex(code) === meta.compiledHash) {
        const cm: CompiledModule = { ...meta, bytes: code }
        this.memo.set(key, cm)
        return { ...cm, cached: true }
      }
    } catch {}
    const cm = compileModule(bytes, opts)
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
