// WASI filesystem conformance: each testprogs/wasi/*.c program is built
// natively (gcc) and for wasm32-wasi (clang), run natively with cwd = a fresh
// copy of a fixture tree and under `gate run --dir <copy>::/` in another copy;
// stdout, stderr, exit code and the resulting trees (names, types, contents,
// symlink targets; not times or modes) must be identical. The whole set runs
// again under `--resume-every 1` (suspended, snapshotted and resumed in a
// fresh worker every millisecond).
// GATE_WASI_ONLY=a,b runs only those programs; GATE_WASI_MODES=plain|resume|plain,resume.
import t from 'tap'
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, tempDir } from '../helpers.js'
import { compileC } from '../host/harness.js'

t.setTimeout(1_800_000)

const SRC = join(ROOT, 'testprogs/wasi')
const CACHE = join(tmpdir(), 'gate-wasi-conformance-build')
const gate = join(ROOT, 'bin/gate')
const work = tempDir('gate-wasi-conf-')
const gateEnv = { ...process.env, GATE_CACHE_DIR: process.env.GATE_CACHE_DIR ?? join(work, 'gate-cache') }
t.teardown(() => rmSync(work, { recursive: true, force: true }))

const CONCURRENCY = 2
const TIMEOUT_MS = { native: 30_000, plain: 90_000, resume: 240_000 }

// ---------------------------------------------------------------- builds

interface Prog { name: string, wasm: string, native: string }

function buildAll (): Prog[] {
  const header = readFileSync(join(SRC, 'common.h'))
  const only = process.env.GATE_WASI_ONLY?.split(',').filter(s => s !== '')
  const names = readdirSync(SRC).filter(f => f.endsWith('.c')).map(f => f.slice(0, -2)).sort()
    .filter(n => only == null || only.includes(n))
  mkdirSync(CACHE, { recursive: true })
  return names.map(name => {
    const src = join(SRC, `${name}.c`)
    const hash = createHash('sha256').update(readFileSync(src)).update(header).digest('hex').slice(0, 16)
    const wasm = join(CACHE, `${name}-${hash}.wasm`)
    const native = join(CACHE, `${name}-${hash}.native`)
    const build = (out: string, cc: string, args: string[]): void => {
      if (existsSync(out)) return
      const tmp = `${out}.${process.pid}.tmp`
      execFileSync(cc, [...args, '-o', tmp, src], { stdio: 'pipe' })
      renameSync(tmp, out)
    }
    build(wasm, 'clang', ['--target=wasm32-wasi', '-O2', '-Wl,--strip-debug'])
    build(native, 'gcc', ['-O2'])
    return { name, wasm, native }
  })
}

// ---------------------------------------------------------------- the tree

/** The fixture every program starts from (the programs rely on exactly this). */
function fixture (dir: string): void {
  mkdirSync(join(dir, 'work/sub/deeper'), { recursive: true })
  mkdirSync(join(dir, 'work/emptydir'))
  writeFileSync(join(dir, 'top.txt'), 'top level\n')
  writeFileSync(join(dir, 'work/a.txt'), 'hello world\n')
  writeFileSync(join(dir, 'work/b.txt'), 'line one\nline two\nline three\n')
  writeFileSync(join(dir, 'work/empty'), '')
  writeFileSync(join(dir, 'work/sub/c.txt'), 'in sub\n')
  writeFileSync(join(dir, 'work/sub/deeper/d.txt'), 'deep\n')
  symlinkSync('a.txt', join(dir, 'work/link_a'))
  symlinkSync('sub', join(dir, 'work/link_sub'))
  symlinkSync('nowhere', join(dir, 'work/dangling'))
}

/** One line per entry: path, type, content (small files) or size+hash, symlink target. */
function describeTree (root: string): string {
  const lines: string[] = []
  const walk = (rel: string): void => {
    const names = readdirSync(join(root, rel)).sort()
    for (const n of names) {
      const r = rel === '' ? n : `${rel}/${n}`
      const p = join(root, r)
      const st = lstatSync(p)
      if (st.isSymbolicLink()) lines.push(`${r} -> ${JSON.stringify(readlinkSync(p))}`)
      else if (st.isDirectory()) { lines.push(`${r}/`); walk(r) } else if (st.isFile()) {
        const b = readFileSync(p)
        lines.push(b.length <= 160 ? `${r} ${b.length} ${JSON.stringify(b.toString('latin1'))}` : `${r} ${b.length} sha256:${createHash('sha256').update(b).digest('hex').slice(0, 16)}`)
      } else lines.push(`${r} (special)`)
    }
  }
  walk('')
  return lines.join('\n') + '\n'
}

// ---------------------------------------------------------------- running

interface Ran { stdout: string, stderr: string, code: number | string, ms: number, tree: string }

async function exec (file: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<Omit<Ran, 'tree'>> {
  const t0 = Date.now()
  return await new Promise(resolve => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        stdout: Buffer.concat(out).toString('latin1'),
        stderr: Buffer.concat(err).toString('latin1'),
        code: timedOut ? `timeout after ${timeoutMs} ms` : code ?? `signal ${signal ?? '?'}`,
        ms: Date.now() - t0
      })
    })
    child.on('error', e => { err.push(Buffer.from(String(e))) })
  })
}

async function runNative (p: Prog): Promise<Ran> {
  const dir = join(work, `native-${p.name}`)
  fixture(dir)
  const r = await exec(p.native, [], dir, TIMEOUT_MS.native, { PATH: process.env.PATH })
  const tree = describeTree(dir)
  rmSync(dir, { recursive: true, force: true })
  return { ...r, tree }
}

async function runGate (p: Prog, mode: 'plain' | 'resume'): Promise<Ran> {
  const dir = join(work, `gate-${mode}-${p.name}`)
  fixture(dir)
  const extra = mode === 'resume' ? ['--resume-every', '1'] : []
  const r = await exec(gate, ['run', '--dir', `${dir}::/`, ...extra, p.wasm, '--'], ROOT, TIMEOUT_MS[mode], gateEnv)
  const tree = describeTree(dir)
  rmSync(dir, { recursive: true, force: true })
  return { ...r, tree }
}

/** Run f over items, at most `limit` at a time, results in order. */
async function pool<A, B> (items: A[], limit: number, f: (a: A) => Promise<B>): Promise<B[]> {
  const res: B[] = new Array(items.length)
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) { const i = next++; res[i] = await f(items[i]) }
  }))
  return res
}

// ---------------------------------------------------------------- tests

const progs = buildAll()
const natives = new Map<string, Ran>()
const modes = (process.env.GATE_WASI_MODES ?? 'plain,resume').split(',') as Array<'plain' | 'resume'>

// One or more tests per preview1 call: each is imported by a program of this
// suite or of test/host/progs, or called directly by name in test/host/*.test.ts.
const PREVIEW1 = ['args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get', 'fd_advise',
  'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags', 'fd_fdstat_set_rights', 'fd_filestat_get',
  'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread', 'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read',
  'fd_readdir', 'fd_renumber', 'fd_seek', 'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get',
  'path_filestat_set_times', 'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get', 'sock_accept', 'sock_recv', 'sock_send',
  'sock_shutdown']

t.test('every preview1 call is exercised by some test', async t => {
  if (process.env.GATE_WASI_ONLY != null) { t.comment('GATE_WASI_ONLY: not all programs built, coverage not checked'); return }
  const seen = new Set<string>()
  for (const p of progs) {
    for (const i of WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(p.wasm)))) if (i.module === 'wasi_snapshot_preview1') seen.add(i.name)
  }
  const hostProgs = join(ROOT, 'test/host/progs')
  const hostTests = join(ROOT, 'test/host')
  const direct = readdirSync(hostTests).filter(f => f.endsWith('.test.ts')).map(f => readFileSync(join(hostTests, f), 'utf8')).join('\n')
  for (const f of readdirSync(hostProgs).filter(f => f.endsWith('.c'))) {
    for (const i of WebAssembly.Module.imports(new WebAssembly.Module(compileC(f.slice(0, -2)) as Uint8Array<ArrayBuffer>))) if (i.module === 'wasi_snapshot_preview1') seen.add(i.name)
  }
  for (const name of PREVIEW1) t.ok(seen.has(name) || direct.includes(`wasi.${name}'`), name)
})

t.test('native runs: every program exits 0 and prints results', async t => {
  const rs = await pool(progs, CONCURRENCY, runNative)
  progs.forEach((p, i) => natives.set(p.name, rs[i]))
  for (const p of progs) {
    const n = natives.get(p.name) as Ran
    t.equal(n.code, 0, `${p.name}: native exit 0 (stderr: ${n.stderr.slice(0, 200)})`)
    t.ok(n.stdout.split('\n').length > 2 || n.stderr.length > 0, `${p.name}: native prints results`)
    t.notMatch(n.stdout, /errno\d+/, `${p.name}: every errno has a name`)
  }
})

for (const mode of modes) {
  t.test(`gate run --dir${mode === 'resume' ? ' --resume-every 1' : ''} = native`, async t => {
    const rs = await pool(progs, CONCURRENCY, async p => await runGate(p, mode))
    const differ: string[] = []
    progs.forEach((p, i) => {
      const n = natives.get(p.name) as Ran
      const g = rs[i]
      t.test(p.name, async t => {
        const ok = [
          t.equal(g.stdout, n.stdout, 'stdout identical'),
          t.equal(g.code, n.code, `exit code identical (gate stderr: ${g.stderr.slice(-300)})`),
          t.equal(g.stderr, n.stderr, 'stderr identical'),
          t.equal(g.tree, n.tree, 'resulting tree identical')
        ]
        if (ok.includes(false)) differ.push(p.name)
        t.comment(`${p.name}: gate ${g.ms} ms, native ${n.ms} ms`)
      })
    })
    t.teardown(() => { if (differ.length > 0) console.log(`# ${mode}: ${differ.length}/${progs.length} differ: ${differ.join(' ')}`) })
  })
}
