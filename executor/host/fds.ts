/**
 * The standard fds 0-2 as on Linux: each refers to one of the instance's
 * streams (client input, stdout, stderr) or is closed. fd_close closes a
 * slot; fd_renumber moves a stream to another std slot (dup2 + close), so
 * e.g. renumbering 2 onto 1 sends fd 1's writes to stderr. The Gate packet
 * fd (4) is not in this table: it is always open and cannot move.
 * `tty` says which streams are a terminal on the user's side: only those
 * report a character device (wasi-libc isatty()).
 */
import type { HostStateValue } from '../types.js'
import { HostStateError } from './errors.js'
import { bool, obj } from './state.js'

export type StdStream = 'stdin' | 'stdout' | 'stderr'
export const STD_STREAMS: readonly StdStream[] = ['stdin', 'stdout', 'stderr']

export interface TtyFlags { stdin: boolean, stdout: boolean, stderr: boolean }

export class StdFds {
  /** fd 0-2 -> the stream it refers to, or null when closed. */
  private readonly slots: Array<StdStream | null> = ['stdin', 'stdout', 'stderr']
  readonly tty: TtyFlags

  constructor (tty?: Partial<TtyFlags>) {
    this.tty = { stdin: tty?.stdin === true, stdout: tty?.stdout === true, stderr: tty?.stderr === true }
  }

  static isStdSlot (fd: number): boolean { return fd === 0 || fd === 1 || fd === 2 }

  /** The stream fd refers to; undefined for closed fds and fds outside 0-2. */
  stream (fd: number): StdStream | undefined {
    return StdFds.isStdSlot(fd) ? this.slots[fd] ?? undefined : undefined
  }

  /** Close an open std fd; false if it is not open. */
  close (fd: number): boolean {
    if (this.stream(fd) == null) return false
    this.slots[fd] = null
    return true
  }

  /** dup2(from, to) + close(from) within 0-2; false if `from` is not open or `to` is not a std slot. */
  renumber (from: number, to: number): boolean {
    const s = this.stream(from)
    if (s == null || !StdFds.isStdSlot(to)) return false
    if (from !== to) {
      this.slots[to] = s
      this.slots[from] = null
    }
    return true
  }

  save (): HostStateValue {
    return { slots: [...this.slots], tty: { ...this.tty } }
  }

  /** No saved value (a snapshot from before this existed): all open, no terminal. */
  static restore (v: HostStateValue | undefined): StdFds {
    if (v == null) return new StdFds()
    const o = obj(v, 'stdio')
    const t = obj(o.tty, 'stdio.tty')
    const fds = new StdFds({ stdin: bool(t.stdin, 'stdio.tty.stdin'), stdout: bool(t.stdout, 'stdio.tty.stdout'), stderr: bool(t.stderr, 'stdio.tty.stderr') })
    const slots = o.slots
    if (!Array.isArray(slots) || slots.length !== 3) throw new HostStateError('stdio.slots: expected an array of 3')
    slots.forEach((s, i) => {
      if (s !== null && !STD_STREAMS.includes(s as StdStream)) throw new HostStateError(`stdio.slots[${i}]: expected a stream name or null`)
      fds.slots[i] = s as StdStream | null
    })
    return fds
  }
}
