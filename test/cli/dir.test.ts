// gate run --dir: host directories loaded into the instance's filesystem
// and the differences written back (cli/host-dir.ts), on real temp dirs;
// then end to end with a C program that creates, modifies and deletes files.
import t from 'tap'
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, linkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FsBuilder, chunksOf, type FsImage, type FsNodeImage } from '../../executor/host/vfs/image.js'
import { loadHostDir, parseDirSpec, writeBack } from '../../cli/host-dir.js'
import { ROOT, tempDir } from '../helpers.js'

const node = (img: FsImage, ino: number): FsNodeImage => img.nodes.find(n => n.ino === ino)!
/** The inode at a path under preopen 0 (null if missing). */
function lookup (img: FsImage, path: string, index = 0): FsNodeImage | undefined {
  let cur = node(img, img.preopens[index].ino)
  for (const part of path.split('/').filter(p => p !== '')) {
    if (cur?.type !== 'dir') return undefined
    const e = cur.entries.find(e => e.name === part)
    if (e == null) return undefined
    cur = node(img, e.ino)
  }
  return cur
}
const clone = (img: FsImage): FsImage => structuredClone(img)
function setFile (img: FsImage, path: string, text: string): void {
  const n = lookup(img, path)
  if (n?.type !== 'file') throw new Error(`${path} is not a file`)
  const b = new TextEncoder().encode(text)
  n.size = b.byteLength
  n.chunks = chunksOf(b)
  n.times = [n.times[0], n.times[1] + 1_000_000_000n, n.times[2]]
}
function add (img: FsImage, dirPath: string, name: string, n: { type: 'file', text: string } | { type: 'dir' } | { type: 'symlink', target: string }): number {
  const d = lookup(img, dirPath)
  if (d?.type !== 'dir') throw new Error(`${dirPath} is not a dir`)
  const ino = img.nextIno++
  const times: [bigint, bigint, bigint] = [1n, 1_700_000_000_000_000_000n, 1n]
  if (n.type === 'file') { const b = new TextEncoder().encode(n.text); img.nodes.push({ ino, type: 'file', nlink: 1, size: b.byteLength, chunks: chunksOf(b), times }) }
  if (n.type === 'dir') img.nodes.push({ ino, type: 'dir', parent: d.ino, entries: [], nextCookie: 2, times })
  if (n.type === 'symlink') img.nodes.push({ ino, type: 'symlink', nlink: 1, target: n.target, times })
  d.entries.push({ name, ino, cookie: d.nextCookie++ })
  return ino
}
function remove (img: FsImage, dirPath: string, name: string): void {
  const d = lookup(img, dirPath)
  if (d?.type !== 'dir') throw new Error(`${dirPath} is not a dir`)
  d.entries = d.entries.filter(e => e.name !== name)
}
const quiet = (sink: string[]) => (m: string) => { sink.push(m) }

function sampleTree (): { root: string, host: string, outside: string } {
  const root = tempDir('gate-dir-')
  const host = join(root, 'host')
  const outside = join(root, 'outside')
  mkdirSync(join(host, 'sub/deeper'), { recursive: true })
  mkdirSync(outside)
  writeFileSync(join(host, 'a.txt'), 'alpha\n')
  writeFileSync(join(host, 'sub/b.txt'), 'beta\n')
  writeFileSync(join(host, 'sub/deeper/c.txt'), 'gamma\n')
  writeFileSync(join(host, 'gone.txt'), 'bye\n')
  writeFileSync(join(outside, 'secret.txt'), 'secret\n')
  symlinkSync(outside, join(host, 'out'))
  symlinkSync('a.txt', join(host, 'rel-link'))
  linkSync(join(host, 'a.txt'), join(host, 'a-hard.txt'))
  return { root, host, outside }
}

t.test('parseDirSpec: wasmtime spelling plus :ro', async t => {
  t.same(parseDirSpec('.'), { host: '.', guest: '.', readonly: false })
  t.same(parseDirSpec('/tmp/x::/'), { host: '/tmp/x', guest: '/', readonly: false })
  t.same(parseDirSpec('data::/data:ro'), { host: 'data', guest: '/data', readonly: true })
  t.same(parseDirSpec('/srv:ro'), { host: '/srv', guest: '/srv', readonly: true })
  t.throws(() => parseDirSpec('::/x'))
})

t.test('load: files with bytes and mtime, dirs, symlinks unfollowed, hard links, other types skipped', async t => {
  const { host } = sampleTree()
  execFileSync('mkfifo', [join(host, 'fifo')])
  const b = new FsBuilder()
  const warnings: string[] = []
  const d = await loadHostDir(b, parseDirSpec(`${host}::/data`), 0, quiet(warnings))
  const img = b.build()
  t.equal(img.preopens[0].name, '/data')
  const a = lookup(img, 'a.txt')
  t.equal(a?.type, 'file')
  if (a?.type === 'file') {
    t.equal(Buffer.from(a.chunks[0]!).toString(), 'alpha\n')
    t.equal(a.times[1], statSync(join(host, 'a.txt'), { bigint: true }).mtimeNs, 'mtime kept')
    t.equal(a.nlink, 2)
  }
  t.equal(lookup(img, 'a-hard.txt'), a, 'the hard link is the same inode')
  t.equal(lookup(img, 'sub/deeper/c.txt')?.type, 'file')
  const out = lookup(img, 'out')
  t.same(out?.type === 'symlink' ? out.target : undefined, join(host, '../outside'), 'symlink kept as a symlink with its text')
  t.equal(lookup(img, 'out/secret.txt'), undefined, 'not followed')
  t.equal(lookup(img, 'fifo'), undefined, 'a fifo is skipped')
  t.match(warnings.join('\n'), /fifo/)
  t.equal(d.index, 0)
})

t.test('write-back: changes, new files and dirs, removals, symlinks; nothing else touched', async t => {
  const { host } = sampleTree()
  const b = new FsBuilder()
  const d = await loadHostDir(b, parseDirSpec(host), 0)
  const initial = b.build()
  const untouched = lstatSync(join(host, 'sub/b.txt'), { bigint: true })
  const final = clone(initial)
  setFile(final, 'sub/deeper/c.txt', 'GAMMA changed\n')
  add(final, '', 'new.txt', { type: 'file', text: 'brand new\n' })
  add(final, '', 'newdir', { type: 'dir' })
  add(final, 'newdir', 'inner.txt', { type: 'file', text: 'inside\n' })
  add(final, 'newdir', 'ln', { type: 'symlink', target: '../new.txt' })
  remove(final, '', 'gone.txt')
  remove(final, 'sub', 'deeper') // a whole directory
  const errors: string[] = []
  const r = await writeBack(d, initial, final, quiet(errors))
  t.same(errors, [])
  t.equal(readFileSync(join(host, 'new.txt'), 'utf8'), 'brand new\n')
  t.equal(readFileSync(join(host, 'newdir/inner.txt'), 'utf8'), 'inside\n')
  t.equal(readlinkSync(join(host, 'newdir/ln')), '../new.txt')
  t.notOk(existsSync(join(host, 'gone.txt')), 'removed file gone')
  t.notOk(existsSync(join(host, 'sub/deeper')), 'removed directory gone')
  t.equal(lstatSync(join(host, 'sub/b.txt'), { bigint: true }).ino, untouched.ino, 'unchanged file not rewritten')
  t.equal(lstatSync(join(host, 'sub/b.txt'), { bigint: true }).mtimeNs, untouched.mtimeNs)
  t.equal(readlinkSync(join(host, 'out')), join(host, '../outside'))
  t.same(readdirSync(host).filter(n => n.includes('.gate-')), [], 'no temp files left')
  t.same(r.removed.sort(), ['gone.txt', 'sub/deeper', 'sub/deeper/c.txt'].sort())
  t.ok(r.written.includes('new.txt') && r.created.includes('newdir'))

  // a change through one hard link rewrites the group, still linked
  const b2 = new FsBuilder()
  const d2 = await loadHostDir(b2, parseDirSpec(host), 0)
  const i2 = b2.build()
  const f2 = clone(i2)
  setFile(f2, 'a.txt', 'alpha 2\n')
  await writeBack(d2, i2, f2, quiet(errors))
  t.equal(readFileSync(join(host, 'a-hard.txt'), 'utf8'), 'alpha 2\n')
  t.equal(statSync(join(host, 'a.txt')).ino, statSync(join(host, 'a-hard.txt')).ino, 'still one file')
  t.same(errors, [])
})

t.test('write-back never writes through a symlink, never outside HOST', async t => {
  const { host, outside } = sampleTree()
  const b = new FsBuilder()
  const d = await loadHostDir(b, parseDirSpec(host), 0)
  const initial = b.build()
  // the program replaced the symlink "out" with a directory of its own: made inside HOST
  const final = clone(initial)
  remove(final, '', 'out')
  add(final, '', 'out', { type: 'dir' })
  add(final, 'out', 'secret.txt', { type: 'file', text: 'overwritten?\n' })
  // and changed files under sub, which the host swaps for a symlink to outside meanwhile
  setFile(final, 'sub/b.txt', 'changed\n')
  add(final, 'sub', 'planted.txt', { type: 'file', text: 'planted\n' })
  remove(final, 'sub/deeper', 'c.txt')
  rmSync(join(host, 'sub'), { recursive: true })
  mkdirSync(join(outside, 'sub2/deeper'), { recursive: true })
  writeFileSync(join(outside, 'sub2/b.txt'), 'outside b\n')
  writeFileSync(join(outside, 'sub2/deeper/c.txt'), 'outside c\n')
  symlinkSync(join(outside, 'sub2'), join(host, 'sub'))
  const errors: string[] = []
  await writeBack(d, initial, final, quiet(errors))
  t.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'secret\n', 'the symlink target is untouched')
  t.ok(lstatSync(join(host, 'out')).isDirectory(), 'the new directory is in HOST')
  t.equal(readFileSync(join(host, 'out/secret.txt'), 'utf8'), 'overwritten?\n')
  t.equal(readFileSync(join(outside, 'sub2/b.txt'), 'utf8'), 'outside b\n', 'no write through a swapped-in symlink')
  t.notOk(existsSync(join(outside, 'sub2/planted.txt')), 'no new file through it')
  t.ok(existsSync(join(outside, 'sub2/deeper/c.txt')), 'no removal through it')
  t.ok(errors.length >= 3, 'each refusal reported')
  t.match(errors.join('\n'), /symlink/)
})

t.test(':ro is never written back', async t => {
  const { host } = sampleTree()
  const b = new FsBuilder()
  const d = await loadHostDir(b, parseDirSpec(`${host}:ro`), 0)
  const initial = b.build()
  t.equal(initial.preopens[0].readonly, true)
  const final = clone(initial)
  setFile(final, 'a.txt', 'no\n')
  remove(final, '', 'gone.txt')
  add(final, '', 'x.txt', { type: 'file', text: 'no\n' })
  const r = await writeBack(d, initial, final)
  t.same(r, { written: [], created: [], removed: [], errors: [] })
  t.equal(readFileSync(join(host, 'a.txt'), 'utf8'), 'alpha\n')
  t.ok(existsSync(join(host, 'gone.txt')))
  t.notOk(existsSync(join(host, 'x.txt')))
})

const gate = join(ROOT, 'bin/gate')
const env = { ...process.env, GATE_CACHE_DIR: tempDir('gate-cli-cache-') }
async function gateRun (args: string[]): Promise<{ stdout: string, stderr: string, code: number }> {
  return await new Promise(resolve => {
    const child = execFile(gate, args, { env, maxBuffer: 64 << 20, timeout: 120_000 }, (err: any, stdout, stderr) => {
      resolve({ stdout, stderr, code: err == null ? 0 : (err.code ?? 1) })
    })
    child.stdin?.end('')
  })
}

for (const every of [undefined, 5]) {
  t.test(`gate run --dir${every != null ? ' --resume-every ' + String(every) : ''}: the program's changes land on the host`, async t => {
    const work = tempDir('gate-dir-e2e-')
    const wasm = join(work, 'fsops.wasm')
    try {
      execFileSync('clang', ['--target=wasm32-wasi', '-O2', '-o', wasm, join(ROOT, 'test/cli/progs/fsops.c')])
    } catch (err) { t.comment(`skipped: no clang for wasm32-wasi: ${(err as Error).message}`); return }
    const rw = join(work, 'rw')
    const ro = join(work, 'ro')
    mkdirSync(join(rw, 'sub'), { recursive: true })
    mkdirSync(ro)
    writeFileSync(join(rw, 'keep.txt'), 'keepme\n')
    writeFileSync(join(rw, 'mod.txt'), 'orig\n')
    writeFileSync(join(rw, 'del.txt'), 'x\n')
    writeFileSync(join(rw, 'sub/gone.txt'), 'g\n')
    writeFileSync(join(rw, 'old-name.txt'), 'renamed\n')
    writeFileSync(join(ro, 'r.txt'), 'readonly\n')
    symlinkSync(ro, join(rw, 'to-ro'))
    const keepIno = statSync(join(rw, 'keep.txt')).ino
    const spin = every != null ? '30000000' : '0'
    const r = await gateRun(['run', wasm, '--dir', `${rw}::/data`, '--dir', `${ro}::/ro:ro`, ...(every != null ? ['--resume-every', String(every)] : []), '--json', '--', '/data', '/ro', spin])
    t.equal(r.code, 7, 'exit code is the program\'s')
    t.equal(r.stdout, 'keep: keepme\nro write: refused\nro read: readonly\ndone\n')
    const lines = r.stderr.trim().split('\n')
    t.equal(lines.length, 1, 'nothing on stderr but the --json summary')
    const summary = JSON.parse(lines[0])
    t.same(summary.status, { state: 'terminated', result: 7 })
    if (every != null) t.ok(summary.resumed >= 3, `suspended and resumed ${summary.resumed as number} times meanwhile`)
    t.equal(readFileSync(join(rw, 'new.txt'), 'utf8'), 'a new file\n')
    t.equal(readFileSync(join(rw, 'mod.txt'), 'utf8'), 'orig\nappended\n')
    t.notOk(existsSync(join(rw, 'del.txt')))
    t.notOk(existsSync(join(rw, 'sub')))
    t.equal(readFileSync(join(rw, 'newdir/inner.txt'), 'utf8'), 'inside\n')
    t.notOk(existsSync(join(rw, 'old-name.txt')))
    t.equal(readFileSync(join(rw, 'new-name.txt'), 'utf8'), 'renamed\n')
    t.equal(readlinkSync(join(rw, 'link-to-new')), 'new-name.txt')
    t.equal(readlinkSync(join(rw, 'to-ro')), ro)
    t.equal(statSync(join(rw, 'keep.txt')).ino, keepIno, 'unchanged file left alone')
    t.same(readdirSync(ro), ['r.txt'])
  })
}
