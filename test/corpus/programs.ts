// The third-party corpus (corpus/build.sh, `make corpus`): real C programs
// from Debian source packages, each built for wasm32-wasi and natively, and
// invocations of them that use only args and stdin/stdout (today's host has
// no filesystem). For test/corpus/corpus.test.ts (native vs `gate run`), and
// for benchmarks and suspend/resume tests: `args` are small (a test run),
// `benchArgs` (where given) the same invocation sized for ~1-3 s natively.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers.js'

export const CORPUS_DIR = join(ROOT, 'build/corpus')
const wasm = (n: string): string => join(CORPUS_DIR, 'wasm', `${n}.wasm`)
const native = (n: string): string => join(CORPUS_DIR, 'native', n)
const data = (f: string): string => join(CORPUS_DIR, 'data', f)
const luaScript = (f: string): string => join(ROOT, 'corpus/lua/bench', `${f}.lua`)

export interface CorpusProgram {
  /** Unique name of the invocation, e.g. 'lua-fib'. */
  name: string
  /** The built program: build/corpus/wasm/<program>.wasm, build/corpus/native/<program>. */
  program: string
  wasm: string
  native: string
  /** argv[1..] (the same for both builds). */
  args: string[]
  /** A larger size of the same invocation, for benchmarks (~1-3 s natively). */
  benchArgs?: string[]
  /** stdin: a file to read, or bytes; none: empty stdin. */
  stdinFile?: string
  stdin?: Uint8Array
  /** Environment for the native run (the wasm run gets none). */
  env?: Record<string, string>
  /** Applied to both stdouts before comparing (timings, word sizes). */
  normalize?: (stdout: string) => string
  /** Output is binary: compare bytes (no normalize). */
  binary?: boolean
  /** Set when `gate run` is known not to match native today, with why. */
  hostIssue?: string
}

/** stdin bytes of an invocation. */
export function stdinOf (p: CorpusProgram): Uint8Array {
  if (p.stdin != null) return p.stdin
  if (p.stdinFile != null) return new Uint8Array(readFileSync(p.stdinFile))
  return new Uint8Array(0)
}

/** True when `make corpus` has built both builds of it (and its stdin file). */
export function isBuilt (p: CorpusProgram): boolean {
  return existsSync(p.wasm) && existsSync(p.native) && (p.stdinFile == null || existsSync(p.stdinFile))
}

// speedtest1 prints each step's time: drop them (the verification hash stays).
const untimed = (s: string): string => s.replace(/\s+\d+\.\d+s$/gm, ' #s')
// zlib's example prints zlibCompileFlags(), which encodes sizeof(uLong) etc.
const noCompileFlags = (s: string): string => s.replace(/compile flags = 0x[0-9a-f]+/, 'compile flags = #')
// The shell reads ~/.sqliterc natively; the wasm build has no home.
const noHome = { HOME: '/nonexistent' }

const lua = (script: string, args: string[], benchArgs: string[], variants = ['lua', 'lua-asyncify']): CorpusProgram[] =>
  variants.map(v => ({
    name: `${v}-${script}`, program: v, wasm: wasm(v), native: native('lua'),
    args: ['-', ...args], benchArgs: ['-', ...benchArgs], stdinFile: luaScript(script)
  }))


export const corpusPrograms: CorpusProgram[] = [
  // SQLite 3.40.1 (Debian sqlite3)
  { name: 'sqlite3-queries', program: 'sqlite3', wasm: wasm('sqlite3'), native: native('sqlite3'), args: ['-batch', ':memory:'], stdinFile: join(ROOT, 'corpus/sqlite/queries.sql'), env: noHome },
  { name: 'speedtest1', program: 'speedtest1', wasm: wasm('speedtest1'), native: native('speedtest1'), args: ['--size', '5', '--memdb', '--verify'], benchArgs: ['--size', '60', '--memdb', '--verify'], normalize: untimed },
  // Lua 5.4.4 (Debian lua5.4): lua.wasm without setjmp (errors end it), lua-asyncify.wasm with
  ...lua('fib', ['24'], ['37']),
  ...lua('strings', ['10'], ['600']),
  ...lua('sort', ['20000'], ['400000']),
  ...lua('numeric', ['120'], ['1100']),
  ...lua('coroutines', ['20000'], ['8000000'], ['lua-asyncify']), // yields and pcall'd errors: not lua.wasm
  { name: 'lua-e', program: 'lua', wasm: wasm('lua'), native: native('lua'), args: ['-e', 'local t = {} for i = 1, 100 do t[#t + 1] = i * i end print(#t, t[100], table.concat(t, ",", 1, 5), ("%5.1f"):format(2 ^ 0.5))'] },
  // zlib 1.2.13 (Debian zlib)
  { name: 'minigzip', program: 'minigzip', wasm: wasm('minigzip'), native: native('minigzip'), args: [], stdinFile: data('sample1.ref'), binary: true },
  { name: 'minigzip-d', program: 'minigzip', wasm: wasm('minigzip'), native: native('minigzip'), args: ['-d'], stdinFile: data('sample1.gz'), binary: true },
  // example's gzio test needs a file: with none to write (the host has no
  // filesystem; natively a path in no directory) both stop there, exit 1.
  { name: 'example-nofs', program: 'example', wasm: wasm('example'), native: native('example'), args: ['/nonexistent/foo.gz'], normalize: noCompileFlags },
  // bzip2 1.0.8 (Debian bzip2)
  { name: 'bzip2-c', program: 'bzip2', wasm: wasm('bzip2'), native: native('bzip2'), args: ['-c'], stdinFile: data('sample2.ref'), binary: true },
  { name: 'bzip2-dc', program: 'bzip2', wasm: wasm('bzip2'), native: native('bzip2'), args: ['-d', '-c'], stdinFile: data('sample1.bz2'), binary: true }
]
