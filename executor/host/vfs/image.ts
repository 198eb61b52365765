/**
 * FsImage: a whole virtual filesystem as plain data (structured-clone and
 * dag-cbor safe). It is what a launch is given (the preopened trees), what
 * an instance's saved state holds (with the fd table beside it, see
 * fd-table.ts) and what comes back when an instance ends (write-back).
 *
 * File contents are chunks of FILE_CHUNK bytes (the last one shorter; null =
 * all zeros), the same split UnixFS's default importer makes, so a chunk's
 * raw CID is the UnixFS leaf's CID.
 */

/** 256 KiB, as the UnixFS importer's default fixed chunker and the memory chunks of a snapshot. */
export const FILE_CHUNK = 256 * 1024

/** [atim, mtim, ctim] in ns since the epoch. */
export type Times = [bigint, bigint, bigint]

export interface DirEntryImage { name: string, ino: number, cookie: number }

export type FsNodeImage =
  | { ino: number, type: 'dir', parent: number, entries: DirEntryImage[], nextCookie: number, times: Times }
  | { ino: number, type: 'file', nlink: number, size: number, chunks: Array<Uint8Array | null>, times: Times }
  | { ino: number, type: 'symlink', nlink: number, target: string, times: Times }

export interface PreopenImage {
  /** The guest path wasi-libc sees (fd_prestat_dir_name), e.g. "/" or "/data". */
  name: string
  /** The directory's inode. */
  ino: number
  /** No write rights on anything opened under it. */
  readonly: boolean
}

export interface FsImage {
  /** Next inode number to hand out. */
  nextIno: number
  /** Every inode, in ascending ino order. */
  nodes: FsNodeImage[]
  /** In fd order: preopen i is fd 3 + i. */
  preopens: PreopenImage[]
}

/** An entry of walkImage. */
export type WalkEntry =
  | { path: string, type: 'dir', times: Times }
  | { path: string, type: 'file', size: number, chunks: Array<Uint8Array | null>, times: Times, ino: number, nlink: number }
  | { path: string, type: 'symlink', target: string, times: Times }

const nowTimes = (ns: bigint): Times => [ns, ns, ns]

/** Builds an FsImage: e.g. from a host directory (cli) or from a UnixFS tree. */
export class FsBuilder {
  private nextIno = 1
  private readonly nodes = new Map<number, FsNodeImage>()
  private readonly preopens: PreopenImage[] = []

  constructor (private readonly nowNs: bigint = BigInt(Date.now()) * 1_000_000n) {}

  /** A new empty directory preopened as `name`; returns its ino. */
  preopen (name: string, opts: { readonly?: boolean, times?: Times } = {}): number {
    const ino = this.nextIno++
    this.nodes.set(ino, { ino, type: 'dir', parent: ino, entries: [], nextCookie: 2, times: opts.times ?? nowTimes(this.nowNs) })
    this.preopens.push({ name, ino, readonly: opts.readonly === true })
    return ino
  }

  private link (parent: number, name: string, ino: number): void {
    const d = this.nodes.get(parent)
    if (d?.type !== 'dir') throw new Error(`inode ${parent} is not a directory`)
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw new Error(`bad file name ${JSON.stringify(name)}`)
    if (d.entries.some(e => e.name === name)) throw new Error(`${JSON.stringify(name)} exists`)
    d.entries.push({ name, ino, cookie: d.nextCookie++ })
  }

  mkdir (parent: number, name: string, times?: Times): number {
    const ino = this.nextIno++
    this.nodes.set(ino, { ino, type: 'dir', parent, entries: [], nextCookie: 2, times: times ?? nowTimes(this.nowNs) })
    this.link(parent, name, ino)
    return ino
  }

  file (parent: number, name: string, bytes: Uint8Array, times?: Times): number {
    const ino = this.nextIno++
    this.nodes.set(ino, { ino, type: 'file', nlink: 1, size: bytes.byteLength, chunks: chunksOf(bytes), times: times ?? nowTimes(this.nowNs) })
    this.link(parent, name, ino)
    return ino
  }

  /** Another name for an existing file (a hard link). */
  hardlink (parent: number, name: string, ino: number): void {
    const f = this.nodes.get(ino)
    if (f?.type !== 'file') throw new Error(`inode ${ino} is not a file`)
    f.nlink++
    this.link(parent, name, ino)
  }

  symlink (parent: number, name: string, target: string, times?: Times): number {
    const ino = this.nextIno++
    this.nodes.set(ino, { ino, type: 'symlink', nlink: 1, target, times: times ?? nowTimes(this.nowNs) })
    this.link(parent, name, ino)
    return ino
  }

  build (): FsImage {
    return { nextIno: this.nextIno, nodes: [...this.nodes.values()].sort((a, b) => a.ino - b.ino), preopens: [...this.preopens] }
  }
}

/** Split bytes into FILE_CHUNK chunks (views, not copies); all-zero chunks become null. */
export function chunksOf (bytes: Uint8Array): Array<Uint8Array | null> {
  const out: Array<Uint8Array | null> = []
  for (let off = 0; off < bytes.byteLength; off += FILE_CHUNK) {
    const c = bytes.subarray(off, Math.min(off + FILE_CHUNK, bytes.byteLength))
    out.push(c.every(b => b === 0) ? null : c)
  }
  return out
}

/** The bytes of a file node (size bytes; null chunks are zeros). */
export function fileBytes (f: { size: number, chunks: Array<Uint8Array | null> }): Uint8Array {
  const out = new Uint8Array(f.size)
  f.chunks.forEach((c, i) => { if (c != null) out.set(c.subarray(0, Math.max(0, Math.min(c.byteLength, f.size - i * FILE_CHUNK))), i * FILE_CHUNK) })
  return out
}

/**
 * Every entry under preopen `index`, parents before children, paths relative
 * to the preopen ("a/b.txt"), entries of a directory in name order.
 */
export function * walkImage (image: FsImage, index = 0): Generator<WalkEntry> {
  const nodes = new Map(image.nodes.map(n => [n.ino, n]))
  const pre = image.preopens[index]
  if (pre == null) return
  const seen = new Set<number>([pre.ino])
  function * dir (ino: number, prefix: string): Generator<WalkEntry> {
    const d = nodes.get(ino)
    if (d?.type !== 'dir') return
    for (const e of [...d.entries].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) {
      const n = nodes.get(e.ino)
      const path = prefix + e.name
      if (n == null) continue
      if (n.type === 'dir') {
        if (seen.has(n.ino)) continue
        seen.add(n.ino)
        yield { path, type: 'dir', times: n.times }
        yield * dir(n.ino, path + '/')
      } else if (n.type === 'file') {
        yield { path, type: 'file', size: n.size, chunks: n.chunks, times: n.times, ino: n.ino, nlink: n.nlink }
      } else {
        yield { path, type: 'symlink', target: n.target, times: n.times }
      }
    }
  }
  yield * dir(pre.ino, '')
}
