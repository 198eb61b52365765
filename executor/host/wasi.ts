/**
 * WASI preview1 (gate-reference §1.3, with this project's differences:
 * fd 0 reads client input and blocks, args/env come from the launch,
 * random_get serves any length, clocks 2/3 read the monotonic clock, and
 * a virtual filesystem of preopened trees, wasi-fs.ts). The fd table
 * (fds.ts) holds the client streams, the Gate fd and open files; this file
 * serves the streams and the Gate fd and hands files to wasi-fs.ts. Every
 * function returns an errno; failures are thrown as WasiError /
 * AbiDeficiency and mapped by the wrapper.
 */
import type { HostCore } from './core.js'
import { AbiDeficiency, WasiError } from './errors.js'
import { totalLength, u32 } from './memory-view.js'
import { pollOneoff } from './poll.js'
import { CLOCK, ERRNO, FDFLAGS, FDSTAT_SIZE, RIGHTS } from './wasi-types.js'
import { fdStat, fsFunctions } from './wasi-fs.js'

type Fn = (...args: any[]) => number | undefined

const enc = new TextEncoder()

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
  const fs = fsFunctions(core)
  const clockNs = (id: number): bigint => {
    switch (id) {
      case CLOCK.REALTIME: return core.realNs()
      case CLOCK.MONOTONIC:
      case CLOCK.PROCESS_CPUTIME:
      case CLOCK.THREAD_CPUTIME: return core.monoNs()
      default: throw new WasiError(ERRNO.INVAL, `clock ${id}`)
    }
  }
  /** A call on a file or directory goes to wasi-fs.ts; streams and the Gate fd get `other` (EBADF if closed). */
  const onNode = (name: string, other: number): Fn => {
    const f = fs[name]
    return (fd: number, ...rest: any[]) => {
      const e = core.fds.get(fd)
      if (e == null) return ERRNO.BADF
      return e.kind === 'node' ? f(fd, ...rest) : other
    }
  }

  const fns: Record<string, Fn> = {
    ...fs,
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
      const e = core.fds.get(fd)
      if (e == null) return ERRNO.BADF
      if (e.kind === 'node') return fs.fd_read(fd, iovPtr, iovCnt, nreadPtr)
      if (e.kind === 'stream' && e.stream !== 'stdin') return ERRNO.BADF
      const m = core.mem()
      const iovs = m.iovecs(u32(iovPtr), u32(iovCnt))
      m.check(u32(nreadPtr), 4)
      const want = totalLength(iovs)
      if (e.kind === 'stream') {
        if (want > 0 && !core.input.readable) {
          if ((e.flags & FDFLAGS.NONBLOCK) !== 0) return ERRNO.AGAIN
          core.wait({ input: true }); return ERRNO.SUCCESS
        }
        core.done()
        // straight from the queued chunks into the program's buffers
        let n = 0
        for (const v of iovs) {
          const k = core.input.takeInto(m.u8.subarray(v.ptr, v.ptr + v.len))
          n += k
          if (k < v.len) break
        }
        m.setU32(u32(nreadPtr), n)
        return ERRNO.SUCCESS
      }
      const data = core.gate.read(want)
      if (data.byteLength === 0 && want > 0) return ERRNO.AGAIN
      m.scatter(iovs, data)
      m.setU32(u32(nreadPtr), data.byteLength)
      return ERRNO.SUCCESS
    },

    fd_write: (fd: number, iovPtr: number, iovCnt: number, nwrittenPtr: number) => {
      const e = core.fds.get(fd)
      if (e == null) return ERRNO.BADF
      if (e.kind === 'node') return fs.fd_write(fd, iovPtr, iovCnt, nwrittenPtr)
      if (e.kind === 'stream' && e.stream === 'stdin') return ERRNO.BADF
      const m = core.mem()
      const iovs = m.iovecs(u32(iovPtr), u32(iovCnt))
      m.check(u32(nwrittenPtr), 4)
      const data = m.gather(iovs)
      if (e.kind === 'gate') core.gate.write(data)
      else if (data.byteLength > 0) core.rt.output(e.stream === 'stdout' ? 1 : 2, data)
      // output() may have run arbitrary runtime code: take a fresh view.
      core.mem().setU32(u32(nwrittenPtr), data.byteLength)
      return ERRNO.SUCCESS
    },

    fd_pread: onNode('fd_pread', ERRNO.SPIPE),
    fd_pwrite: onNode('fd_pwrite', ERRNO.SPIPE),
    fd_allocate: onNode('fd_allocate', ERRNO.SPIPE),
    fd_filestat_set_size: onNode('fd_filestat_set_size', ERRNO.INVAL),
    fd_filestat_set_times: onNode('fd_filestat_set_times', ERRNO.SUCCESS),
    fd_readdir: onNode('fd_readdir', ERRNO.NOTDIR),
    fd_sync: onNode('fd_sync', ERRNO.INVAL),
    fd_datasync: onNode('fd_datasync', ERRNO.INVAL),

    fd_fdstat_get: (fd: number, ptr: number) => {
      const st = fdStat(core, fd)
      if (st == null) return ERRNO.BADF
      const m = core.mem()
      m.check(u32(ptr), FDSTAT_SIZE)
      m.u8.fill(0, u32(ptr), u32(ptr) + FDSTAT_SIZE)
      m.setU8(u32(ptr), st.filetype)
      m.setU16(u32(ptr) + 2, st.flags)
      m.setU64(u32(ptr) + 8, st.rightsBase)
      m.setU64(u32(ptr) + 16, st.rightsInheriting)
      return ERRNO.SUCCESS
    },

    fd_fdstat_set_flags: (fd: number, flags: number) => {
      const e = core.fds.get(fd)
      if (e == null) return ERRNO.BADF
      if ((flags & ~0x1f) !== 0) return ERRNO.INVAL
      if (e.kind === 'gate') return flags === FDFLAGS.NONBLOCK ? ERRNO.SUCCESS : ERRNO.NOTSUP
      // as Linux F_SETFL: append and nonblock change, the sync flags stay as opened
      const mask = FDFLAGS.APPEND | FDFLAGS.NONBLOCK
      if (e.kind === 'node' && (e.base & RIGHTS.FD_FDSTAT_SET_FLAGS) === 0n) return ERRNO.NOTCAPABLE
      e.flags = (e.flags & ~mask) | (flags & mask)
      return ERRNO.SUCCESS
    },

    fd_fdstat_set_rights: (fd: number, base: bigint, inheriting: bigint) => {
      const st = fdStat(core, fd)
      if (st == null) return ERRNO.BADF
      const b = BigInt.asUintN(64, base)
      const i = BigInt.asUintN(64, inheriting)
      if ((b & ~st.rightsBase) !== 0n || (i & ~st.rightsInheriting) !== 0n) return ERRNO.NOTCAPABLE
      const e = core.fds.get(fd)
      if (e?.kind === 'node') { e.base = b; e.inheriting = i; return ERRNO.SUCCESS }
      if (b !== st.rightsBase || i !== st.rightsInheriting) throw new AbiDeficiency(`dropping rights of fd ${fd} is not supported`)
      return ERRNO.SUCCESS
    },

    // Output written before a close has already gone to the runtime.
    fd_close: (fd: number) => {
      if (core.fds.isGate(fd)) throw new AbiDeficiency(`closing fd ${fd} is not supported`)
      const e = core.fds.close(fd)
      if (e == null) return ERRNO.BADF
      if (e.kind === 'node') core.vfs.release(e.ino)
      return ERRNO.SUCCESS
    },

    // dup2(from, to) + close(from). The target must be open, or one of 0-2
    // (a closed std fd can be filled again); the Gate fd cannot move or be replaced.
    fd_renumber: (from: number, to: number) => {
      if (core.fds.get(from) == null) return ERRNO.BADF
      if (core.fds.isGate(from) || core.fds.isGate(to)) {
        if (from === to) return ERRNO.SUCCESS
        throw new AbiDeficiency(`renumbering fd ${from} to ${to} is not supported`)
      }
      if (core.fds.get(to) == null && !(to >= 0 && to <= 2)) return ERRNO.BADF
      const was = core.fds.renumber(from, to)
      if (was === false) return ERRNO.BADF
      if (was?.kind === 'node') core.vfs.release(was.ino)
      return ERRNO.SUCCESS
    },

    fd_seek: onNode('fd_seek', ERRNO.SPIPE),
    fd_tell: onNode('fd_tell', ERRNO.SPIPE),
    fd_advise: onNode('fd_advise', ERRNO.SPIPE),

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

    sock_recv: (fd: number) => core.fds.get(fd) != null ? ERRNO.NOTSOCK : ERRNO.BADF,
    sock_send: (fd: number) => core.fds.get(fd) != null ? ERRNO.NOTSOCK : ERRNO.BADF,
    sock_accept: (fd: number) => core.fds.get(fd) != null ? ERRNO.NOTSOCK : ERRNO.BADF,
    sock_shutdown: (fd: number) => core.fds.get(fd) != null ? ERRNO.NOTSOCK : ERRNO.BADF
  }

  const out: Record<string, Fn> = {}
  for (const [k, v] of Object.entries(fns)) out[`wasi.${k}`] = v
  return out
}
