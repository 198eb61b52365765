/**
 * The virtual filesystem's inode tree: directories, regular files, symlinks
 * and hard links, path resolution confined to a starting directory (no path
 * can name anything above the directory it is resolved from: `..` there,
 * an absolute path or an absolute symlink is ENOTCAPABLE, as cap-std and
 * wasmtime do it), a byte budget (ENOSPC), and save/restore as an FsImage.
 * Every failure is a WasiError with the errno a POSIX program expects.
 * Nothing here touches the host's filesystem.
 */
import { WasiError } from '../errors.js'
import { ERRNO } from '../wasi-types.js'
import { FileData } from './file-data.js'
import type { DirEntryImage, FsImage, FsNodeImage, PreopenImage, Times } from './image.js'
import { big as bigOf, int as intOf } from '../state.js'

export interface DirEntry { ino: number, cookie: number }
export interface DirNode { ino: number, type: 'dir', parent: number, entries: Map<string, DirEntry>, nextCookie: number, times: Times }
export interface FileNode { ino: number, type: 'file', nlink: number, data: FileData, times: Times }
export interface LinkNode { ino: number, type: 'symlink', nlink: number, target: string, times: Times }
export type Node = DirNode | FileNode | LinkNode

/** Bytes each inode counts against the limit besides its data (a million empty files are not free). */
export const INODE_COST = 512
export const NAME_MAX = 255
export const PATH_MAX = 4096
/** Symlinks followed in one resolution before ELOOP (Linux: 40). */
export const SYMLOOP_MAX = 40

export interface Resolved {
  /** The directory holding the final name. */
  dir: DirNode
  /** The final component ('.' when the path names `dir` itself). */
  name: string
  /** What the name refers to, if anything (not followed if it is a symlink and following was off). */
  node?: Node
  /** The path ended in '/': the final name must be a directory. */
  slash: boolean
}

const fail = (errno: number, what: string): never => { throw new WasiError(errno, what) }

export class Vfs {
  readonly nodes = new Map<number, Node>()
  nextIno = 1
  preopens: PreopenImage[] = []
  /** Bytes counted against `limit`: file data + INODE_COST per inode. */
  used = 0
  /** Open fds per inode: an unlinked file lives while one is open. */
  private readonly refs = new Map<number, number>()

  constructor (public limit: number, readonly clock: () => bigint) {}

  // ---------------------------------------------------------------- nodes

  get (ino: number): Node {
    const n = this.nodes.get(ino)
    if (n == null) return fail(ERRNO.BADF, `inode ${ino} is gone`)
    return n
  }

  dir (ino: number): DirNode {
    const n = this.get(ino)
    if (n.type !== 'dir') return fail(ERRNO.NOTDIR, 'not a directory')
    return n
  }

  private charge (bytes: number): void {
    if (bytes > 0 && this.used + bytes > this.limit) fail(ERRNO.NOSPC, 'filesystem limit reached')
    this.used += bytes
  }

  /** Bytes that may still be added. */
  room (): number { return Math.max(0, this.limit - this.used) }

  private add<T extends Node> (make: (ino: number) => T): T {
    this.charge(INODE_COST)
    const n = make(this.nextIno++)
    this.nodes.set(n.ino, n)
    return n
  }

  private times (): Times { const t = this.clock(); return [t, t, t] }

  private touchDir (d: DirNode): void { const t = this.clock(); d.times[1] = t; d.times[2] = t }

  hold (ino: number): void { this.refs.set(ino, (this.refs.get(ino) ?? 0) + 1) }

  release (ino: number): void {
    const r = (this.refs.get(ino) ?? 0) - 1
    if (r > 0) { this.refs.set(ino, r); return }
    this.refs.delete(ino)
    this.collect(ino)
  }

  /** Drop an inode nobody names or holds open. */
  private collect (ino: number): void {
    const n = this.nodes.get(ino)
    if (n == null || this.refs.has(ino)) return
    if (n.type === 'dir' ? n.parent !== -1 : n.nlink > 0) return
    this.nodes.delete(ino)
    this.used -= INODE_COST + (n.type === 'file' ? n.data.size : 0)
  }

  // ---------------------------------------------------------------- paths

  /**
   * Resolve `path` from directory `base`. Intermediate symlinks are always
   * followed; the final one only with `follow` (or when the path ends in
   * '/', unless follow is 'never': rmdir("link/") is ENOTDIR on Linux).
   */
  resolve (base: number, path: string, follow: boolean | 'never'): Resolved {
    if (path.length === 0) fail(ERRNO.NOENT, 'empty path')
    if (path.includes('\0')) fail(ERRNO.INVAL, 'NUL in path')
    if (path.startsWith('/')) fail(ERRNO.NOTCAPABLE, 'absolute path')
    if (Buffer.byteLength(path) > PATH_MAX) fail(ERRNO.NAMETOOLONG, 'path too long')
    const stack: DirNode[] = [this.dir(base)]
    // components still to walk, next one last
    const todo = splitPath(path).reverse()
    let slash = path.endsWith('/')
    let links = 0
    for (;;) {
      const top = stack[stack.length - 1]
      const name = todo.pop()
      if (name == null) return { dir: stack.length > 1 ? stack[stack.length - 2] : top, name: '.', node: top, slash }
      const last = todo.length === 0
      if (name === '.') { if (last) return { dir: top, name: '.', node: top, slash }; continue }
      if (name === '..') {
        if (stack.length === 1) fail(ERRNO.NOTCAPABLE, 'path leaves its directory')
        stack.pop()
        if (last) { const d = stack[stack.length - 1]; return { dir: d, name: '..', node: d, slash } }
        continue
      }
      if (Buffer.byteLength(name) > NAME_MAX) fail(ERRNO.NAMETOOLONG, 'file name too long')
      const e = top.entries.get(name)
      const node = e != null ? this.nodes.get(e.ino) : undefined
      if (node == null) {
        if (last) return { dir: top, name, slash }
        return fail(ERRNO.NOENT, 'no such file or directory')
      }
      if (node.type === 'symlink' && (!last || follow === true || (slash && follow !== 'never'))) {
        if (++links > SYMLOOP_MAX) fail(ERRNO.LOOP, 'too many symlinks')
        if (node.target.startsWith('/')) fail(ERRNO.NOTCAPABLE, 'absolute symlink')
        if (node.target.length === 0) fail(ERRNO.NOENT, 'empty symlink')
        const more = splitPath(node.target)
        if (last && node.target.endsWith('/')) slash = true
        for (let i = more.length - 1; i >= 0; i--) todo.push(more[i])
        if (more.length === 0) todo.push('.')
        continue
      }
      if (last) return { dir: top, name, node, slash }
      if (node.type !== 'dir') fail(ERRNO.NOTDIR, 'not a directory')
      stack.push(node as DirNode)
    }
  }

  /** Resolve to an existing node (ENOENT otherwise; ENOTDIR for a trailing '/' on a non-directory). */
  lookup (base: number, path: string, follow: boolean): Node {
    const r = this.resolve(base, path, follow)
    if (r.node == null) return fail(ERRNO.NOENT, 'no such file or directory')
    if (r.slash && r.node.type !== 'dir') fail(ERRNO.NOTDIR, 'not a directory')
    return r.node
  }

  /** Resolve for creating a new name: it must not exist. */
  private forNew (base: number, path: string): Resolved {
    const r = this.resolve(base, path, false)
    if (r.node != null) fail(ERRNO.EXIST, 'file exists')
    return r
  }

  /** Nothing can be created in a directory removed while open (Linux: ENOENT). */
  private alive (d: DirNode): void {
    if (d.parent === -1) fail(ERRNO.NOENT, 'the directory was removed')
  }

  private link (d: DirNode, name: string, ino: number): void {
    d.entries.set(name, { ino, cookie: d.nextCookie++ })
    this.touchDir(d)
  }

  private unlinkName (d: DirNode, name: string): void {
    d.entries.delete(name)
    this.touchDir(d)
  }

  // ---------------------------------------------------------------- operations

  createFile (d: DirNode, name: string): FileNode {
    this.alive(d)
    const f = this.add(ino => ({ ino, type: 'file' as const, nlink: 1, data: new FileData(), times: this.times() }))
    this.link(d, name, f.ino)
    return f
  }

  mkdir (base: number, path: string): void {
    const r = this.forNew(base, path)
    this.alive(r.dir)
    const d = this.add(ino => ({ ino, type: 'dir' as const, parent: r.dir.ino, entries: new Map(), nextCookie: 2, times: this.times() }))
    this.link(r.dir, r.name, d.ino)
  }

  symlink (target: string, base: number, path: string): void {
    if (target.includes('\0')) fail(ERRNO.INVAL, 'NUL in symlink target')
    // it could never be followed (resolve refuses absolute targets): refuse it now, as wasmtime does
    if (target.startsWith('/')) fail(ERRNO.NOTCAPABLE, 'absolute symlink target')
    if (target.length === 0) fail(ERRNO.NOENT, 'empty symlink target')
    if (Buffer.byteLength(target) > PATH_MAX) fail(ERRNO.NAMETOOLONG, 'symlink target too long')
    const r = this.forNew(base, path)
    if (r.slash) fail(ERRNO.NOENT, 'trailing slash on a new symlink')
    this.alive(r.dir)
    this.charge(Buffer.byteLength(target))
    const l = this.add(ino => ({ ino, type: 'symlink' as const, nlink: 1, target, times: this.times() }))
    this.link(r.dir, r.name, l.ino)
  }

  hardlink (oldBase: number, oldPath: string, follow: boolean, newBase: number, newPath: string): void {
    const src = this.lookup(oldBase, oldPath, follow)
    if (src.type === 'dir') return fail(ERRNO.PERM, 'hard link to a directory')
    const r = this.resolve(newBase, newPath, false)
    if (r.node != null) fail(ERRNO.EXIST, 'file exists')
    if (r.slash) fail(ERRNO.NOENT, 'trailing slash on a new link')
    this.alive(r.dir)
    src.nlink++
    src.times[2] = this.clock()
    this.link(r.dir, r.name, src.ino)
  }

  unlink (base: number, path: string): void {
    const r = this.resolve(base, path, false)
    if (r.node == null) fail(ERRNO.NOENT, 'no such file or directory')
    const n = r.node as Node
    if (n.type === 'dir') return fail(ERRNO.ISDIR, 'is a directory')
    if (r.slash) fail(ERRNO.NOTDIR, 'not a directory')
    this.unlinkName(r.dir, r.name)
    n.nlink--
    n.times[2] = this.clock()
    this.collect(n.ino)
  }

  rmdir (base: number, path: string): void {
    const r = this.resolve(base, path, 'never')
    if (r.node == null) fail(ERRNO.NOENT, 'no such file or directory')
    const n = r.node as Node
    if (n.type !== 'dir') fail(ERRNO.NOTDIR, 'not a directory')
    if (r.name === '.') fail(ERRNO.INVAL, 'cannot remove "."')
    if (r.name === '..') fail(ERRNO.NOTEMPTY, 'cannot remove ".."')
    if ((n as DirNode).entries.size > 0) fail(ERRNO.NOTEMPTY, 'directory not empty')
    this.unlinkName(r.dir, r.name);
    (n as DirNode).parent = -1
    this.collect(n.ino)
  }

  rename (oldBase: number, oldPath: string, newBase: number, newPath: string): void {
    const from = this.resolve(oldBase, oldPath, false)
    if (from.node == null) fail(ERRNO.NOENT, 'no such file or directory')
    const src = from.node as Node
    if (from.name === '.' || from.name === '..') fail(ERRNO.BUSY, 'cannot rename "." or ".."')
    if (from.slash && src.type !== 'dir') fail(ERRNO.NOTDIR, 'not a directory')
    const to = this.resolve(newBase, newPath, false)
    if (to.name === '.' || to.name === '..') fail(to.node === src ? ERRNO.INVAL : ERRNO.BUSY, 'cannot rename onto "." or ".."')
    if (to.slash && src.type !== 'dir') fail(to.node == null ? ERRNO.NOTDIR : (to.node.type === 'dir' ? ERRNO.ISDIR : ERRNO.NOTDIR), 'not a directory')
    const dst = to.node
    this.alive(to.dir)
    if (src.type === 'dir') {
      // not into itself or below
      for (let d: DirNode | undefined = to.dir; d != null; d = d.parent === d.ino ? undefined : this.nodes.get(d.parent) as DirNode | undefined) {
        if (d.ino === src.ino) fail(ERRNO.INVAL, 'directory moved into itself')
      }
    }
    if (dst != null) {
      if (dst === src) return
      if (src.type === 'dir') {
        if (dst.type !== 'dir') fail(ERRNO.NOTDIR, 'not a directory')
        if ((dst as DirNode).entries.size > 0) fail(ERRNO.NOTEMPTY, 'directory not empty')
      } else if (dst.type === 'dir') fail(ERRNO.ISDIR, 'is a directory')
    }
    if (dst != null) {
      this.unlinkName(to.dir, to.name)
      if (dst.type === 'dir') dst.parent = -1
      else dst.nlink--
      this.collect(dst.ino)
    }
    this.unlinkName(from.dir, from.name)
    this.link(to.dir, to.name, src.ino)
    if (src.type === 'dir') src.parent = to.dir.ino
    src.times[2] = this.clock()
  }

  // ---------------------------------------------------------------- file data

  /** Write into a file, at most what the budget allows (a short write), ENOSPC when nothing fits. */
  write (f: FileNode, off: number, src: Uint8Array): number {
    const grow = Math.max(0, off + src.byteLength - f.data.size)
    let n = src.byteLength
    if (grow > this.room()) {
      n = Math.max(0, src.byteLength - (grow - this.room()))
      if (n === 0 && src.byteLength > 0) fail(ERRNO.NOSPC, 'filesystem limit reached')
    }
    if (n === 0) return 0
    const before = f.data.size
    f.data.write(off, n === src.byteLength ? src : src.subarray(0, n))
    this.used += f.data.size - before
    const t = this.clock()
    f.times[1] = t
    f.times[2] = t
    return n
  }

  resize (f: FileNode, size: number): void {
    if (size > Number.MAX_SAFE_INTEGER) fail(ERRNO.FBIG, 'file too large')
    const delta = size - f.data.size
    if (delta > 0) this.charge(delta)
    else this.used += delta
    f.data.resize(size)
    const t = this.clock()
    f.times[1] = t
    f.times[2] = t
  }

  // ---------------------------------------------------------------- image

  save (): FsImage {
    const nodes: FsNodeImage[] = []
    for (const n of [...this.nodes.values()].sort((a, b) => a.ino - b.ino)) {
      const times: Times = [n.times[0], n.times[1], n.times[2]]
      if (n.type === 'dir') {
        const entries: DirEntryImage[] = [...n.entries].map(([name, e]) => ({ name, ino: e.ino, cookie: e.cookie }))
        nodes.push({ ino: n.ino, type: 'dir', parent: n.parent, entries, nextCookie: n.nextCookie, times })
      } else if (n.type === 'file') {
        nodes.push({ ino: n.ino, type: 'file', nlink: n.nlink, size: n.data.size, chunks: n.data.save(), times })
      } else {
        nodes.push({ ino: n.ino, type: 'symlink', nlink: n.nlink, target: n.target, times })
      }
    }
    return { nextIno: this.nextIno, nodes, preopens: this.preopens.map(p => ({ ...p })) }
  }

  /** Load an image (a launch's trees or a saved state); checks what it can and throws WasiError(INVAL) on nonsense. */
  static load (image: FsImage, limit: number, clock: () => bigint): Vfs {
    const v = new Vfs(limit, clock)
    v.nextIno = intOf(image.nextIno, 'fs.nextIno')
    for (const raw of image.nodes) {
      const ino = intOf(raw.ino, 'fs inode')
      if (ino <= 0 || ino >= v.nextIno || v.nodes.has(ino)) fail(ERRNO.INVAL, `fs: bad inode number ${ino}`)
      const times = raw.times.map((t, i) => bigOf(t, `fs inode ${ino} time ${i}`)) as Times
      let n: Node
      if (raw.type === 'dir') {
        const entries = new Map<string, DirEntry>()
        for (const e of raw.entries) entries.set(e.name, { ino: intOf(e.ino, 'fs entry'), cookie: intOf(e.cookie, 'fs cookie') })
        n = { ino, type: 'dir', parent: intOf(raw.parent, 'fs parent'), entries, nextCookie: intOf(raw.nextCookie, 'fs nextCookie'), times }
      } else if (raw.type === 'file') {
        const size = intOf(raw.size, 'fs size')
        n = { ino, type: 'file', nlink: intOf(raw.nlink, 'fs nlink'), data: new FileData(size, raw.chunks), times }
        v.used += size
      } else if (raw.type === 'symlink') {
        n = { ino, type: 'symlink', nlink: intOf(raw.nlink, 'fs nlink'), target: String(raw.target), times }
        v.used += Buffer.byteLength(n.target)
      } else {
        return fail(ERRNO.INVAL, `fs: inode ${ino} has an unknown type`)
      }
      v.used += INODE_COST
      v.nodes.set(ino, n)
    }
    for (const n of v.nodes.values()) {
      if (n.type !== 'dir') continue
      for (const [name, e] of n.entries) {
        if (!v.nodes.has(e.ino)) fail(ERRNO.INVAL, `fs: entry ${JSON.stringify(name)} names a missing inode`)
        if (e.cookie >= n.nextCookie || e.cookie < 2) fail(ERRNO.INVAL, 'fs: bad directory cookie')
      }
    }
    v.preopens = image.preopens.map(p => {
      const ino = intOf(p.ino, 'fs preopen')
      if (v.nodes.get(ino)?.type !== 'dir') fail(ERRNO.INVAL, `fs: preopen ${JSON.stringify(p.name)} is not a directory`)
      return { name: String(p.name), ino, readonly: p.readonly === true }
    })
    return v
  }
}

/** Path components; empty ones (from '//' or a trailing '/') dropped. */
function splitPath (p: string): string[] {
  return p.split('/').filter(c => c.length > 0)
}
