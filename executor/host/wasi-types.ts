/** WASI preview1 constants used by the host ABI. */
import type { StdFds } from './fds.js'

export const ERRNO = {
  SUCCESS: 0,
  AGAIN: 6,
  BADF: 8,
  FAULT: 21,
  INVAL: 28,
  NOTSOCK: 57,
  PERM: 63,
  NOTCAPABLE: 76
} as const

export const FILETYPE = {
  UNKNOWN: 0,
  CHARACTER_DEVICE: 2
} as const

export const FDFLAGS_NONBLOCK = 1 << 2

export const RIGHTS = {
  FD_READ: 1n << 1n,
  FD_WRITE: 1n << 6n,
  POLL_FD_READWRITE: 1n << 27n
} as const

export const CLOCK = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 } as const

export const EVENTTYPE = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const
export const SUBCLOCKFLAGS_ABSTIME = 1
export const EVENTRWFLAGS_HANGUP = 1

/** Layout sizes. */
export const SUBSCRIPTION_SIZE = 48
export const EVENT_SIZE = 32
export const FDSTAT_SIZE = 24

/** The fds that can exist: stdin, stdout, stderr (each may be closed or moved, see fds.ts) and the Gate packet fd. */
export const FD_STDIN = 0
export const FD_STDOUT = 1
export const FD_STDERR = 2
export const FD_GATE = 4

export interface FdStat { filetype: number, flags: number, rightsBase: bigint, rightsInheriting: bigint }

/**
 * fd_fdstat_get answers for an open fd (gate-reference §1.3, plus FD_READ on
 * stdin). A std stream is a character device only when it is a terminal on
 * the user's side; otherwise it is reported as wasmtime reports a pipe
 * (FILETYPE_UNKNOWN), so wasi-libc's isatty() says no. Neither has SEEK/TELL.
 */
export function fdStat (fds: StdFds, fd: number): FdStat | undefined {
  if (fd === FD_GATE) return { filetype: FILETYPE.UNKNOWN, flags: FDFLAGS_NONBLOCK, rightsBase: RIGHTS.FD_READ | RIGHTS.FD_WRITE | RIGHTS.POLL_FD_READWRITE, rightsInheriting: 0n }
  const s = fds.stream(fd)
  if (s == null) return undefined
  const filetype = fds.tty[s] ? FILETYPE.CHARACTER_DEVICE : FILETYPE.UNKNOWN
  const rw = s === 'stdin' ? RIGHTS.FD_READ : RIGHTS.FD_WRITE
  return { filetype, flags: 0, rightsBase: rw | RIGHTS.POLL_FD_READWRITE, rightsInheriting: 0n }
}
