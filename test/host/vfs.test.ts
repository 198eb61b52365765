// The virtual filesystem through the WASI calls themselves (HostAbi, no
// worker): confinement to the preopen, bad names and paths, limits, readdir
// cookies across a save/restore, and the preopen/fd rules wasi-libc relies on.
import t from 'tap'
import { HostAbi } from '../../executor/host/index.js'
import { ERRNO, OFLAGS, RIGHTS, RIGHTS_ALL, RIGHTS_DIR } from '../../executor/host/wasi-types.js'
import { FsBuilder, walkImage, fileBytes, type FsImage } from '../../executor/host/vfs/image.js'
import { TestRuntime } from './harness.js'

const enc = new TextEncoder()
const dec = new TextDecoder()
const ID = '00000000-0000-4000-8000-000000000001'

/** A host with one preopen "/" over `image`, and helpers that place arguments in memory. */
function setup (image: FsImage, opts: { limit?: number } = {}): ReturnType<typeof driver> {
  const rt = new TestRuntime()
  rt.mem = new WebAssembly.Memory({ initial: 64 })
  const host = new HostAbi({ instanceId: ID, fs: image, fsLimitBytes: opts.limit }, rt)
  return driver(host, rt)
}

function driver (host: HostAbi, rt: TestRuntime) {
  const f = host.functions
  const mem = (): Uint8Array => new Uint8Array(rt.mem!.buffer)
  const dv = (): DataView => new DataView(rt.mem!.buffer)
  const STR = 1 << 16
  const STR2 = 2 << 16
  const OUT = 100
  const BUF = 3 << 16
  const put = (at: number, s: string | Uint8Array): number => { const b = typeof s === 'string' ? enc.encode(s) : s; mem().set(b, at); return b.byteLength }
  const d = {
    host,
    rt,
    f,
    mem,
    dv,
    open (path: string | Uint8Array, oflags = 0, rights = RIGHTS_ALL, fdflags = 0, dir = 3, follow = true): { errno: number, fd: number } {
      const n = put(STR, path)
      const errno = f['wasi.path_open'](dir, follow ? 1 : 0, STR, n, oflags, rights, RIGHTS_ALL, fdflags, OUT)
      return { errno, fd: dv().getUint32(OUT, true) }
    },
    write (fd: number, data: string | Uint8Array): { errno: number, n: number } {
      const len = put(BUF, data)
      dv().setUint32(OUT + 8, BUF, true); dv().setUint32(OUT + 12, len, true)
      const errno = f['wasi.fd_write'](fd, OUT + 8, 1, OUT)
      return { errno, n: dv().getUint32(OUT, true) }
    },
    read (fd: number, len = 65536): { errno: number, data: Uint8Array } {
      dv().setUint32(OUT + 8, BUF, true); dv().setUint32(OUT + 12, len, true)
      const errno = f['wasi.fd_read'](fd, OUT + 8, 1, OUT)
      return { errno, data: mem().slice(BUF, BUF + dv().getUint32(OUT, true)) }
    },
    call (name: string, ...paths: Array<string | number>): number {
      // strings become (ptr, len) pairs in order, numbers pass as they are
      const args: Array<number | bigint> = []
      let at = STR
      for (const p of paths) {
        if (typeof p === 'number') { args.push(p); continue }
        const n = put(at, p); args.push(at, n); at = at === STR ? STR2 : STR2 + 8192
      }
      return f[`wasi.${name}`](...args)
    },
    symlink (target: string, path: string): number {
      const a = put(STR, target); const b = put(STR2, path)
      return f['wasi.path_symlink'](STR, a, 3, STR2, b)
    },
    rename (from: string, to: string): number {
      const a = put(STR, from); const b = put(STR2, to)
      return f['wasi.path_rename'](3, STR, a, 3, STR2, b)
    },
    readdir (fd: number, cookie: bigint, len = 4096): { used: number, entries: Array<{ next: bigint, ino: bigint, name: string, type: number }> } {
      t.equal(f['wasi.fd_readdir'](fd, BUF, len, cookie, OUT), ERRNO.SUCCESS)
      const used = dv().getUint32(OUT, true)
      const entries = []
      for (let p = 0; p + 24 <= used;) {
        const namlen = dv().getUint32(BUF + p + 16, true)
        if (p + 24 + namlen > used) break
        entries.push({ next: dv().getBigUint64(BUF + p, true), ino: dv().getBigUint64(BUF + p + 8, true), type: mem()[BUF + p + 20], name: dec.decode(mem().slice(BUF + p + 24, BUF + p + 24 + namlen)) })
        p += 24 + namlen
      }
      return { used, entries }
    }
  }
  return d
}

function sample (): FsImage {
  const b = new FsBuilder(1_000_000_000n)
  const root = b.preopen('/')
  const sub = b.mkdir(root, 'sub')
  b.file(sub, 'a.txt', enc.encode('alpha\n'))
  b.file(root, 'top.txt', enc.encode('top\n'))
  b.symlink(root, 'up', '../outside')
  b.symlink(root, 'abs', '/etc/passwd')
  b.symlink(root, 'loop1', 'loop2')
  b.symlink(root, 'loop2', 'loop1')
  b.symlink(root, 'tosub', 'sub')
  return b.build()
}

t.test('preopens are fds 3.. with no gap, the Gate fd answers EBADF to prestat, full inheriting rights', async t => {
  const b = new FsBuilder()
  b.preopen('/')
  b.preopen('/data', { readonly: true })
  const rt = new TestRuntime()
  rt.mem = new WebAssembly.Memory({ initial: 1 })
  const host = new HostAbi({ instanceId: ID, fs: b.build() }, rt)
  const f = host.functions
  const dv = new DataView(rt.mem.buffer)
  t.equal(f['wasi.fd_prestat_get'](3, 0), 0)
  t.equal(dv.getUint32(4, true), 1, 'name length of "/"')
  t.equal(f['wasi.fd_prestat_get'](4, 0), 0)
  t.equal(dv.getUint32(4, true), 5)
  t.equal(f['wasi.fd_prestat_dir_name'](4, 16, 4), ERRNO.NAMETOOLONG, 'short buffer')
  t.equal(f['wasi.fd_prestat_dir_name'](4, 16, 5), 0)
  t.equal(dec.decode(new Uint8Array(rt.mem.buffer, 16, 5)), '/data')
  t.equal(f['wasi.fd_prestat_get'](5, 0), ERRNO.BADF, 'the Gate fd follows two preopens and ends the enumeration')
  t.equal(f['gate.fd'](), 5)
  t.equal(f['wasi.fd_fdstat_get'](3, 0), 0)
  t.equal(dv.getUint8(0), 3, 'a directory')
  t.equal(dv.getBigUint64(16, true) & RIGHTS.FD_WRITE, RIGHTS.FD_WRITE, 'files under it may be written')
  t.equal(f['wasi.fd_fdstat_get'](4, 0), 0)
  t.equal(dv.getBigUint64(16, true) & RIGHTS.FD_WRITE, 0n, 'read-only preopen: no write rights to inherit')
})

t.test('no path leaves the preopen: .., absolute paths, symlinks out or absolute; loops end in ELOOP', async t => {
  const d = setup(sample())
  t.equal(d.open('../x').errno, ERRNO.NOTCAPABLE)
  t.equal(d.open('sub/../../x').errno, ERRNO.NOTCAPABLE)
  t.equal(d.open('/top.txt').errno, ERRNO.NOTCAPABLE)
  t.equal(d.open('up').errno, ERRNO.NOTCAPABLE, 'a symlink pointing out')
  t.equal(d.open('abs').errno, ERRNO.NOTCAPABLE, 'an absolute symlink')
  t.equal(d.open('loop1').errno, ERRNO.LOOP)
  t.equal(d.open('loop1', 0, RIGHTS_ALL, 0, 3, false).errno, ERRNO.LOOP, 'O_NOFOLLOW on a symlink: ELOOP')
  t.equal(d.open('sub/../top.txt').errno, ERRNO.SUCCESS, '.. inside the tree is fine')
  t.equal(d.open('tosub/a.txt').errno, ERRNO.SUCCESS, 'a symlink inside the tree is followed')
  t.equal(d.symlink('/etc', 'newabs'), ERRNO.NOTCAPABLE, 'creating an absolute symlink')
  // a directory opened below the preopen confines to itself
  const sub = d.open('sub', OFLAGS.DIRECTORY, RIGHTS_DIR)
  t.equal(sub.errno, 0)
  t.equal(d.open('../top.txt', 0, RIGHTS_ALL, 0, sub.fd).errno, ERRNO.NOTCAPABLE, 'relative to a subdirectory fd: not above it')
})

t.test('bad names: NUL, over 255 bytes a component, over 4 KiB a path, invalid UTF-8, empty', async t => {
  const d = setup(sample())
  t.equal(d.open('a\0b', OFLAGS.CREAT).errno, ERRNO.INVAL)
  t.equal(d.open('x'.repeat(256), OFLAGS.CREAT).errno, ERRNO.NAMETOOLONG)
  t.equal(d.open('x'.repeat(255), OFLAGS.CREAT).errno, ERRNO.SUCCESS, '255 bytes is fine')
  t.equal(d.open(('d/').repeat(2100) + 'x', OFLAGS.CREAT).errno, ERRNO.NAMETOOLONG)
  t.equal(d.open(new Uint8Array([0xff, 0xfe])).errno, ERRNO.ILSEQ)
  t.equal(d.open('').errno, ERRNO.NOENT)
  t.equal(d.open('top.txt/').errno, ERRNO.NOTDIR, 'a trailing slash on a file')
  t.equal(d.open('top.txt', OFLAGS.DIRECTORY).errno, ERRNO.NOTDIR)
  t.equal(d.open('sub', 0, RIGHTS.FD_WRITE).errno, ERRNO.ISDIR, 'a directory for writing')
})

t.test('directory operations: rmdir, unlink, rename into itself, readdir on a file', async t => {
  const d = setup(sample())
  t.equal(d.call('path_create_directory', 3, 'sub'), ERRNO.EXIST)
  t.equal(d.call('path_remove_directory', 3, 'sub'), ERRNO.NOTEMPTY)
  t.equal(d.call('path_remove_directory', 3, 'top.txt'), ERRNO.NOTDIR)
  t.equal(d.call('path_remove_directory', 3, '.'), ERRNO.INVAL)
  t.equal(d.call('path_unlink_file', 3, 'sub'), ERRNO.ISDIR)
  t.equal(d.call('path_unlink_file', 3, 'nope'), ERRNO.NOENT)
  t.equal(d.rename('sub', 'sub/inner'), ERRNO.INVAL, 'a directory into itself')
  t.equal(d.rename('top.txt', 'sub'), ERRNO.ISDIR)
  t.equal(d.call('path_create_directory', 3, 'empty'), 0)
  t.equal(d.rename('sub', 'empty'), 0, 'over an empty directory')
  t.equal(d.rename('empty', 'top.txt'), ERRNO.NOTDIR)
  const file = d.open('top.txt')
  t.equal(file.errno, 0)
  t.equal(d.f['wasi.fd_readdir'](file.fd, 1 << 20, 4096, 0n, 100), ERRNO.NOTDIR, 'readdir on a file')
  t.equal(d.f['wasi.fd_seek'](3, 0n, 0, 100), ERRNO.ISDIR, 'seek on a directory')
  t.equal(d.read(3).errno, ERRNO.ISDIR)
  // the tree as an image: what the calls did
  const names = [...walkImage(d.host.files()!)].map(e => e.path)
  t.same(names, ['abs', 'empty', 'empty/a.txt', 'loop1', 'loop2', 'top.txt', 'tosub', 'up', 'x'.repeat(255)].filter(n => names.includes(n)))
  t.ok(names.includes('empty/a.txt') && !names.includes('sub'), 'sub moved to empty')
})

t.test('the byte limit: a file larger than it ends in ENOSPC, short writes first; the tree keeps what fit', async t => {
  const d = setup(sample(), { limit: 64 * 1024 })
  const { fd } = d.open('big', OFLAGS.CREAT)
  let total = 0
  let last = 0
  for (let i = 0; i < 100; i++) {
    const w = d.write(fd, new Uint8Array(4096).fill(i))
    last = w.errno
    if (w.errno !== 0) break
    total += w.n
    if (w.n < 4096) { last = d.write(fd, new Uint8Array(10)).errno; break }
  }
  t.equal(last, ERRNO.NOSPC)
  t.ok(total > 0 && total < 64 * 1024, `${total} bytes fit`)
  t.equal(d.f['wasi.fd_filestat_set_size'](fd, 1n << 30n), ERRNO.NOSPC, 'growing past it by truncate')
  t.equal(d.f['wasi.fd_allocate'](fd, 0n, 1n << 30n), ERRNO.NOSPC)
  const big = [...walkImage(d.host.files()!)].find(e => e.path === 'big')
  t.equal(big?.type === 'file' ? big.size : -1, total)
})

t.test('a million files: each costs against the limit, creation stops with ENOSPC, nothing crashes', async t => {
  const d = setup(sample(), { limit: 8 << 20 })
  t.equal(d.call('path_create_directory', 3, 'many'), 0)
  let made = 0
  let errno = 0
  for (; made < 1_000_000; made++) {
    const r = d.open(`many/f${made}`, OFLAGS.CREAT | OFLAGS.EXCL)
    if (r.errno !== 0) { errno = r.errno; break }
    d.f['wasi.fd_close'](r.fd)
  }
  t.equal(errno, ERRNO.NOSPC)
  t.ok(made > 10_000 && made < 20_000, `${made} files before ENOSPC at 8 MiB`)
  // deleting frees the budget again
  t.equal(d.call('path_unlink_file', 3, 'many/f0'), 0)
  t.equal(d.open('many/again', OFLAGS.CREAT).errno, 0)
})

t.test('readdir fills the buffer (truncating the last record), real inodes, cookies valid across a save/restore', async t => {
  const b = new FsBuilder()
  const root = b.preopen('/')
  const dir = b.mkdir(root, 'dir')
  for (let i = 0; i < 300; i++) b.file(dir, `entry-with-a-longish-name-${String(i).padStart(4, '0')}`, new Uint8Array(0))
  const d = setup(b.build())
  const fd = d.open('dir', OFLAGS.DIRECTORY, RIGHTS_DIR).fd
  const first = d.readdir(fd, 0n, 4096)
  t.equal(first.used, 4096, 'the buffer is filled to the last byte')
  t.same(first.entries.slice(0, 2).map(e => e.name), ['.', '..'])
  t.ok(first.entries.every(e => e.ino > 0n), 'no zero inodes')
  const cookie = first.entries[first.entries.length - 1].next
  // remove an entry already listed and one not yet listed: the cookie still works
  t.equal(d.call('path_unlink_file', 3, 'dir/entry-with-a-longish-name-0000'), 0)
  t.equal(d.call('path_unlink_file', 3, 'dir/entry-with-a-longish-name-0299'), 0)
  const saved = structuredClone(d.host.save())
  const again = driver(HostAbi.restore(saved, d.rt), d.rt)
  const names = new Set(first.entries.map(e => e.name))
  let c = cookie
  for (;;) {
    const r = again.readdir(fd, c, 4096)
    for (const e of r.entries) { t.notOk(names.has(e.name), `${e.name} not listed twice`); names.add(e.name) }
    if (r.used < 4096) break
    c = r.entries[r.entries.length - 1].next
  }
  t.equal(names.size, 2 + 299, 'every entry once (the one removed before the listing reached it is gone)')
  t.notOk(names.has('entry-with-a-longish-name-0299'))
})

t.test('open files, offsets and unlinked-but-open files survive a save/restore; content moves with them', async t => {
  const d = setup(sample())
  const w = d.open('log', OFLAGS.CREAT, RIGHTS_ALL, 1 /* append */)
  d.write(w.fd, 'one\n')
  const r = d.open('top.txt')
  t.equal(dec.decode(d.read(r.fd, 2).data), 'to')
  const ghost = d.open('ghost', OFLAGS.CREAT)
  d.write(ghost.fd, 'still here')
  t.equal(d.call('path_unlink_file', 3, 'ghost'), 0)
  const again = driver(HostAbi.restore(structuredClone(d.host.save()), d.rt), d.rt)
  again.write(w.fd, 'two\n')
  t.equal(dec.decode(again.read(r.fd).data), 'p\n', 'the read offset was kept')
  t.equal(again.f['wasi.fd_tell'](r.fd, 300), 0)
  t.equal(again.dv().getBigUint64(300, true), 4n, 'fd_tell: the offset after reading all of "top\\n"')
  t.equal(again.f['wasi.fd_tell'](0, 300), ERRNO.SPIPE, 'fd_tell on a stream')
  t.equal(again.f['wasi.fd_seek'](ghost.fd, 0n, 0, 100), 0)
  t.equal(dec.decode(again.read(ghost.fd).data), 'still here', 'an unlinked file open at the snapshot')
  const log = [...walkImage(again.host.files()!)].find(e => e.path === 'log')
  t.equal(log?.type === 'file' ? dec.decode(fileBytes(log)) : '', 'one\ntwo\n')
  t.notOk([...walkImage(again.host.files()!)].some(e => e.path === 'ghost'))
  t.equal(again.f['wasi.fd_close'](ghost.fd), 0)
  t.notOk(again.host.files()!.nodes.some(n => n.type === 'file' && n.size === 10), 'closing the last fd frees it')
})

t.test('a read-only preopen: writes are EROFS, reads work', async t => {
  const b = new FsBuilder()
  const root = b.preopen('/', { readonly: true })
  b.file(root, 'r.txt', enc.encode('read me'))
  const d = setup(b.build())
  t.equal(d.open('new', OFLAGS.CREAT).errno, ERRNO.ROFS)
  t.equal(d.open('r.txt', OFLAGS.TRUNC).errno, ERRNO.ROFS)
  t.equal(d.call('path_create_directory', 3, 'dir'), ERRNO.ROFS)
  t.equal(d.call('path_unlink_file', 3, 'r.txt'), ERRNO.ROFS)
  const r = d.open('r.txt', 0, RIGHTS.FD_READ | RIGHTS.FD_SEEK)
  t.equal(r.errno, 0)
  t.equal(dec.decode(d.read(r.fd).data), 'read me')
  t.equal(d.write(r.fd, 'x').errno, ERRNO.BADF, 'opened without write rights: EBADF as POSIX')
})

t.test('set_times: values, *_NOW (the realtime clock), omitted fields kept, both flags for one field EINVAL', async t => {
  const d = setup(sample())
  const { fd } = d.open('top.txt')
  const stat = (): [bigint, bigint] => { t.equal(d.f['wasi.fd_filestat_get'](fd, 200), 0); return [d.dv().getBigUint64(240, true), d.dv().getBigUint64(248, true)] }
  t.equal(d.f['wasi.fd_filestat_set_times'](fd, 5n, 7n, 1 | 4), 0)
  t.same(stat(), [5n, 7n])
  t.equal(d.f['wasi.fd_filestat_set_times'](fd, 9n, 0n, 1), 0, 'atim only')
  t.same(stat(), [9n, 7n], 'mtim kept')
  const now = d.rt.realtimeNs()
  t.equal(d.f['wasi.fd_filestat_set_times'](fd, 0n, 0n, 2 | 8), 0, 'both now')
  const [a, m] = stat()
  t.ok(a >= now && m >= now && m < now + 10_000_000_000n, 'now is the realtime clock')
  t.equal(d.f['wasi.fd_filestat_set_times'](fd, 1n, 1n, 1 | 2), ERRNO.INVAL)
  t.equal(d.f['wasi.fd_filestat_set_times'](fd, 1n, 1n, 4 | 8), ERRNO.INVAL)
  const n = d.mem().set(enc.encode('sub/a.txt'), 1 << 16)
  void n
  t.equal(d.f['wasi.path_filestat_set_times'](3, 0, 1 << 16, 9, 11n, 13n, 1 | 4), 0, 'the path form')
  t.equal(d.f['wasi.path_filestat_get'](3, 0, 1 << 16, 9, 200), 0)
  t.same([d.dv().getBigUint64(240, true), d.dv().getBigUint64(248, true)], [11n, 13n])
})

t.test('a refused open changes nothing: no file created, nothing truncated', async t => {
  const d = setup(sample())
  const before = JSON.stringify([...walkImage(d.host.files()!)].map(e => e.path))
  t.equal(d.open('new-file', OFLAGS.CREAT, RIGHTS_ALL, 0, 3).errno, 0)
  // a directory fd that may open but not pass on write rights
  const ro = d.open('sub', OFLAGS.DIRECTORY, RIGHTS_DIR)
  t.equal(d.f['wasi.fd_fdstat_set_rights'](ro.fd, RIGHTS_DIR, RIGHTS.FD_READ | RIGHTS.FD_SEEK), 0)
  t.equal(d.open('created-by-refused', OFLAGS.CREAT, RIGHTS.FD_READ | RIGHTS.FD_WRITE, 0, ro.fd).errno, ERRNO.NOTCAPABLE)
  t.equal(d.open('a.txt', OFLAGS.TRUNC, RIGHTS.FD_READ | RIGHTS.FD_WRITE, 0, ro.fd).errno, ERRNO.NOTCAPABLE)
  const after = [...walkImage(d.host.files()!)]
  t.notOk(after.some(e => e.path === 'sub/created-by-refused'), 'no file created')
  const a = after.find(e => e.path === 'sub/a.txt')
  t.equal(a?.type === 'file' ? a.size : -1, 6, 'not truncated')
  t.not(JSON.stringify(after.map(e => e.path)), before)
})
