// Fuzzing the compile path (instrument and compileModule): random bytes and
// mutations of small valid modules and of the test programs must either
// compile or throw a CompileError subclass, never anything else. What V8
// accepts, our output must keep valid; what V8 refuses but we instrument is
// a finding (our validator should have caught it), counted and reported.
// Replay: FUZZ_SEED=<seed> (FUZZ_CASES, FUZZ_MS to change the amount).
import t from 'tap'
import { instrument } from '../../compiler/instrument/index.js'
import { compileModule } from '../../compiler/compile.js'
import { CompileError, LimitError } from '../../compiler/errors.js'
import { program } from '../helpers.js'
import { smallModules } from './gen/small-modules.js'
import { uleb } from './gen/wasm-builder.js'

const SEED = Number(process.env.FUZZ_SEED ?? (Date.now() % 2 ** 31)) >>> 0
let s = SEED || 1
const rnd = (n: number): number => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) % n }
const OPTS = { interruptImport: ['gate_rt', 'interrupt'] as [string, string], framePages: 16, snapshotSafe: true }
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

function readLeb (b: Uint8Array, p: number): [number, number] {
  let v = 0; let sh = 0; let i = p
  while (i < b.length) { const x = b[i++]; v += (x & 0x7f) * 2 ** sh; sh += 7; if ((x & 0x80) === 0 || sh > 35) break }
  return [v, i - p]
}

/** Offsets of the section headers (id byte) of a module. */
function sectionStarts (b: Uint8Array): number[] {
  const out: number[] = []
  let p = 8
  while (p < b.length) { out.push(p); const [len, n] = readLeb(b, p + 1); p += 1 + n + len }
  return out
}

function splice (b: Uint8Array, at: number, del: number, ins: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(b.length - del + ins.length)
  out.set(b.subarray(0, at)); out.set(ins, at); out.set(b.subarray(at + del), at + ins.length)
  return out
}

function randBytes (n: number): Uint8Array { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = rnd(256); return b }
const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x40, 0x0b, 0x0c, 0x0e, 0x02, 0x03, 0x04, 0x05, 0x10, 0x11, 0x20, 0x41, 0xfd, 0xfc, 0x7b, 0x70, 0x6f]
const LEBS = [[0xff, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x80, 0x00], [0xff, 0xff, 0xff, 0xff, 0x7f], [0], [0x80, 0], [0xc0, 0x84, 0x3d]]

function mutate (base: Uint8Array): Uint8Array {
  let b = base
  const rounds = 1 + (rnd(4) === 0 ? rnd(4) : 0)
  for (let r = 0; r < rounds; r++) {
    const p = 8 + rnd(Math.max(1, b.length - 8))
    switch (rnd(9)) {
      case 0: { b = b.slice(); for (let i = 0, k = 1 + rnd(4); i < k; i++) { const q = 8 + rnd(b.length - 8); b[q] ^= 1 << rnd(8) } break }
      case 1: b = b.subarray(0, p); break
      case 2: { b = b.slice(); const v = rnd(2) === 0 ? INTERESTING[rnd(INTERESTING.length)] : rnd(256); for (let i = 0, k = 1 + rnd(8); i < k && p + i < b.length; i++) b[p + i] = v; break }
      case 3: { // section length corruption
        const ss = sectionStarts(b); if (ss.length === 0) break
        const q = ss[rnd(ss.length)] + 1; const [len, n] = readLeb(b, q)
        const nl = [len + 1, len - 1, 0, len * 2, 2 ** 32 - 1, len + 1 + rnd(16)][rnd(6)]
        b = splice(b, q, n, rnd(3) === 0 ? LEBS[rnd(LEBS.length)] : uleb(Math.max(0, nl))); break
      }
      case 4: { // LEB corruption at a random place: a count or an index
        const [, n] = readLeb(b, p); b = splice(b, p, rnd(2) === 0 ? n : 0, LEBS[rnd(LEBS.length)]); break
      }
      case 5: b = splice(b, p, 0, rnd(2) === 0 ? randBytes(1 + rnd(4)) : [INTERESTING[rnd(INTERESTING.length)]]); break
      case 6: b = splice(b, p, Math.min(1 + rnd(4), b.length - p), []); break
      case 7: { b = b.slice(); b[p] = INTERESTING[rnd(INTERESTING.length)]; break }
      default: { // copy a run of bytes from elsewhere in the module (plausible code)
        const q = 8 + rnd(Math.max(1, b.length - 8)); const n = 1 + rnd(12)
        b = splice(b, p, rnd(2) === 0 ? 0 : Math.min(n, b.length - p), b.slice(q, q + n)); break
      }
    }
  }
  return b
}

interface Tally { cases: number, ok: number, rejected: number, compiled: number, compileRejected: number, findings: Array<{ hex: string, v8: string }>, names: Record<string, number> }

function unexpected (what: string, b: Uint8Array, err: any): Error {
  return new Error(`${what} threw ${err?.name}: ${err?.message} (not a CompileError; FUZZ_SEED=${SEED}; module ${b.length <= 512 ? hex(b) : `${b.length} bytes`})\n${err?.stack}`)
}

function runCase (b: Uint8Array, T: Tally, withCompile: boolean, failures: string[]): void {
  T.cases++
  let out: Uint8Array | undefined
  try { out = instrument(b, OPTS).bytes; T.ok++ } catch (err: any) {
    if (!(err instanceof CompileError)) { failures.push(unexpected('instrument', b, err).message); return }
    T.rejected++; T.names[err.name] = (T.names[err.name] ?? 0) + 1
  }
  if (out !== undefined) {
    if (!WebAssembly.validate(b as Uint8Array<ArrayBuffer>)) {
      let why = ''
      try { new WebAssembly.Module(b as Uint8Array<ArrayBuffer>) } catch (e: any) { why = String(e?.message) } // eslint-disable-line no-new
      let cm = 'compileModule rejects it'
      try { compileModule(b); cm = 'compileModule ACCEPTS it' } catch (e: any) { cm = `compileModule: ${e?.name}` }
      if (T.findings.length < 1000) T.findings.push({ hex: b.length <= 4096 ? hex(b) : `${b.length} bytes`, v8: `${why} [${cm}]` })
    } else if (!WebAssembly.validate(out as Uint8Array<ArrayBuffer>)) {
      let why = ''
      try { new WebAssembly.Module(out as Uint8Array<ArrayBuffer>) } catch (e: any) { why = String(e?.message) } // eslint-disable-line no-new
      failures.push(`instrumented output of a V8-valid module is invalid: ${why} (FUZZ_SEED=${SEED}; module ${b.length <= 4096 ? hex(b) : `${b.length} bytes`})`)
    }
  }
  if (withCompile) {
    try { compileModule(b); T.compiled++ } catch (err: any) {
      if (!(err instanceof CompileError)) failures.push(unexpected('compileModule', b, err).message)
      else T.compileRejected++
    }
  }
}

t.test(`fuzz instrument and compileModule (FUZZ_SEED=${SEED})`, async t => {
  const small = smallModules()
  for (const m of small) {
    t.ok(WebAssembly.validate(m.bytes as Uint8Array<ArrayBuffer>), `base ${m.name} is valid for V8`)
    const r = instrument(m.bytes, OPTS)
    t.ok(WebAssembly.validate(r.bytes as Uint8Array<ArrayBuffer>), `base ${m.name} instruments to a valid module`)
    t.doesNotThrow(() => compileModule(m.bytes), `base ${m.name} compiles`)
  }
  const progs = ['hello', 'cat', 'cpu', 'rec', 'counter', 'deep', 'mem', 'spin', 'touch', 'rand'].map(n => { try { return program(n) } catch { return undefined } }).filter((x): x is Uint8Array => x !== undefined)
  const CASES = Number(process.env.FUZZ_CASES ?? 110_000)
  const MS = Number(process.env.FUZZ_MS ?? 55_000)
  const T: Tally = { cases: 0, ok: 0, rejected: 0, compiled: 0, compileRejected: 0, findings: [], names: {} }
  const failures: string[] = []
  const t0 = performance.now()
  const magic = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]
  let big = 0
  while (T.cases < CASES && performance.now() - t0 < MS && failures.length < 5) {
    const k = rnd(100)
    let b: Uint8Array
    if (k < 8) {
      b = randBytes(rnd(120))
      if (rnd(3) !== 0) b.set(magic.slice(0, Math.min(8, b.length)))
    } else if (k < 98) {
      b = mutate(small[rnd(small.length)].bytes)
    } else {
      b = mutate(progs[rnd(progs.length)]); big++
    }
    runCase(b, T, rnd(20) === 0, failures)
  }
  const ms = performance.now() - t0
  t.comment(`${T.cases} cases (${big} from testprogs) in ${(ms / 1000).toFixed(1)} s = ${Math.round(T.cases / ms * 1000)} cases/s: ${T.ok} instrumented, ${T.rejected} rejected ${JSON.stringify(T.names)}; compileModule ${T.compiled} ok, ${T.compileRejected} rejected`)
  t.comment(`findings (instrumented but V8 rejects): ${T.findings.length}`)
  const byMsg = new Map<string, { n: number, hex: string }>()
  for (const f of T.findings) {
    const key = f.v8.replace(/@\+\d+/g, '@+N').replace(/\d+/g, 'N')
    const e = byMsg.get(key); if (e != null) { e.n++; if (f.hex.length < e.hex.length) e.hex = f.hex } else byMsg.set(key, { n: 1, hex: f.hex })
  }
  for (const [msg, { n, hex }] of byMsg) t.comment(`  ${n}x ${msg}\n    smallest: ${hex}`)
  t.same(failures, [], 'every case compiled or threw a CompileError; every V8-valid module instrumented to a V8-valid module')
  t.ok(T.cases >= Math.min(CASES, 100_000) || ms >= MS, `ran ${T.cases} cases`)
  t.ok(T.rejected > 0 && T.ok > 0, 'some cases pass and some fail')
})

/** A function body from raw code (no locals), in a module with one function of type () -> (). */
function oneFunc (code: Uint8Array | number[], localDecls: number[] = [0], params: number[] = []): Uint8Array {
  const body = new Uint8Array(localDecls.length + code.length + 1)
  body.set(localDecls); body.set(code, localDecls.length); body[body.length - 1] = 0x0b
  const type = [1, 0x60, ...uleb(params.length), ...params, 0]
  const head = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, ...uleb(type.length), ...type, 3, 2, 1, 0, 7, 10, 1, 6, 95, 115, 116, 97, 114, 116, 0, 0]
  const codeSec = [...uleb(1), ...uleb(body.length)]
  const secLen = codeSec.length + body.length
  const out = new Uint8Array(head.length + 1 + uleb(secLen).length + secLen)
  let p = 0
  out.set(head, p); p += head.length
  out[p++] = 10; out.set(uleb(secLen), p); p += uleb(secLen).length
  out.set(codeSec, p); p += codeSec.length
  out.set(body, p)
  return out
}

t.test('hostile inputs end in a CompileError quickly', async t => {
  const cases: Array<{ name: string, bytes: Uint8Array, want?: Function, ms: number }> = []
  {
    const n = 100_000; const c = new Uint8Array(n * 3); for (let i = 0; i < n; i++) { c[2 * i] = 0x02; c[2 * i + 1] = 0x40 } c.fill(0x0b, 2 * n, 3 * n)
    // nesting that V8 accepts as a structure: also try the unbalanced form
    cases.push({ name: '100k nested blocks', bytes: oneFunc(c), ms: 3000 })
    cases.push({ name: '100k nested blocks, unclosed', bytes: oneFunc(c.subarray(0, 2 * n)), ms: 3000 })
    const l = new Uint8Array(n * 2); for (let i = 0; i < n; i++) { l[2 * i] = 0x03; l[2 * i + 1] = 0x40 }
    cases.push({ name: '100k nested loops, unclosed', bytes: oneFunc(l), ms: 3000 })
  }
  cases.push({ name: '1,000,000 locals', bytes: oneFunc([], [1, ...uleb(1_000_000), 0x7f]), want: LimitError, ms: 1000 })
  cases.push({ name: '2^32-1 locals in two runs', bytes: oneFunc([], [2, ...uleb(2 ** 31), 0x7f, ...uleb(2 ** 31 - 1), 0x7e]), want: LimitError, ms: 1000 })
  {
    const n = 1_000_000; const c = [0x02, 0x40, 0x41, 0, 0x0e, ...uleb(n)]; const tail = [0, 0x0b]
    const code = new Uint8Array(c.length + n + tail.length); code.set(c); code.set(tail, c.length + n)
    cases.push({ name: 'br_table with 1,000,000 entries', bytes: oneFunc(code), ms: 3000 })
    const big = [0x41, 0, 0x0e, ...uleb(2 ** 32 - 1), 0, 0]
    cases.push({ name: 'br_table with a count of 2^32-1', bytes: oneFunc(big), ms: 1000 })
  }
  {
    const code = new Uint8Array(10 * 1024 * 1024).fill(0x01)
    cases.push({ name: '10 MB function body of nops', bytes: oneFunc(code), ms: 5000 })
  }
  const M = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]
  const huge = uleb(2 ** 32 - 1)
  for (const id of [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12]) {
    cases.push({ name: `section ${id}: count 2^32-1`, bytes: new Uint8Array([...M, id, huge.length, ...huge]), ms: 500 })
    cases.push({ name: `section ${id}: length 2^32-1`, bytes: new Uint8Array([...M, id, ...huge, 1, 0]), ms: 500 })
    cases.push({ name: `section ${id}: count 1,000,000 and a few bytes`, bytes: new Uint8Array([...M, id, 6, ...uleb(1_000_000), 0, 0, 0]), ms: 500 })
  }
  cases.push({ name: 'code section: 2^32-1 bodies', bytes: new Uint8Array([...M, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 7, ...huge, 2, 0, 0x0b]), ms: 500 })
  cases.push({ name: 'code section: a body length of 2^32-1', bytes: new Uint8Array([...M, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 7, 1, ...huge, 0]), ms: 500 })
  cases.push({ name: 'type with 2^32-1 params', bytes: new Uint8Array([...M, 1, 8, 1, 0x60, ...huge, 0]), ms: 500 })
  cases.push({ name: 'memory of 2^32-1 pages', bytes: new Uint8Array([...M, 5, 7, 1, 0, ...huge]), ms: 500 })
  cases.push({ name: 'table of 2^32-1 entries', bytes: new Uint8Array([...M, 4, 8, 1, 0x70, 0, ...huge]), ms: 500 })
  cases.push({ name: 'data count 2^32-1', bytes: new Uint8Array([...M, 12, 5, ...huge]), ms: 500 })
  for (const c of cases) {
    const t0 = performance.now()
    let err: any
    let out: Uint8Array | undefined
    try { out = instrument(c.bytes, OPTS).bytes } catch (e) { err = e }
    const ms = performance.now() - t0
    const v8 = WebAssembly.validate(c.bytes as Uint8Array<ArrayBuffer>)
    let cm: any
    try { compileModule(c.bytes) } catch (e) { cm = e }
    if (v8 && out !== undefined) {
      // valid for V8 too (deep nesting, a long body of nops): then it must compile, to valid output
      t.ok(WebAssembly.validate(out as Uint8Array<ArrayBuffer>), `${c.name}: V8 accepts it; instrumented, the output is valid`)
      t.ok(cm === undefined || cm instanceof CompileError, `${c.name}: compileModule: ${cm?.name ?? 'ok'}`)
    } else {
      // instrument() alone accepting what V8 refuses is a finding (compileModule's validateModule may still catch it)
      t.ok(err instanceof CompileError, `${c.name}: instrument: ${err?.name}: ${String(err?.message).slice(0, 120)}${v8 ? '' : ' (V8 rejects it)'}`,
        err === undefined && !v8 ? { todo: `finding: instrument() accepts it, V8 rejects it: ${c.bytes.length <= 64 ? hex(c.bytes) : `${c.bytes.length} bytes`}` } : {})
      if (c.want !== undefined) t.ok(err instanceof c.want, `${c.name}: a ${c.want.name}`)
      t.ok(cm instanceof CompileError, `${c.name}: compileModule: ${cm?.name}: ${String(cm?.message).slice(0, 120)}`)
    }
    t.ok(ms < c.ms, `${c.name}: in ${ms.toFixed(0)} ms (< ${c.ms})`)
  }
})
