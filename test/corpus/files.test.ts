// The third-party corpus on files (make corpus): each invocation runs natively
// with its working directory a fresh copy of a small tree, and under
// `gate run --dir <copy>::/` (wasi-libc's cwd is "/", so the same relative
// paths land in the same place). Same stdout, exit code and resulting tree
// (names, types, bytes). Skipped when build/corpus is missing.
import t from 'tap'
import { execFile } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, lstatSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, tempDir } from '../helpers.js'
import { CORPUS_DIR } from './programs.js'

const gate = join(ROOT, 'bin/gate')
const gateEnv = { ...process.env, GATE_CACHE_DIR: process.env.GATE_CACHE_DIR ?? tempDir('gate-corpus-files-cache-') }
if (process.env.GATE_CACHE_DIR == null) t.teardown(() => rmSync(gateEnv.GATE_CACHE_DIR, { recursive: true, force: true }))
const wasm = (n: string): string => join(CORPUS_DIR, 'wasm', `${n}.wasm`)
const native = (n: string): string => join(CORPUS_DIR, 'native', n)
const data = (f: string): string => join(CORPUS_DIR, 'data', f)

interface Ran { stdout: Buffer, stderr: string, code: number }

async function exec (file: string, args: string[], opts: { cwd?: string, input?: Uint8Array, env: Record<string, string | undefined> }): Promise<Ran> {
  return await new Promise(resolve => {
    const child = execFile(file, args, { cwd: opts.cwd, env: opts.env, encoding: 'buffer', maxBuffer: 64 << 20, timeout: 240_000 }, (err: any, stdout, stderr) => {
      resolve({ stdout, stderr: stderr.toString(), code: err == null ? 0 : (typeof err.code === 'number' ? err.code : 1) })
    })
    child.stdin?.on('error', () => {})
    child.stdin?.end(opts.input ?? new Uint8Array(0))
  })
}

/** name -> 'dir' | 'link:<target>' | file bytes (hex of a hash would do; files are small). */
function treeOf (dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    const st = lstatSync(p)
    const key = prefix + name
    if (st.isSymbolicLink()) out[key] = `link:${readlinkSync(p)}`
    else if (st.isDirectory()) { out[key] = 'dir'; Object.assign(out, treeOf(p, key + '/')) } else out[key] = readFileSync(p).toString('base64')
  }
  return out
}

interface Case {
  name: string
  program: string
  /** Each step runs in the same tree, one after the other (both sides). */
  steps: Array<{ args: string[], stdin?: Uint8Array }>
  /** Fill the fresh tree. */
  setup: (dir: string) => void
  nativeEnv?: Record<string, string>
  normalize?: (s: string) => string
}

const luaIo = `
local f = assert(io.open("notes/out.txt", "w"))
for i = 1, 200 do f:write(("line %d %s\\n"):format(i, ("x"):rep(i % 17))) end
f:close()
local n, sum = 0, 0
for l in io.lines("notes/out.txt") do n = n + 1; sum = sum + #l end
print("lines", n, "bytes", sum)
local g = assert(io.open("notes/out.txt", "a")); g:write("appended\\n"); g:close()
local h = assert(io.open("notes/out.txt", "r")); h:seek("end", -9); print("tail", h:read("l")); print("size", h:seek("end")); h:close()
assert(os.rename("notes/out.txt", "notes/renamed.txt"))
print("rename", io.open("notes/out.txt") == nil, io.open("notes/renamed.txt") ~= nil)
local tmp = assert(io.open("scratch", "w")); tmp:write("gone"); tmp:close()
assert(os.remove("scratch"))
-- the message only: errno numbers are the libc's own (wasi-libc ENOENT is 44, glibc's 2)
print("remove", (select(2, io.open("scratch"))))
print("missing", (select(2, io.open("nope/never.txt"))))
`

const cases: Case[] = [
  {
    name: 'sqlite3: a database file created, queried, reopened',
    program: 'sqlite3',
    setup: d => copyFileSync(join(ROOT, 'corpus/sqlite/queries.sql'), join(d, 'queries.sql')),
    steps: [
      { args: ['-batch', 'test.db'], stdin: readFileSync(join(ROOT, 'corpus/sqlite/queries.sql')) },
      { args: ['-batch', 'test.db', 'SELECT count(*) FROM sqlite_master; PRAGMA integrity_check;'] },
      { args: ['-batch', 'test.db', 'CREATE TABLE more(x); INSERT INTO more VALUES (1), (2); DELETE FROM more WHERE x = 1; SELECT * FROM more;'] }
    ],
    nativeEnv: { HOME: '/nonexistent' },
    normalize: s => s
  },
  {
    name: 'lua: scripts read from the dir, io library on files',
    program: 'lua',
    setup: d => {
      cpSync(join(ROOT, 'corpus/lua/bench'), join(d, 'bench'), { recursive: true })
      mkdirSync(join(d, 'notes'))
      writeFileSync(join(d, 'io.lua'), luaIo)
    },
    steps: [{ args: ['bench/fib.lua', '22'] }, { args: ['io.lua'] }]
  },
  {
    name: 'zlib example: its gzio test writes and reads a .gz file',
    program: 'example',
    setup: () => {},
    steps: [{ args: ['foo.gz'] }],
    normalize: s => s.replace(/compile flags = 0x[0-9a-f]+/, 'compile flags = #')
  },
  {
    name: 'minigzip on files: compress (the original removed), decompress',
    program: 'minigzip',
    setup: d => copyFileSync(data('sample1.ref'), join(d, 'sample1')),
    steps: [{ args: ['sample1'] }, { args: ['-d', 'sample1.gz'] }, { args: ['-9', 'sample1'] }]
  },
  {
    name: 'bzip2 on files: compress, test, keep, decompress',
    program: 'bzip2',
    setup: d => { copyFileSync(data('sample2.ref'), join(d, 'sample2')); copyFileSync(data('sample1.bz2'), join(d, 'sample1.bz2')) },
    steps: [{ args: ['-k', 'sample2'] }, { args: ['-t', 'sample2.bz2'] }, { args: ['-d', 'sample1.bz2'] }, { args: ['-f', 'sample2'] }]
  },
  {
    name: 'bzip2 in a pipe (stdin/stdout are not terminals)',
    program: 'bzip2',
    setup: () => {},
    steps: [{ args: [], stdin: existsSync(data('sample2.ref')) ? readFileSync(data('sample2.ref')) : undefined }, { args: ['-d'], stdin: existsSync(data('sample1.bz2')) ? readFileSync(data('sample1.bz2')) : undefined }]
  }
]

if (!existsSync(join(CORPUS_DIR, 'wasm')) || !existsSync(join(CORPUS_DIR, 'native'))) {
  t.skip('corpus: build/corpus is missing (make corpus)', () => {})
} else {
  for (const c of cases) {
    t.test(c.name, async t => {
      if (!existsSync(wasm(c.program)) || !existsSync(native(c.program))) { t.skip('not built (make corpus)', () => {}); return }
      const a = tempDir('corpus-native-')
      const b = tempDir('corpus-gate-')
      t.teardown(() => { rmSync(a, { recursive: true, force: true }); rmSync(b, { recursive: true, force: true }) })
      c.setup(a)
      c.setup(b)
      const norm = c.normalize ?? ((s: string) => s)
      for (const [i, s] of c.steps.entries()) {
        const n = await exec(native(c.program), s.args, { cwd: a, input: s.stdin, env: { PATH: process.env.PATH, ...c.nativeEnv } })
        const g = await exec(gate, ['run', '--dir', `${b}::/`, wasm(c.program), '--', ...s.args], { input: s.stdin, env: gateEnv })
        t.equal(norm(g.stdout.toString('latin1')), norm(n.stdout.toString('latin1')), `step ${i} (${s.args.join(' ')}): stdout identical (${n.stdout.length} bytes)`)
        t.equal(g.code, n.code, `step ${i}: exit code ${n.code} (gate stderr: ${g.stderr.slice(-300)})`)
      }
      t.same(treeOf(b), treeOf(a), 'the resulting trees are identical')
    })
  }
}
