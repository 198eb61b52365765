// The validator and the compile pipeline: clear named errors for bad modules.
import t from 'tap'
import { validateModule } from '../../compiler/validate.js'
import { compileModule } from '../../compiler/compile.js'
import { program } from '../helpers.js'

const leb = (v: number): number[] => { const o: number[] = []; do { let b = v & 0x7f; v = Math.floor(v / 128); if (v !== 0) b |= 0x80; o.push(b) } while (v !== 0); return o }
const str = (s: string): number[] => { const b = [...Buffer.from(s)]; return [...leb(b.length), ...b] }
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body]
const mod = (...sections: number[][]): Uint8Array => new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...sections.flat()])
// (func (export "_start"))
const startFn = [section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(7, [1, ...str('_start'), 0, 0]), section(10, [1, 2, 0, 0x0b])]

t.test('real programs validate and compile', async t => {
  for (const name of ['hello', 'cat', 'counter', 'cpu']) {
    const info = validateModule(program(name))
    t.equal(info.entry, '_start', `${name} has _start`)
    t.ok(info.imports.every(i => i.canonical?.startsWith('wasi.')), `${name} imports only WASI`)
  }
  const cm = compileModule(program('hello'))
  t.ok(cm.stats.loopChecks > 0)
  t.ok(WebAssembly.validate(cm.bytes as Uint8Array<ArrayBuffer>), 'instrumented output is valid wasm')
})

t.test('malformed input', async t => {
  t.throws(() => validateModule(new Uint8Array([1, 2, 3])), { name: 'MalformedModuleError', message: /magic/ })
  t.throws(() => validateModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), { name: 'MalformedModuleError', message: /version/ })
  t.throws(() => validateModule(mod([1, 0xff, 0xff, 0xff, 0x0f, 0])), { name: 'MalformedModuleError', message: /type section of \d+ bytes runs past/ })
  t.throws(() => validateModule(mod([10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), { name: 'MalformedModuleError' })
  // a huge declared section in a tiny module fails before anything is allocated
  t.throws(() => validateModule(mod([0, 0xff, 0xff, 0xff, 0xff, 0x0f])), { name: 'MalformedModuleError' })
})

t.test('limits and unsupported features', async t => {
  t.throws(() => validateModule(new Uint8Array(70 << 20)), { name: 'LimitError', message: /over the limit/ })
  // (memory 65536) = 4 GiB initial
  t.throws(() => validateModule(mod(section(5, [1, 0, ...leb(65536)]))), { name: 'LimitError', message: /65536 pages/ })
  t.throws(() => validateModule(mod(section(5, [1, 3, 1, 2]))), { name: 'LimitError', message: /shared/ })
  t.throws(() => validateModule(mod(section(5, [2, 0, 1, 0, 1]))), { name: 'LimitError', message: /more than one memory/ })
  t.throws(() => validateModule(mod(section(3, leb(200000)))), { name: 'LimitError', message: /functions/ })
})

t.test('imports are checked against the host ABI', async t => {
  const imp = (m: string, n: string, type: number[]): Uint8Array => mod(section(1, [1, 0x60, ...type]), section(2, [1, ...str(m), ...str(n), 0, 0]))
  t.throws(() => validateModule(imp('env', 'system', [0, 0])), { name: 'ImportError', message: /unknown import env\.system/ })
  t.throws(() => validateModule(imp('wasi_snapshot_preview1', 'fd_write', [1, 0x7f, 1, 0x7f])), { name: 'ImportError', message: /expected \(i32, i32, i32, i32\) -> \(i32\)/ })
  t.throws(() => validateModule(imp('gate', 'io_100', [0, 0])), { name: 'ImportError' }, 'gate io suffix below 65536')
  t.doesNotThrow(() => validateModule(imp('wasi_unstable', 'proc_exit', [1, 0x7f, 0])))
  t.doesNotThrow(() => validateModule(imp('env', '__wasi_proc_exit', [1, 0x7f, 0])))
  t.doesNotThrow(() => validateModule(imp('gate', 'fd_65536', [0, 1, 0x7f])))
  const memImport = mod(section(2, [1, ...str('env'), ...str('memory'), 2, 0, 1]))
  t.throws(() => validateModule(memImport), { name: 'ImportError', message: /memory/ })
})

t.test('invalid code is refused by our validator', async t => {
  // function body pushes an i32 but the type returns nothing
  const bad = mod(section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [1, 4, 0, 0x41, 1, 0x0b]))
  t.throws(() => compileModule(bad), { name: 'InvalidModuleError', message: /function 0: 1 values left on the stack/ })
})

t.test('entry function', async t => {
  t.doesNotThrow(() => compileModule(mod(...startFn)))
  t.throws(() => compileModule(mod(...startFn), { entry: 'main' }), { name: 'EntryError', message: /no exported function "main"/ })
  t.throws(() => compileModule(mod(...startFn), { entry: 'bad name!' }), { name: 'EntryError' })
})
