/**
 * Checks before instrumentation: size, header, section bounds, counts,
 * memory limits, imports against the host ABI, so hostile modules fail fast
 * with a message naming the problem. The code itself is validated by the
 * instrumenter's own validator (wasm/code.ts), in the same pass that types
 * it.
 */
import { ABI_FUNCTIONS, canonicalImport, type ValType } from './abi.js'
import { ImportError, LimitError, MalformedModuleError } from './errors.js'
import { WasmReader } from './wasm-reader.js'

export interface ValidateLimits {
  /** Default 64 MiB. */
  maxModuleBytes?: number
  /** Default 16384 pages (1 GiB). */
  maxMemoryPages?: number
  /** Default 100000. */
  maxFunctions?: number
  /** Default 100000. */
  maxTableSize?: number
  /** Check imports against the host ABI. Default true. */
  checkImports?: boolean
}

type Kind = 'function' | 'table' | 'memory' | 'global' | 'tag'

export interface ModuleInfo {
  imports: Array<{ module: string, name: string, kind: Kind, canonical?: string }>
  exports: Array<{ name: string, kind: Kind }>
  memory?: { initial: number, maximum?: number, shared: boolean, memory64: boolean, imported: boolean }
  hasStart: boolean
  startFunction?: number
  functionCount: number
  importedFunctionCount: number
  entry?: string
}

const KINDS: Kind[] = ['function', 'table', 'memory', 'global', 'tag']
const VALTYPES: Record<number, ValType | 'v128' | 'ref'> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'ref', 0x6f: 'ref' }
const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag']

export function validateModule (bytes: Uint8Array, limits: ValidateLimits = {}): ModuleInfo {
  const maxBytes = limits.maxModuleBytes ?? 64 * 1024 * 1024
  if (bytes.byteLength > maxBytes) throw new LimitError(`module is ${bytes.byteLength} bytes, over the limit of ${maxBytes}`)
  if (bytes.byteLength < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new MalformedModuleError('not a WebAssembly module (bad magic number)')
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) throw new MalformedModuleError('unsupported WebAssembly binary version')

  const maxPages = limits.maxMemoryPages ?? 16384
  const maxFunctions = limits.maxFunctions ?? 100000
  const maxTable = limits.maxTableSize ?? 100000
  const info: ModuleInfo = { imports: [], exports: [], hasStart: false, functionCount: 0, importedFunctionCount: 0 }
  const types: Array<{ params: string[], results: string[] } | undefined> = []
  const funcImports: Array<{ module: string, name: string, type: number }> = []
  let memories = 0

  const r = new WasmReader(bytes, 8)
  while (!r.done) {
    const id = r.u8()
    const size = r.u32()
    if (size > r.end - r.p) r.fail(`${SECTION_NAMES[id] ?? `unknown (${id})`} section of ${size} bytes runs past the end of the module`)
    const s = new WasmReader(bytes, r.p, r.p + size)
    r.p += size
    const section = SECTION_NAMES[id] ?? `unknown (${id})`
    switch (id) {
      case 1: { // types
        const n = s.u32()
        if (n > 1_000_000) s.fail(`${n} types`)
        for (let i = 0; i < n; i++) {
          const form = s.u8()
          if (form !== 0x60) { types.push(undefined); break } // GC types: left to the engine
          const params: string[] = []; const results: string[] = []
          for (let k = s.u32(); k > 0; k--) params.push(VALTYPES[s.u8()] ?? 'other')
          for (let k = s.u32(); k > 0; k--) results.push(VALTYPES[s.u8()] ?? 'other')
          types.push({ params, results })
        }
        break
      }
      case 2: { // imports
        const n = s.u32()
        if (n > 100_000) throw new LimitError(`${n} imports`)
        for (let i = 0; i < n; i++) {
          const module = s.name(); const name = s.name()
          const k = s.u8()
          const kind = KINDS[k]
          if (kind === undefined) s.fail(`bad import kind ${k}`)
          if (kind === 'function') { funcImports.push({ module, name, type: s.u32() }); info.importedFunctionCount++ } else if (kind === 'table') { s.u8(); s.limits() } else if (kind === 'memory') { const l = s.limits(); memories++; info.memory = { initial: l.initial, maximum: l.maximum, shared: (l.flags & 2) !== 0, memory64: (l.flags & 4) !== 0, imported: true } } else if (kind === 'global') { s.u8(); s.u8() } else { s.u8(); s.u32() }
          info.imports.push({ module, name, kind, canonical: kind === 'function' ? canonicalImport(module, name) : undefined })
        }
        break
      }
      case 3: { // functions
        const n = s.u32()
        if (n > maxFunctions) throw new LimitError(`module defines ${n} functions, over the limit of ${maxFunctions}`)
        info.functionCount = n
        break
      }
      case 4: { // tables
        for (let n = s.u32(); n > 0; n--) {
          s.u8()
          const l = s.limits()
          if (l.initial > maxTable) throw new LimitError(`table of ${l.initial} entries, over the limit of ${maxTable}`)
        }
        break
      }
      case 5: { // memories
        const n = s.u32()
        memories += n
        if (n > 0) {
          const l = s.limits()
          info.memory = { initial: l.initial, maximum: l.maximum, shared: (l.flags & 2) !== 0, memory64: (l.flags & 4) !== 0, imported: false }
        }
        break
      }
      case 7: { // exports
        const n = s.u32()
        for (let i = 0; i < n; i++) {
          const name = s.name(); const k = s.u8(); s.u32()
          info.exports.push({ name, kind: KINDS[k] ?? s.fail(`bad export kind ${k}`) })
        }
        break
      }
      case 8:
        info.hasStart = true
        info.startFunction = s.u32()
        break
      default:
        if (id > 13) r.fail(`unknown section id ${id}`)
    }
    void section
  }

  if (memories > 1) throw new LimitError('modules with more than one memory are not supported')
  const m = info.memory
  if (m != null) {
    if (m.memory64) throw new LimitError('64-bit memories are not supported')
    if (m.shared) throw new LimitError('shared memory (threads) is not supported')
    if (m.initial > maxPages) throw new LimitError(`memory needs ${m.initial} pages (${m.initial / 16} MiB) initially, over the limit of ${maxPages} pages (${maxPages / 16} MiB)`)
  }

  if (limits.checkImports !== false) {
    for (const imp of info.imports) {
      if (imp.kind !== 'function') throw new ImportError(`import ${imp.module}.${imp.name}: importing a ${imp.kind} is not supported`)
      const key = imp.canonical
      if (key == null) throw new ImportError(`unknown import ${imp.module}.${imp.name}`)
    }
    for (const f of funcImports) {
      const key = canonicalImport(f.module, f.name) as string
      const want = ABI_FUNCTIONS[key]
      const got = types[f.type]
      const sig = (t: { params: string[], results: string[] }): string => `(${t.params.join(', ')}) -> (${t.results.join(', ')})`
      if (got === undefined) throw new ImportError(`import ${f.module}.${f.name} has an unknown type`)
      if (sig(got) !== sig(want)) throw new ImportError(`import ${f.module}.${f.name} has signature ${sig(got)}, expected ${sig(want)}`)
    }
  }

  info.entry = info.exports.some(e => e.name === '_start' && e.kind === 'function') ? '_start' : undefined
  return info
}
