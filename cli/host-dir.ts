/**
 * `gate run --dir HOST[::GUEST][:ro]`: a host directory loaded into the
 * instance's in-memory filesystem, and the differences written back to it
 * when the instance ends. doc/rationale.md: "Why --dir is written back per
 * file, atomically".
 *
 * Write-back never writes through a symlink and never touches anything
 * outside HOST: every path is built from validated names under HOST's real
 * path, each existing parent component is lstat'ed (it must be a real
 * directory) right before the change, files are replaced by rename of a
 * temp file made with O_EXCL in the same directory, and the final
 * component is only ever unlinked, renamed over, or created.
 */
import { constants } from 'node:fs'
import { link, lstat, mkdir, open, readdir, readlink, realpath, rename, rmdir, symlink, unlink } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join, sep } from 'node:path'
import { FILE_CHUNK, fileBytes, walkImage, type FsBuilder, type FsImage, type Times, type WalkEntry } from '../executor/host/vfs/image.js'
import { UsageError } from './errors.js'

export interface DirSpec {
  /** The host directory as given. */
  host: string
  /** The guest path it is preopened as. */
  guest: string
  readonly: boolean
}

/** What was loaded from one host directory: enough to write the differences back. */
export interface LoadedDir extends DirSpec {
  /** HOST's real path (the root everything is written under). */
  root: string
  /** Its preopen's index in the image. */
  index: number
}

export type Warn = (message: string) => void
const stderrWarn: Warn = m => { process.stderr.write(`gate: ${m}\n`) }

/** `HOST[::GUEST][:ro]` (wasmtime's spelling, plus :ro). GUEST defaults to HOST as given. */
export function parseDirSpec (s: string): DirSpec {
  let rest = s
  let readonly = false
  if (rest.endsWith(':ro')) { readonly = true; rest = rest.slice(0, -3) }
  const i = rest.indexOf('::')
  const host = i >= 0 ? rest.slice(0, i) : rest
  const guest = i >= 0 ? rest.slice(i + 2) : rest
  if (host === '' || guest === '') throw new UsageError(`--dir wants HOST[::GUEST][:ro], got ${JSON.stringify(s)}`)
  return { host, guest, readonly }
}

const timesOf = (st: { atimeNs: bigint, mtimeNs: bigint, ctimeNs: bigint }): Times => [st.atimeNs, st.mtimeNs, st.ctimeNs]

/**
 * Load a host directory as a new preopen of `b`: regular files (bytes and
 * times), directories, symlinks as symlinks (never followed); files with
 * the same dev+ino inside the tree become hard links; other types are
 * skipped with a warning.
 */
export async function loadHostDir (b: FsBuilder, spec: DirSpec, index: number, warn: Warn = stderrWarn): Promise<LoadedDir> {
  let root: string
  try { root = await realpath(spec.host) } catch (err) { throw new UsageError(`--dir ${spec.host}: ${(err as Error).message}`) }
  const top = await lstat(root, { bigint: true })
  if (!top.isDirectory()) throw new UsageError(`--dir ${spec.host}: not a directory`)
  const preIno = b.preopen(spec.guest, { readonly: spec.readonly, times: timesOf(top) })
  const links = new Map<string, number>()
  const walk = async (dir: string, ino: number, rel: string): Promise<void> => {
    const names = (await readdir(dir)).sort()
    for (const name of names) {
      const p = join(dir, name)
      const shown = rel + name
      let st
      try { st = await lstat(p, { bigint: true }) } catch (err) { warn(`--dir ${spec.host}: skipped ${shown}: ${(err as Error).message}`); continue }
      if (st.isDirectory()) {
        await walk(p, b.mkdir(ino, name, timesOf(st)), shown + '/')
      } else if (st.isSymbolicLink()) {
        b.symlink(ino, name, await readlink(p), timesOf(st))
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`
        const seen = st.nlink > 1n ? links.get(key) : undefined
        if (seen != null) { b.hardlink(ino, name, seen); continue }
        const bytes = await readNoFollow(p)
        if (bytes == null) { warn(`--dir ${spec.host}: skipped ${shown}: changed while loading`); continue }
        const fino = b.file(ino, name, bytes, timesOf(st))
        if (st.nlink > 1n) links.set(key, fino)
      } else {
        warn(`--dir ${spec.host}: skipped ${shown}: not a regular file, directory or symlink`)
      }
    }
  }
  await walk(root, preIno, '')
  return { ...spec, root, index }
}

/** A regular file's bytes, opened without following a symlink (null if it is not a regular file any more). */
async function readNoFollow (p: string): Promise<Uint8Array | null> {
  let fh
  try { fh = await open(p, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK) } catch { return null }
  try {
    if (!(await fh.stat()).isFile()) return null
    const buf = await fh.readFile()
    // its own ArrayBuffer: a view into a shared one would be cloned whole to the worker
    return buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? new Uint8Array(buf.buffer, 0, buf.byteLength) : new Uint8Array(buf)
  } finally { await fh.close() }
}

export interface WriteBackReport {
  /** Relative paths (under HOST) of what was written, created or removed. */
  written: string[]
  created: string[]
  removed: string[]
  /** Entries refused or failed (also passed to warn). */
  errors: string[]
}

type FileEntry = Extract<WalkEntry, { type: 'file' }>

function sameBytes (a: FileEntry, b: FileEntry): boolean {
  if (a.size !== b.size) return false
  const n = Math.ceil(a.size / FILE_CHUNK)
  for (let i = 0; i < n; i++) {
    const len = Math.min(FILE_CHUNK, a.size - i * FILE_CHUNK)
    const x = a.chunks[i]
    const y = b.chunks[i]
    if (x == null && y == null) continue
    const bx = x == null ? undefined : Buffer.from(x.buffer, x.byteOffset, Math.min(len, x.byteLength))
    const by = y == null ? undefined : Buffer.from(y.buffer, y.byteOffset, Math.min(len, y.byteLength))
    if (bx == null) { if (!isZero(by!)) return false; continue }
    if (by == null) { if (!isZero(bx)) return false; continue }
    if (bx.byteLength !== by.byteLength) { if (!sameZeroPadded(bx, by, len)) return false; continue }
    if (!bx.equals(by)) return false
  }
  return true
}
const isZero = (b: Uint8Array): boolean => b.every(x => x === 0)
function sameZeroPadded (a: Uint8Array, b: Uint8Array, len: number): boolean {
  for (let i = 0; i < len; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return false
  return true
}

const validName = (n: string): boolean => n !== '' && n !== '.' && n !== '..' && !n.includes('\0') && !n.includes('/') && !n.includes(sep)

/** Groups of paths sharing an inode (hard links), keyed by each member path. */
function linkGroups (entries: Map<string, WalkEntry>): Map<string, string> {
  const byIno = new Map<number, string[]>()
  for (const e of entries.values()) if (e.type === 'file') { const g = byIno.get(e.ino) ?? []; g.push(e.path); byIno.set(e.ino, g) }
  const out = new Map<string, string>()
  for (const g of byIno.values()) { const key = JSON.stringify(g.sort()); for (const p of g) out.set(p, key) }
  return out
}

/**
 * Apply to HOST what changed between the image that was loaded (`initial`)
 * and the instance's final one: removed entries go, new directories are
 * made, new or changed files are written (temp file + rename; hard-link
 * groups as groups), new or changed symlinks are made (temp link + rename).
 * A read-only directory is never written. Refusals and failures are
 * reported and skipped; the rest goes on.
 */
export async function writeBack (dir: LoadedDir, initial: FsImage, final: FsImage, warn: Warn = stderrWarn): Promise<WriteBackReport> {
  const report: WriteBackReport = { written: [], created: [], removed: [], errors: [] }
  if (dir.readonly) return report
  const fail = (rel: string, why: string): void => {
    const m = `--dir ${dir.host}: not written back: ${rel}: ${why}`
    report.errors.push(m)
    warn(m)
  }
  const pre = final.preopens[dir.index]
  if (pre == null || pre.name !== initial.preopens[dir.index]?.name) { fail('.', 'the instance\'s filesystem has no such preopen'); return report }
  const before = new Map<string, WalkEntry>()
  for (const e of walkImage(initial, dir.index)) before.set(e.path, e)
  const after = new Map<string, WalkEntry>()
  for (const e of walkImage(final, dir.index)) {
    if (!e.path.split('/').every(validName)) { fail(JSON.stringify(e.path), 'not a valid path'); continue }
    after.set(e.path, e)
  }
  const root = dir.root.endsWith(sep) ? dir.root.slice(0, -1) : dir.root // "/" -> ""

  /** The absolute path of `rel` after checking that every existing parent under root is a real directory. */
  const checked = async (rel: string): Promise<string> => {
    const parts = rel.split('/')
    let p = root
    for (const part of parts.slice(0, -1)) {
      p = p + sep + part
      const st = await lstat(p)
      if (st.isSymbolicLink()) throw new Error(`${p} is a symlink`)
      if (!st.isDirectory()) throw new Error(`${p} is not a directory`)
    }
    const abs = p + sep + parts[parts.length - 1]
    if (!abs.startsWith(root + sep)) throw new Error('outside the directory')
    return abs
  }
  const tempBeside = (abs: string): string => {
    const i = abs.lastIndexOf(sep)
    return `${abs.slice(0, i)}${sep}.${abs.slice(i + 1)}.gate-${randomBytes(6).toString('hex')}.tmp`
  }

  // 1. removals, children before parents: gone, or of another type now
  const gone = [...before.values()].filter(e => after.get(e.path)?.type !== e.type).map(e => e.path).reverse()
  for (const rel of gone) {
    const e = before.get(rel)!
    try {
      const abs = await checked(rel)
      if (e.type === 'dir') await rmdir(abs)
      else await unlink(abs)
      report.removed.push(rel)
    } catch (err: any) {
      if (err?.code === 'ENOENT') continue // already gone on the host
      fail(rel, `cannot remove: ${err?.message as string}`)
    }
  }

  // 2. directories, files and symlinks, parents first
  const groupsBefore = linkGroups(before)
  const groupsAfter = linkGroups(after)
  const doneGroups = new Set<string>()
  for (const e of after.values()) {
    const rel = e.path
    const old = before.get(rel)
    try {
      if (e.type === 'dir') {
        if (old?.type === 'dir') continue
        await mkdir(await checked(rel))
        report.created.push(rel)
      } else if (e.type === 'symlink') {
        if (old?.type === 'symlink' && old.target === e.target) continue
        const abs = await checked(rel)
        const tmp = tempBeside(abs)
        await symlink(e.target, tmp)
        try { await rename(tmp, abs) } catch (err) { await unlink(tmp).catch(() => {}); throw err }
        report.written.push(rel)
      } else {
        const key = groupsAfter.get(rel)!
        if (doneGroups.has(key)) continue
        doneGroups.add(key)
        const group = JSON.parse(key) as string[]
        const dirty = group.some(p => {
          const o = before.get(p)
          return o?.type !== 'file' || groupsBefore.get(p) !== key || !sameBytes(o, after.get(p) as FileEntry) || o.times[1] !== (after.get(p) as FileEntry).times[1]
        })
        if (!dirty) continue
        await writeGroup(group, e, checked, tempBeside, fail, report)
      }
    } catch (err: any) {
      fail(rel, err?.message ?? String(err))
    }
  }
  return report
}

/** Write one file (all its hard links): the first path from a temp file, the others linked to it, each renamed into place. */
async function writeGroup (group: string[], e: FileEntry, checked: (rel: string) => Promise<string>, tempBeside: (abs: string) => string, fail: (rel: string, why: string) => void, report: WriteBackReport): Promise<void> {
  const [first, ...others] = group
  const abs = await checked(first)
  const tmp = tempBeside(abs)
  let mode: number | undefined // an existing file keeps its mode; a new one gets 0666 less the umask
  try { const st = await lstat(abs); if (st.isFile()) mode = st.mode & 0o7777 } catch {}
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666)
  try {
    await fh.writeFile(fileBytes(e))
    if (mode != null) await fh.chmod(mode)
    const mtime = new Date(Number(e.times[1] / 1_000_000n))
    await fh.utimes(new Date(Number(e.times[0] / 1_000_000n)), mtime)
  } catch (err) {
    await fh.close(); await unlink(tmp).catch(() => {}); throw err
  }
  await fh.close()
  try { await rename(tmp, abs) } catch (err) { await unlink(tmp).catch(() => {}); throw err }
  report.written.push(first)
  for (const rel of others) {
    try {
      const dst = await checked(rel)
      const t = tempBeside(dst)
      await link(abs, t)
      try { await rename(t, dst) } catch (err) { await unlink(t).catch(() => {}); throw err }
      report.written.push(rel)
    } catch (err: any) {
      fail(rel, err?.message ?? String(err))
    }
  }
}
