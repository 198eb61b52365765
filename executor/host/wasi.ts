/**
 * WASI preview1 (gate-reference §1.3, with this project's differences:
 * fd 0 reads client input and blocks, args/env come from the launch,
 * random_get serves any length, clocks 2/3 read the monotonic clock).
 * There is no filesystem. fd 0-2 can be closed and renumbered among
 * themselves as on Linux (fds.ts); the Gate fd 4 is fixed. Every function returns an errno; failures are
 * thrown as WasiError / AbiDeficiency and mapped by the wrapper.
 */
import type { HostCore } from './core.js'
import { AbiDeficiency, WasiError } from './errors.js'
import { totalLength, u32 } from './memory-view.js'
import { pollOneoff } from './poll.js'
import { CLOCK, ERRNO, FD_GATE, fdStat } from './wasi-types.js'

type Fn = (...args: any[]) => number | undefined

const enc = new TextEncoder()

/** True for the fds that are open: the Gate fd and the std fds not closed. */
function isOpen (core: HostCore, fd: number): boolean {
  return fd === FD_GATE || core.fds.stream(fd) != null
}

/** Write a list of NUL-terminated strings: pointers at `ptrs`, bytes at `buf`. */
function writeStrings (core: HostCore, list: string[], ptrs: number, buf: number): number {
  const m = core.mem()
  const encoded = list.map(s => enc.encode(s + '\0'))
  m.check(ptrs, list.length * 4)
  m.check(buf, encoded.reduce((n, b) => n + b.byteLength, 0))
  let off = buf
  encoded.forEach((b, i) => { m.setU32(ptrs + i * 4, off); m.write(off, b); off += b.byteLength })
  return ERRNO.SUCCESS
}

function writeSizes (core: HostCore, list: string[], countPtr: number, sizePtr: number): number {
  const m = core.mem()
  m.check(countPtr, 4)
  m.check(sizePtr, 4)
  m.setU32(countPtr, list.length)
  m.setU32(sizePtr, list.reduce((n, s) => n + enc.encode(s).byteLength + 1, 0))
  return ERRNO.SUCCESS
}

export function wasiFunctions (core: HostCore): Record<string, Fn> {
  /** EPERM for the fds that are open, EBADF for the rest. */
  const notPermitted = (fd: number): number => isOpen(core, fd) ? ERRNO.PERM : ERRNO.BADF
  const clockNs = (id: number): bigint => {
    switch (id) {
      case CLOCK.REALTIME: return core.realNs()
      case CLOCK.MONOTONIC:
      case CLOCK.PROCESS_CPUTIME:
      case CLOCK.THREAD_CPUTIME: return core.monoNs()
      default: throw new WasiError(ERRNO.INVAL, `clock ${id}`)
    }
  }

  const fns: Record<string, Fn> = {
    args_sizes_get: (argc, size) => writeSizes(core, core.args, u32(argc), u32(size)),
    args_get: (argv, buf) => writeStrings(core, core.args, u32(argv), u32(buf)),
    environ_sizes_get: (count, size) => writeSizes(core, core.env, u32(count), u32(size)),
    environ_get: (envp, buf) => writeStrings(core, core.env, u32(envp), u32(buf)),

    clock_res_get: (id: number, ptr: number) => {
      if (id < 0 || id > 3) return ERRNO.INVAL
      core.mem().setU64(u32(ptr), 1n)
      return ERRNO.SUCCESS
    },
    clock_time_get: (id: number, _precision: bigint, ptr: number) => {
      const m = core.mem()
      m.check(u32(ptr), 8)
      m.setU64(u32(ptr), clockNs(id))
      return ERRNO.SUCCESS
    },

    fd_read: (fd: number, iovPtr: number, iovCnt: number, nreadPtr: number) => {
      const stdin = core.fds.stream(fd) === 'stdin'
      if (!stdin && fd !== FD_GATE) return notPermitted(fd)
      const m = core.mem()
      const iovs = m.iovecs(u32(iovPtr), u32(iovCnt))
      m.check(u32(nreadPtr), 4)
      const want = totalLength(iovs)
      let data: Uint8Array
      if (stdin) {
        if (want > 0 && !core.input.readable) { core.wait({ input: true }); return ERRNO.SUCCESS }
        core.done()
        data = core.input.take(want)
      } else {
        data = core.gate.read(want)
        if (data.byteLength === 0 && want > 0) return ERRNO.AGAIN
      }
      m.scatter(iovs, data)
      m.setU32(u32(nreadPtr), data.byteLength)
      return ERRNO.SUCCESS
    },

    fd_write: (fd: number, iovPtr: number, iovCnt: number, nwrittenPtr: number) => {
      const s = core.fds.stream(fd)
      const out = s === 'stdout' ? 1 : s === 'stderr' ? 2 : undefined
      if (out == null && fd !== FD_GATE) return notPermitted(fd)
      const m = core.mem()
      const iovs = m.iovecs(u32(iovPtr), u32(iovCnt))
      m.check(u32(nwrittenPtr), 4)
      const data = m.gather(iovs)
      if (out == null) core.gate.write(data)
      else if (data.byteLength > 0) core.rt.output(out, data)
      // output() may have run arbitrary runtime code: take a fresh view.
      core.mem().setU32(u32(nwrittenPtr), data.byteLength)
      return ERRNO.SUCCESS
    },

    fd_fdstat_get: (fd: number, ptr: number) => {
      const st = fdStat(core.fds, fd)
      if (st == null) return ERRNO.BADF
      const m = core.mem()
      m.check(u32(ptr), 24)
      m.u8.fill(0, u32(ptr), u32(ptr) + 24)
      m.setU8(u32(ptr), st.filetype)
      m.setU16(u32(ptr) + 2, st.flags)
      m.setU64(u32(ptr) + 8, st.rightsBase)
      m.setU64(u32(ptr) + 16, st.rightsInheriting)
      return ERRNO.SUCCESS
    },

    fd_fdstat_set_rights: (fd: number, base: bigint, inheriting: bigint) => {
      const st = fdStat(core.fds, fd)
      if (st == null) return ERRNO.BADF
      const b = BigInt.asUintN(64, base)
      const i = BigInt.asUintN(64, inheriting)
      if ((b & ~st.rightsBase) !== 0n || (i & ~st.rightsInheriting) !== 0n) return ERRNO.NOTCAPABLE
      if (b !== st.rightsBase || i !== st.rightsInheriting) throw new AbiDeficiency(`dropping rights of fd ${fd} is not supported`)
      return ERRNO.SUCCESS
    },

    // Output written before a close has already gone to the runtime.
    fd_close: (fd: number) => {
      if (fd === FD_GATE) throw new AbiDeficiency(`closing fd ${fd} is not supported`)
      return core.fds.close(fd) ? ERRNO.SUCCESS : ERRNO.BADF
    },

    // Like dup2(from, to) + close(from). Only among fd 0-2 (open or closed
    // target); the Gate fd cannot move or be replaced; other targets are EBADF.
    fd_renumber: (from: number, to: number) => {
      if (!isOpen(core, from)) return ERRNO.BADF
      if (from === FD_GATE || to === FD_GATE) {
        if (from === to) return ERRNO.SUCCESS
        throw new AbiDeficiency(`renumbering fd ${from} to ${to} is not supported`)
      }
      return core.fds.renumber(from, to) ? ERRNO.SUCCESS : ERRNO.BADF
    },

    fd_prestat_get: (fd: number) => notPermitted(fd),
    fd_prestat_dir_name: (fd: number) => notPermitted(fd),

    poll_oneoff: (inPtr: number, outPtr: number, nsubs: number, neventsPtr: number) =>
      pollOneoff(core, u32(inPtr), u32(outPtr), u32(nsubs), u32(neventsPtr)),

    proc_exit: (code: number) => core.rt.exit(code >>> 0),
    proc_raise: (sig: number) => { throw new AbiDeficiency(`proc_raise(${sig}) is not supported`) },
    sched_yield: () => ERRNO.SUCCESS,

    random_get: (ptr: number, len: number) => {
      const m = core.mem()
      m.check(u32(ptr), u32(len))
      m.write(u32(ptr), core.entropy.take(u32(len)))
      return ERRNO.SUCCESS
    },

    sock_recv: (fd: number) => isOpen(core, fd) ? ERRNO.NOTSOCK : ERRNO.BADF,
    sock_send: (fd: number) => isOpen(core, fd) ? ERRNO.NOTSOCK : ERRNO.BADF,
    sock_accept: (fd: number) => isOpen(core, fd) ? ERRNO.NOTSOCK : ERRNO.BADF,
    sock_shutdown: (fd: number) => notPermitted(fd)
  }

  // The rest of fd_*: EPERM on open fds, EBADF otherwise.
  for (const name of ['fd_advise', 'fd_allocate', 'fd_datasync', 'fd_fdstat_set_flags', 'fd_filestat_get', 'fd_filestat_set_size',
    'fd_filestat_set_times', 'fd_pread', 'fd_pwrite', 'fd_readdir', 'fd_seek', 'fd_sync', 'fd_tell']) {
    fns[name] = (fd: number) => notPermitted(fd)
  }
  // No filesystem: path_* on open fds are not capable, EBADF otherwise.
  for (const name of ['path_create_directory', 'path_filestat_get', 'path_filestat_set_times', 'path_link', 'path_open',
    'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink', 'path_unlink_file']) {
    fns[name] = (fd: number) => isOpen(core, fd) ? ERRNO.NOTCAPABLE : ERRNO.BADF
  }

  const out: Record<string, Fn> = {}
  for (const [k, v] of Object.entries(fns)) out[`wasi.${k}`] = v
  return out
}
