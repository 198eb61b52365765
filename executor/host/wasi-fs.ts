/**
 * WASI preview1 filesystem calls over the virtual filesystem (vfs/tree.ts)
 * and the fd table (fds.ts): path_* and the fd_* calls on files and
 * directories. Streams (fds 0-2 as the client's) and the Gate fd are
 * handled in wasi.ts, which calls into here for fds that name a file.
 * Errors are WasiErrors with POSIX errnos; rights are checked as the
 * witx says (ENOTCAPABLE), read-only preopens give EROFS.
 */
import type { HostCore } from './core.js'
import { WasiError } from './errors.js'
import type { NodeFd } from './fds.js'
import type { FdStat } from './wasi-types.js'
import { type IoVec, type MemoryView, u32 } from './memory-view.js'
import {
  ERRNO, FDFLAGS, FILETYPE, FSTFLAGS, LOOKUP_SYMLINK_FOLLOW, OFLAGS, RIGHTS, RIGHTS_DIR, RIGHTS_FILE, RIGHTS_WRITING, WHENCE
} from './wasi-types.js'
import type { DirNode, FileNode, Node } from './vfs/tree.js'

type Fn = (...args: any[]) => number

const dec = new TextDecoder('utf-8', { fatal: true })
const enc = new TextEncoder()

export const FILESTAT_SIZE = 64
export const DIRENT_SIZE = 24
/** st_dev of every node: one device. */
const DEV = 1n

const fail = (errno: number, what: string): never => { throw new WasiError(errno, what) }

function filetypeOf (n: Node): number {
  return n.type === 'dir' ? FILETYPE.DIRECTORY : n.type === 'file' ? FILETYPE.REGULAR_FILE : FILETYPE.SYMBOLIC_LINK
}

function nlinkOf (core: HostCore, n: Node): bigint {
  if (n.type !== 'dir') return BigInt(n.nlink)
  if (n.parent === -1) return 0n // removed while open
  let subdirs = 0
  for (const e of n.entries.values()) if (core.vfs.nodes.get(e.ino)?.type === 'dir') subdirs++
  return BigInt(2 + subdirs)
}

function sizeOf (n: Node): bigint {
  return n.type === 'file' ? BigInt(n.data.size) : n.type === 'symlink' ? BigInt(Buffer.byteLength(n.target)) : 4096n
}

export function writeFilestat (core: HostCore, m: MemoryView, ptr: number, n: Node | undefined, filetype?: number): void {
  m.check(ptr, FILESTAT_SIZE)
  m.u8.fill(0, ptr, ptr + FILESTAT_SIZE)
  if (n == null) { m.setU8(ptr + 16, filetype ?? FILETYPE.UNKNOWN); return }
  m.setU64(ptr, DEV)
  m.setU64(ptr + 8, BigInt(n.ino))
  m.setU8(ptr + 16, filetypeOf(n))
  m.setU64(ptr + 24, nlinkOf(core, n))
  m.setU64(ptr + 32, sizeOf(n))
  m.setU64(ptr + 40, n.times[0])
  m.setU64(ptr + 48, n.times[1])
  m.setU64(ptr + 56, n.times[2])
}

/** Read a path argument: UTF-8 (EILSEQ otherwise). */
function pathArg (m: MemoryView, ptr: number, len: number): string {
  const b = m.read(u32(ptr), u32(len))
  try { return dec.decode(b) } catch { return fail(ERRNO.ILSEQ, 'path is not UTF-8') }
}

/** Apply fstflags to a times triple. */
function setTimes (core: HostCore, n: Node, atim: bigint, mtim: bigint, flags: number): void {
  if ((flags & ~0xf) !== 0) fail(ERRNO.INVAL, 'unknown fstflags')
  if ((flags & FSTFLAGS.ATIM) !== 0 && (flags & FSTFLAGS.ATIM_NOW) !== 0) fail(ERRNO.INVAL, 'atim and atim_now')
  if ((flags & FSTFLAGS.MTIM) !== 0 && (flags & FSTFLAGS.MTIM_NOW) !== 0) fail(ERRNO.INVAL, 'mtim and mtim_now')
  const now = core.realNs()
  if ((flags & FSTFLAGS.ATIM) !== 0) n.times[0] = BigInt.asUintN(64, atim)
  if ((flags & FSTFLAGS.ATIM_NOW) !== 0) n.times[0] = now
  if ((flags & FSTFLAGS.MTIM) !== 0) n.times[1] = BigInt.asUintN(64, mtim)
  if ((flags & FSTFLAGS.MTIM_NOW) !== 0) n.times[1] = now
  n.times[2] = now
}

/**
 * fd_fdstat_get's answer for an open fd. The Gate fd as gate-reference §1.3
 * has it. A client stream is a character device only when it is a terminal
 * on the user's side; otherwise it is reported as wasmtime reports a pipe
 * (FILETYPE_UNKNOWN), so wasi-libc's isatty() says no; neither has
 * SEEK/TELL. Files and directories: their type, flags and rights.
 */
export function fdStat (core: HostCore, fd: number): FdStat | undefined {
  const e = core.fds.get(fd)
  if (e == null) return undefined
  if (e.kind === 'gate') return { filetype: FILETYPE.UNKNOWN, flags: FDFLAGS.NONBLOCK, rightsBase: RIGHTS.FD_READ | RIGHTS.FD_WRITE | RIGHTS.POLL_FD_READWRITE, rightsInheriting: 0n }
  if (e.kind === 'stream') {
    const filetype = core.fds.tty[e.stream] ? FILETYPE.CHARACTER_DEVICE : FILETYPE.UNKNOWN
    const rw = e.stream === 'stdin' ? RIGHTS.FD_READ : RIGHTS.FD_WRITE
    return { filetype, flags: e.flags, rightsBase: rw | RIGHTS.POLL_FD_READWRITE, rightsInheriting: 0n }
  }
  return { filetype: filetypeOf(core.vfs.get(e.ino)), flags: e.flags, rightsBase: e.base, rightsInheriting: e.inheriting }
}

export function fsFunctions (core: HostCore): Record<string, Fn> {
  const vfs = (): HostCore['vfs'] => core.vfs

  /** ENOTCAPABLE unless `e` has `right` (EROFS for a writing right under a read-only preopen). */
  const checkRight = (e: NodeFd, right: bigint): void => {
    if ((e.base & right) !== right) fail(e.ro && (right & RIGHTS_WRITING) !== 0n ? ERRNO.ROFS : ERRNO.NOTCAPABLE, 'fd lacks the right')
  }
  /** The node fd `fd` names, with `right`; EBADF if closed, `other` for a stream or the Gate fd. */
  const nodeFd = (fd: number, right: bigint, other: number = ERRNO.BADF): NodeFd => {
    const e = core.fds.get(fd)
    if (e == null) return fail(ERRNO.BADF, 'bad fd')
    if (e.kind !== 'node') return fail(other, 'not a file')
    checkRight(e, right)
    return e
  }
  /** A directory fd with `right`. */
  const dirFd = (fd: number, right: bigint): { e: NodeFd, d: DirNode } => {
    const e = core.fds.get(fd)
    if (e == null) return fail(ERRNO.BADF, 'bad fd')
    if (e.kind !== 'node') return fail(ERRNO.NOTDIR, 'not a directory')
    const n = vfs().get(e.ino)
    if (n.type !== 'dir') return fail(ERRNO.NOTDIR, 'not a directory')
    checkRight(e, right)
    return { e, d: n }
  }
  /** A regular-file fd with `right`; `onDir` for a directory (read: EISDIR, write: EBADF, truncate: EINVAL, as Linux). */
  const fileFd = (fd: number, right: bigint, onDir: number = ERRNO.ISDIR): { e: NodeFd, f: FileNode } => {
    const e = core.fds.get(fd)
    if (e == null) return fail(ERRNO.BADF, 'bad fd')
    if (e.kind !== 'node') return fail(ERRNO.SPIPE, 'not a file')
    const n = vfs().get(e.ino)
    if (n.type === 'dir') return fail(onDir, 'is a directory')
    if (n.type !== 'file') return fail(ERRNO.BADF, 'not a file')
    // not open for reading/writing: EBADF as POSIX has it; other rights: ENOTCAPABLE
    const missing = right & ~e.base
    if (missing !== 0n) fail((missing & (RIGHTS.FD_READ | RIGHTS.FD_WRITE)) !== 0n ? ERRNO.BADF : ERRNO.NOTCAPABLE, 'fd lacks the right')
    return { e, f: n }
  }

  const readAt = (f: FileNode, iovs: IoVec[], off: number, m: MemoryView): number => {
    let n = 0
    for (const v of iovs) {
      if (v.len === 0) continue
      const got = f.data.readInto(off + n, m.u8.subarray(v.ptr, v.ptr + v.len))
      n += got
      if (got < v.len) break
    }
    return n
  }
  const writeAt = (f: FileNode, iovs: IoVec[], off: number, m: MemoryView): number => {
    let n = 0
    for (const v of iovs) {
      if (v.len === 0) continue
      let put: number
      try {
        put = vfs().write(f, off + n, m.u8.subarray(v.ptr, v.ptr + v.len))
      } catch (err) {
        if (n > 0) return n
        throw err
      }
      n += put
      if (put < v.len) break
    }
    return n
  }
  const offsetArg = (o: bigint): number => {
    if (o < 0n || o > BigInt(Number.MAX_SAFE_INTEGER)) fail(ERRNO.INVAL, 'offset out of range')
    return Number(o)
  }

  const fns: Record<string, Fn> = {
    /** Called by wasi.ts's fd_read for node fds. */
    fd_read: (fd: number, iovPtr: number, iovCnt: number, nreadPtr: number) => {
      const { e, f } = fileFd(fd, RIGHTS.FD_READ)
      const m = core.mem()
      const iovs = m.iovecs(u32(iovPtr), u32(iovCnt))
      m.check(u32(nreadPtr), 4)
      const n = readAt(f, iovs, e.offset, m)
      e.offset += n
      m.setU32(u32(nreadPtr), n)
      return ERRNO.SUCCESS
    },
    fd_pread: (fd: number, iovPtr: number, iovCnt: number, offset: bigint, nreadPtr: number) => {
      const { f } = fileFd(fd, RIGHTS.FD_READ | RIGHTS.FD_SEEK)
      const m = core.mem()
      const iovs = m.iovecs(u32(iovPtr), u32(iovCnt))
      m.check(u32(nreadPtr), 4)
      m.setU32(u32(nreadPtr), readAt(f, iovs, offsetArg(BigInt.asIntN(64, offset)), m))
      return ERRNO.SUCCESS
    },
    fd_write: (fd: number, iovPtr: number, iovCnt: number, nwrittenPtr: number) => {
      const { e, f } = fileFd(fd, RIGHTS.FD_WRITE, ERRNO.BADF)
      const m = core.mem()
      const iovs = m.iovecs(u32(iovPtr), u32(iovCnt))
      m.check(u32(nwrittenPtr), 4)
      if ((e.flags & FDFLAGS.APPEND) !== 0) e.offset = f.data.size
      const n = writeAt(f, iovs, e.offset, m)
      e.offset += n
      m.setU32(u32(nwrittenPtr), n)
      return ERRNO.SUCCESS
    },
    // As Linux: pwrite on an O_APPEND fd appends, whatever the offset.
    fd_pwrite: (fd: number, iovPtr: number, iovCnt: number, offset: bigint, nwrittenPtr: number) => {
      const { e, f } = fileFd(fd, RIGHTS.FD_WRITE | RIGHTS.FD_SEEK, ERRNO.BADF)
      const m = core.mem()
      const iovs = m.iovecs(u32(iovPtr), u32(iovCnt))
      m.check(u32(nwrittenPtr), 4)
      const off = (e.flags & FDFLAGS.APPEND) !== 0 ? f.data.size : offsetArg(BigInt.asIntN(64, offset))
      m.setU32(u32(nwrittenPtr), writeAt(f, iovs, off, m))
      return ERRNO.SUCCESS
    },
    fd_seek: (fd: number, offset: bigint, whence: number, newPtr: number) => {
      const e = core.fds.get(fd)
      if (e == null) return ERRNO.BADF
      if (e.kind !== 'node') return ERRNO.SPIPE
      const n = vfs().get(e.ino)
      if (n.type === 'dir') return ERRNO.ISDIR
      const need = offset === 0n && whence === WHENCE.CUR ? RIGHTS.FD_TELL : RIGHTS.FD_SEEK
      if ((e.base & need) === 0n && (e.base & RIGHTS.FD_SEEK) === 0n) return ERRNO.NOTCAPABLE
      const m = core.mem()
      m.check(u32(newPtr), 8)
      const size = n.type === 'file' ? n.data.size : 0
      const from = whence === WHENCE.SET ? 0n : whence === WHENCE.CUR ? BigInt(e.offset) : whence === WHENCE.END ? BigInt(size) : -1n
      if (from < 0n) return ERRNO.INVAL
      const to = from + BigInt.asIntN(64, offset)
      if (to < 0n) return ERRNO.INVAL
      if (to > BigInt(Number.MAX_SAFE_INTEGER)) return ERRNO.OVERFLOW
      e.offset = Number(to)
      m.setU64(u32(newPtr), to)
      return ERRNO.SUCCESS
    },
    fd_tell: (fd: number, ptr: number) => {
      const e = core.fds.get(fd)
      if (e == null) return ERRNO.BADF
      if (e.kind !== 'node') return ERRNO.SPIPE
      if (vfs().get(e.ino).type === 'dir') return ERRNO.ISDIR
      if ((e.base & (RIGHTS.FD_TELL | RIGHTS.FD_SEEK)) === 0n) return ERRNO.NOTCAPABLE
      core.mem().setU64(u32(ptr), BigInt(e.offset))
      return ERRNO.SUCCESS
    },
    fd_advise: (fd: number, offset: bigint, len: bigint, advice: number) => {
      const e = nodeFd(fd, RIGHTS.FD_ADVISE, ERRNO.SPIPE)
      if (advice < 0 || advice > 5) return ERRNO.INVAL
      if (BigInt.asIntN(64, offset) < 0n || BigInt.asIntN(64, len) < 0n) return ERRNO.INVAL
      if (vfs().get(e.ino).type === 'dir') return ERRNO.BADF
      return ERRNO.SUCCESS
    },
    fd_allocate: (fd: number, offset: bigint, len: bigint) => {
      const { f } = fileFd(fd, RIGHTS.FD_ALLOCATE)
      const o = BigInt.asIntN(64, offset)
      const l = BigInt.asIntN(64, len)
      if (o < 0n || l <= 0n) return ERRNO.INVAL
      const end = o + l
      if (end > BigInt(Number.MAX_SAFE_INTEGER)) return ERRNO.FBIG
      if (Number(end) > f.data.size) vfs().resize(f, Number(end))
      return ERRNO.SUCCESS
    },
    fd_sync: (fd: number) => { nodeFd(fd, 0n, ERRNO.INVAL); return ERRNO.SUCCESS },
    fd_datasync: (fd: number) => { nodeFd(fd, 0n, ERRNO.INVAL); return ERRNO.SUCCESS },

    fd_filestat_get: (fd: number, ptr: number) => {
      const e = core.fds.get(fd)
      if (e == null) return ERRNO.BADF
      const m = core.mem()
      if (e.kind !== 'node') {
        const tty = e.kind === 'stream' && core.fds.tty[e.stream]
        writeFilestat(core, m, u32(ptr), undefined, tty ? FILETYPE.CHARACTER_DEVICE : FILETYPE.UNKNOWN)
        return ERRNO.SUCCESS
      }
      if ((e.base & RIGHTS.FD_FILESTAT_GET) === 0n) return ERRNO.NOTCAPABLE
      writeFilestat(core, m, u32(ptr), vfs().get(e.ino))
      return ERRNO.SUCCESS
    },
    fd_filestat_set_size: (fd: number, size: bigint) => {
      const { f } = fileFd(fd, RIGHTS.FD_FILESTAT_SET_SIZE, ERRNO.INVAL)
      const s = BigInt.asIntN(64, size)
      if (s < 0n) return ERRNO.INVAL
      if (s > BigInt(Number.MAX_SAFE_INTEGER)) return ERRNO.FBIG
      vfs().resize(f, Number(s))
      return ERRNO.SUCCESS
    },
    fd_filestat_set_times: (fd: number, atim: bigint, mtim: bigint, flags: number) => {
      const e = nodeFd(fd, RIGHTS.FD_FILESTAT_SET_TIMES, ERRNO.BADF)
      setTimes(core, vfs().get(e.ino), atim, mtim, flags)
      return ERRNO.SUCCESS
    },

    fd_readdir: (fd: number, buf: number, bufLen: number, cookie: bigint, usedPtr: number) => {
      const { e, d } = dirFd(fd, RIGHTS.FD_READDIR)
      const m = core.mem()
      const start = u32(buf)
      const len = u32(bufLen)
      m.check(start, len)
      m.check(u32(usedPtr), 4)
      const from = BigInt.asUintN(64, cookie)
      const list: Array<{ next: bigint, ino: number, name: string, type: number }> = []
      const parentIno = e.preopen != null ? d.ino : d.parent
      if (from === 0n) list.push({ next: 1n, ino: d.ino, name: '.', type: FILETYPE.DIRECTORY })
      if (from <= 1n) list.push({ next: 2n, ino: parentIno > 0 ? parentIno : d.ino, name: '..', type: FILETYPE.DIRECTORY })
      const rest = [...d.entries].filter(([, x]) => BigInt(x.cookie) >= from).sort((a, b) => a[1].cookie - b[1].cookie)
      let used = 0
      const tmp = new Uint8Array(DIRENT_SIZE)
      const tv = new DataView(tmp.buffer)
      const put = (next: bigint, ino: number, name: string, type: number): boolean => {
        const nb = enc.encode(name)
        tv.setBigUint64(0, next, true)
        tv.setBigUint64(8, BigInt(ino), true)
        tv.setUint32(16, nb.byteLength, true)
        tmp.fill(0, 20)
        tv.setUint8(20, type)
        const rec = new Uint8Array(DIRENT_SIZE + nb.byteLength)
        rec.set(tmp)
        rec.set(nb, DIRENT_SIZE)
        // fill the buffer to the last byte, truncating the last record (witx; wasi-libc re-reads)
        const take = Math.min(rec.byteLength, len - used)
        m.u8.set(rec.subarray(0, take), start + used)
        used += take
        return used < len
      }
      let more = true
      for (const x of list) { if (!more) break; more = put(x.next, x.ino, x.name, x.type) }
      for (const [name, x] of rest) {
        if (!more) break
        const n = vfs().nodes.get(x.ino)
        more = put(BigInt(x.cookie) + 1n, x.ino, name, n == null ? FILETYPE.UNKNOWN : filetypeOf(n))
      }
      m.setU32(u32(usedPtr), used)
      return ERRNO.SUCCESS
    },

    fd_prestat_get: (fd: number, ptr: number) => {
      const e = core.fds.get(fd)
      if (e?.kind !== 'node' || e.preopen == null) return ERRNO.BADF
      const name = enc.encode(vfs().preopens[e.preopen].name)
      const m = core.mem()
      m.check(u32(ptr), 8)
      m.u8.fill(0, u32(ptr), u32(ptr) + 8)
      m.setU32(u32(ptr) + 4, name.byteLength)
      return ERRNO.SUCCESS
    },
    fd_prestat_dir_name: (fd: number, ptr: number, len: number) => {
      const e = core.fds.get(fd)
      if (e?.kind !== 'node' || e.preopen == null) return ERRNO.BADF
      const name = enc.encode(vfs().preopens[e.preopen].name)
      if (u32(len) < name.byteLength) return ERRNO.NAMETOOLONG
      core.mem().write(u32(ptr), name)
      return ERRNO.SUCCESS
    },

    path_open: (fd: number, dirflags: number, pathPtr: number, pathLen: number, oflags: number, base: bigint, inheriting: bigint, fdflags: number, fdPtr: number) => {
      const { e: dir } = dirFd(fd, RIGHTS.PATH_OPEN)
      const m = core.mem()
      const path = pathArg(m, pathPtr, pathLen)
      m.check(u32(fdPtr), 4)
      const want = BigInt.asUintN(64, base)
      const wantInh = BigInt.asUintN(64, inheriting)
      if ((oflags & ~0xf) !== 0 || (fdflags & ~0x1f) !== 0) return ERRNO.INVAL
      const creat = (oflags & OFLAGS.CREAT) !== 0
      const excl = creat && (oflags & OFLAGS.EXCL) !== 0
      // O_CREAT|O_EXCL never follows the final symlink (POSIX): a dangling one is EEXIST
      const follow = (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0 && !excl
      const r = vfs().resolve(dir.ino, path, excl ? 'never' : follow)
      let node = r.node
      // O_CREAT with a trailing slash, or on a directory: EISDIR (Linux)
      if (creat && !excl && (r.slash || node?.type === 'dir')) return ERRNO.ISDIR
      const writing = (want & (RIGHTS.FD_WRITE | RIGHTS.FD_ALLOCATE | RIGHTS.FD_FILESTAT_SET_SIZE)) !== 0n ||
        (fdflags & FDFLAGS.APPEND) !== 0 || (oflags & OFLAGS.TRUNC) !== 0
      if (node == null) {
        if (!creat) return ERRNO.NOENT
        if (r.slash || (oflags & OFLAGS.DIRECTORY) !== 0) return (oflags & OFLAGS.DIRECTORY) !== 0 ? ERRNO.INVAL : ERRNO.ISDIR
        if (dir.ro) return ERRNO.ROFS
        if ((dir.base & RIGHTS.PATH_CREATE_FILE) === 0n) return ERRNO.NOTCAPABLE
      } else {
        if (excl) return ERRNO.EXIST
        if (node.type === 'symlink') return (oflags & OFLAGS.DIRECTORY) !== 0 ? ERRNO.NOTDIR : ERRNO.LOOP
        if ((r.slash || (oflags & OFLAGS.DIRECTORY) !== 0) && node.type !== 'dir') return ERRNO.NOTDIR
        if (node.type === 'dir' && writing) return ERRNO.ISDIR
        if (writing && dir.ro) return ERRNO.ROFS
        if ((oflags & OFLAGS.TRUNC) !== 0 && (dir.base & RIGHTS.PATH_FILESTAT_SET_SIZE) === 0n && (want & RIGHTS.FD_WRITE) === 0n) return ERRNO.NOTCAPABLE
      }
      // the rights asked for, as far as they apply to what is opened (witx: the host may grant fewer);
      // all checks before anything changes: a refused open creates and truncates nothing
      const applies = node?.type === 'dir' ? RIGHTS_DIR : RIGHTS_FILE
      if ((want & ~dir.inheriting & applies) !== 0n) return ERRNO.NOTCAPABLE
      if (core.fds.full()) return ERRNO.NFILE
      if (node == null) node = vfs().createFile(r.dir, r.name)
      else if ((oflags & OFLAGS.TRUNC) !== 0 && node.type === 'file') vfs().resize(node, 0)
      const roMask = dir.ro ? ~RIGHTS_WRITING : ~0n
      const entry: NodeFd = {
        kind: 'node',
        ino: node.ino,
        offset: 0,
        flags: fdflags,
        base: want & applies & dir.inheriting & roMask,
        inheriting: wantInh & dir.inheriting & roMask,
        ro: dir.ro
      }
      const out = core.fds.alloc(entry) as number
      vfs().hold(node.ino)
      m.setU32(u32(fdPtr), out)
      return ERRNO.SUCCESS
    },

    path_create_directory: (fd: number, pathPtr: number, pathLen: number) => {
      const { e } = dirFd(fd, RIGHTS.PATH_CREATE_DIRECTORY)
      vfs().mkdir(e.ino, pathArg(core.mem(), pathPtr, pathLen))
      return ERRNO.SUCCESS
    },
    path_filestat_get: (fd: number, flags: number, pathPtr: number, pathLen: number, ptr: number) => {
      const { e } = dirFd(fd, RIGHTS.PATH_FILESTAT_GET)
      const m = core.mem()
      const n = vfs().lookup(e.ino, pathArg(m, pathPtr, pathLen), (flags & LOOKUP_SYMLINK_FOLLOW) !== 0)
      writeFilestat(core, m, u32(ptr), n)
      return ERRNO.SUCCESS
    },
    path_filestat_set_times: (fd: number, flags: number, pathPtr: number, pathLen: number, atim: bigint, mtim: bigint, fst: number) => {
      const { e } = dirFd(fd, RIGHTS.PATH_FILESTAT_SET_TIMES)
      const n = vfs().lookup(e.ino, pathArg(core.mem(), pathPtr, pathLen), (flags & LOOKUP_SYMLINK_FOLLOW) !== 0)
      setTimes(core, n, atim, mtim, fst)
      return ERRNO.SUCCESS
    },
    path_link: (oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
      const { e: a } = dirFd(oldFd, RIGHTS.PATH_LINK_SOURCE)
      const { e: b } = dirFd(newFd, RIGHTS.PATH_LINK_TARGET)
      const m = core.mem()
      vfs().hardlink(a.ino, pathArg(m, oldPtr, oldLen), (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0, b.ino, pathArg(m, newPtr, newLen))
      return ERRNO.SUCCESS
    },
    path_readlink: (fd: number, pathPtr: number, pathLen: number, buf: number, bufLen: number, usedPtr: number) => {
      const { e } = dirFd(fd, RIGHTS.PATH_READLINK)
      const m = core.mem()
      const r = vfs().resolve(e.ino, pathArg(m, pathPtr, pathLen), false)
      if (r.node == null) return ERRNO.NOENT
      if (r.node.type !== 'symlink' || r.slash) return r.slash && r.node.type !== 'dir' && r.node.type !== 'symlink' ? ERRNO.NOTDIR : ERRNO.INVAL
      const t = enc.encode(r.node.target)
      const n = Math.min(t.byteLength, u32(bufLen))
      m.check(u32(usedPtr), 4)
      m.write(u32(buf), t.subarray(0, n))
      m.setU32(u32(usedPtr), n)
      return ERRNO.SUCCESS
    },
    path_remove_directory: (fd: number, pathPtr: number, pathLen: number) => {
      const { e } = dirFd(fd, RIGHTS.PATH_REMOVE_DIRECTORY)
      vfs().rmdir(e.ino, pathArg(core.mem(), pathPtr, pathLen))
      return ERRNO.SUCCESS
    },
    path_rename: (fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
      const { e: a } = dirFd(fd, RIGHTS.PATH_RENAME_SOURCE)
      const { e: b } = dirFd(newFd, RIGHTS.PATH_RENAME_TARGET)
      const m = core.mem()
      vfs().rename(a.ino, pathArg(m, oldPtr, oldLen), b.ino, pathArg(m, newPtr, newLen))
      return ERRNO.SUCCESS
    },
    path_symlink: (oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) => {
      const { e } = dirFd(fd, RIGHTS.PATH_SYMLINK)
      const m = core.mem()
      vfs().symlink(pathArg(m, oldPtr, oldLen), e.ino, pathArg(m, newPtr, newLen))
      return ERRNO.SUCCESS
    },
    path_unlink_file: (fd: number, pathPtr: number, pathLen: number) => {
      const { e } = dirFd(fd, RIGHTS.PATH_UNLINK_FILE)
      vfs().unlink(e.ino, pathArg(core.mem(), pathPtr, pathLen))
      return ERRNO.SUCCESS
    }
  }
  return fns
}

