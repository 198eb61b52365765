// Minimal stand-in for the validator (being written in full); same API.
import { ABI_FUNCTIONS, canonicalImport } from './abi.js'

export interface ValidateLimits { maxModuleBytes?: number, maxMemoryPages?: number, maxFunctions?: number, maxTableSize?: number, checkImports?: boolean }
export interface ModuleInfo {
  imports: Array<{ module: string, name: string, kind: 'function' | 'table' | 'memory' | 'global' | 'tag', canonical?: string }>
  exports: Array<{ name: string, kind: 'function' | 'table' | 'memory' | 'global' | 'tag' }>
  memory?: { initial: number, maximum?: number, shared: boolean, memory64: boolean, imported: boolean }
  hasStart: boolean
  functionCount: number
  importedFunctionCount: number
  entry?: string
}

export function validateModule (bytes: Uint8Array, limits: ValidateLimits = {}): ModuleInfo {
  if (bytes.byteLength > (limits.maxModuleBytes ?? 64 << 20)) throw new Error('module too large')
  const mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)
  const imports = WebAssembly.Module.imports(mod).map(i => ({ module: i.module, name: i.name, kind: i.kind as any, canonical: i.kind === 'function' ? canonicalImport(i.module, i.name) : undefined }))
  for (const i of imports) if (limits.checkImports !== false && (i.canonical == null || ABI_FUNCTIONS[i.canonical] == null)) throw new Error(`unknown import ${i.module}.${i.name}`)
  const exports = WebAssembly.Module.exports(mod).map(e => ({ name: e.name, kind: e.kind as any }))
  // memory section (id 5), first entry
  let memory: ModuleInfo['memory']
  let p = 8
  const leb = (): number => { let r = 0; let s = 0; let x; do { x = bytes[p++]; r += (x & 0x7f) * 2 ** s; s += 7 } while (x & 0x80); return r }
  while (p < bytes.length) {
    const id = bytes[p++]; const size = leb(); const end = p + size
    if (id === 5 && leb() > 0) { const f = bytes[p++]; const initial = leb(); const maximum = (f & 1) ? leb() : undefined; memory = { initial, maximum, shared: (f & 2) !== 0, memory64: (f & 4) !== 0, imported: false } }
    p = end
  }
  if (memory != null && memory.initial > (limits.maxMemoryPages ?? 16384)) throw new Error('memory too large')
  return { imports, exports, memory, hasStart: false, functionCount: 0, importedFunctionCount: 0, entry: exports.some(e => e.name === '_start') ? '_start' : undefined }
}
