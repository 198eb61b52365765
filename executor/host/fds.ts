/**
 * The instance's fd table, as on Linux: fds 0-2 start as the client streams
 * (input, stdout, stderr), the preopened directories follow at 3, 4, ... and
 * the Gate packet fd comes after them (4 when there is at most one preopen,
 * as Gate has it; wasi-libc stops enumerating preopens at the first EBADF
 * from fd_prestat_get, which the Gate fd answers). Files and directories
 * opened by path_open take the lowest free fd from 3. fd_close closes any fd
 * but the Gate fd; fd_renumber moves any fd but the Gate fd onto another
 * (dup2 + close). `tty` says which client streams are a terminal on the
 * user's side: only those report a character device (wasi-libc isatty()).
 */
import type { HostStateValue } from '../types.js'
import { HostStateError } from './errors.js'
import { arr, big, bool, int, obj, str } from './state.js'

export type StdStream = 'stdin' | 'stdout' | 'stderr'
export const STD_STREAMS: readonly StdStream[] = ['stdin', 'stdout', 'stderr']

export interface TtyFlags { stdin: boolean, stdout: boolean, stderr: boolean }

/** An open file or directory of the virtual filesystem. */
export interface NodeFd {
  kind: 'node'
  ino: number
  /** Byte offset (files); readdir does not use it. */
  offset: number
  /** fdflags (append, nonblock, sync...). */
  flags: number
  base: bigint
  inheriting: bigint
  /** Set for a preopened directory: its index in the preopen list. */
  preopen?: number
  /** Under a read-only preopen: writes fail with EROFS. */
  ro: boolean
}

export type FdEntry =
  | { kind: 'stream', stream: StdStream, flags: number }
  | { kind: 'gate' }
  | NodeFd

/** Open fds an instance may hold. */
export const MAX_FDS = 4096

export class FdTable {
  private readonly fds = new Map<number, FdEntry>()
  readonly tty: TtyFlags
  readonly gateFd: number

  constructor (tty: Partial<TtyFlags> | undefined, preopens: number) {
    this.tty = { stdin: tty?.stdin === true, stdout: tty?.stdout === true, stderr: tty?.stderr === true }
    STD_STREAMS.forEach((s, i) => this.fds.set(i, { kind: 'stream', stream: s, flags: 0 }))
    this.gateFd = preopens <= 1 ? 4 : 3 + preopens
    this.fds.set(this.gateFd, { kind: 'gate' })
  }

  get (fd: number): FdEntry | undefined { return this.fds.get(fd) }

  /** The client stream fd refers to, if it refers to one. */
  stream (fd: number): StdStream | undefined {
    const e = this.fds.get(fd)
    return e?.kind === 'stream' ? e.stream : undefined
  }

  isGate (fd: number): boolean { return fd === this.gateFd }

  /** Put an entry at a given fd (preopens at launch). */
  set (fd: number, e: FdEntry): void { this.fds.set(fd, e) }

  /** MAX_FDS are open. */
  full (): boolean { return this.fds.size >= MAX_FDS }

  /** The lowest free fd from 3; undefined when MAX_FDS are open. */
  alloc (e: FdEntry): number | undefined {
    if (this.fds.size >= MAX_FDS) return undefined
    let fd = 3
    while (this.fds.has(fd)) fd++
    this.fds.set(fd, e)
    return fd
  }

  /** Remove and return an open fd's entry. */
  close (fd: number): FdEntry | undefined {
    const e = this.fds.get(fd)
    if (e != null) this.fds.delete(fd)
    return e
  }

  /**
   * dup2(from, to) + close(from); returns the entry `to` held before (for
   * the caller to release), or false if `from` is not open.
   */
  renumber (from: number, to: number): FdEntry | undefined | false {
    const e = this.fds.get(from)
    if (e == null) return false
    if (from === to) return undefined
    const was = this.fds.get(to)
    this.fds.set(to, e)
    this.fds.delete(from)
    return was
  }

  entries (): IterableIterator<[number, FdEntry]> { return this.fds.entries() }

  save (): HostStateValue {
    const list: HostStateValue[] = []
    for (const [fd, e] of [...this.fds].sort((a, b) => a[0] - b[0])) {
      if (e.kind === 'gate') continue
      if (e.kind === 'stream') list.push({ fd, kind: 'stream', stream: e.stream, flags: e.flags })
      else list.push({ fd, kind: 'node', ino: e.ino, offset: e.offset, flags: e.flags, base: e.base, inheriting: e.inheriting, preopen: e.preopen ?? null, ro: e.ro })
    }
    return { gateFd: this.gateFd, tty: { ...this.tty }, fds: list }
  }

  /**
   * From saved state; `legacy` is the std-fd record of snapshots from before
   * the filesystem ({slots: [stream|null ×3], tty}).
   */
  static restore (v: HostStateValue | undefined, legacy: HostStateValue | undefined): FdTable {
    if (v == null) return FdTable.fromLegacy(legacy)
    const o = obj(v, 'fds')
    const t = obj(o.tty, 'fds.tty')
    const table = new FdTable({ stdin: bool(t.stdin, 'fds.tty.stdin'), stdout: bool(t.stdout, 'fds.tty.stdout'), stderr: bool(t.stderr, 'fds.tty.stderr') }, 0)
    const gateFd = int(o.gateFd, 'fds.gateFd')
    table.fds.clear();
    (table as { gateFd: number }).gateFd = gateFd
    table.fds.set(gateFd, { kind: 'gate' })
    arr(o.fds, 'fds.fds').forEach((x, i) => {
      const e = obj(x, `fds[${i}]`)
      const fd = int(e.fd, `fds[${i}].fd`)
      if (fd < 0 || table.fds.has(fd)) throw new HostStateError(`fds[${i}]: bad fd ${fd}`)
      const kind = str(e.kind, `fds[${i}].kind`)
      if (kind === 'stream') {
        const s = str(e.stream, `fds[${i}].stream`) as StdStream
        if (!STD_STREAMS.includes(s)) throw new HostStateError(`fds[${i}].stream: unknown stream`)
        table.fds.set(fd, { kind: 'stream', stream: s, flags: int(e.flags, `fds[${i}].flags`) })
      } else if (kind === 'node') {
        table.fds.set(fd, {
          kind: 'node',
          ino: int(e.ino, `fds[${i}].ino`),
          offset: int(e.offset, `fds[${i}].offset`),
          flags: int(e.flags, `fds[${i}].flags`),
          base: big(e.base, `fds[${i}].base`),
          inheriting: big(e.inheriting, `fds[${i}].inheriting`),
          preopen: e.preopen == null ? undefined : int(e.preopen, `fds[${i}].preopen`),
          ro: bool(e.ro, `fds[${i}].ro`)
        })
      } else throw new HostStateError(`fds[${i}].kind: unknown kind ${kind}`)
    })
    return table
  }

  private static fromLegacy (v: HostStateValue | undefined): FdTable {
    if (v == null) return new FdTable(undefined, 0)
    const o = obj(v, 'stdio')
    const t = obj(o.tty, 'stdio.tty')
    const table = new FdTable({ stdin: bool(t.stdin, 'stdio.tty.stdin'), stdout: bool(t.stdout, 'stdio.tty.stdout'), stderr: bool(t.stderr, 'stdio.tty.stderr') }, 0)
    const slots = o.slots
    if (!Array.isArray(slots) || slots.length !== 3) throw new HostStateError('stdio.slots: expected an array of 3')
    slots.forEach((s, i) => {
      if (s !== null && !STD_STREAMS.includes(s as StdStream)) throw new HostStateError(`stdio.slots[${i}]: expected a stream name or null`)
      if (s === null) table.fds.delete(i)
      else table.fds.set(i, { kind: 'stream', stream: s as StdStream, flags: 0 })
    })
    return table
  }
}
