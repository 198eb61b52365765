/**
 * poll_oneoff: clock subscriptions (relative or absolute, any clock id 0-3)
 * and fd readiness on stdin (client input), stdout/stderr (always writable)
 * and the Gate fd; std fds as core.fds maps them (closed: EBADF). If nothing is ready it waits and is restarted; the start
 * time of relative timeouts is kept across restarts (HostCore.waitBase).
 */
import type { HostCore } from './core.js'
import { CLOCK, ERRNO, EVENT_SIZE, EVENTRWFLAGS_HANGUP, EVENTTYPE, SUBCLOCKFLAGS_ABSTIME, SUBSCRIPTION_SIZE } from './wasi-types.js'

/** Readiness reported for the Gate fd, as Gate does. */
const GATE_NBYTES = 65536n
const STD_WRITE_NBYTES = 0x7fffffffn

interface Event { userdata: bigint, error: number, type: number, nbytes: bigint, flags: number }

export function pollOneoff (core: HostCore, inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number {
  if (nsubs === 0) return ERRNO.INVAL
  const m = core.mem()
  m.check(inPtr, nsubs * SUBSCRIPTION_SIZE)
  m.check(outPtr, nsubs * EVENT_SIZE)
  m.check(neventsPtr, 4)

  const key = `poll:${inPtr}:${nsubs}`
  const base = core.waitBase(key)
  const now = core.monoNs()
  const events: Event[] = []
  let deadline: bigint | undefined
  let waitInput = false
  let waitPackets = false

  for (let i = 0; i < nsubs; i++) {
    const p = inPtr + i * SUBSCRIPTION_SIZE
    const userdata = m.u64(p)
    const tag = m.u8At(p + 8)
    const ev = (type: number, error: number, nbytes = 0n, flags = 0): void => { events.push({ userdata, error, type, nbytes, flags }) }
    if (tag === EVENTTYPE.CLOCK) {
      const id = m.u32(p + 16)
      const timeout = m.u64(p + 24)
      const abs = (m.u16(p + 40) & SUBCLOCKFLAGS_ABSTIME) !== 0
      if (id > CLOCK.THREAD_CPUTIME) { ev(tag, ERRNO.INVAL); continue }
      let at: bigint
      if (!abs) at = base + timeout
      else if (id === CLOCK.REALTIME) at = now + (timeout - core.realNs())
      else at = timeout
      if (now >= at) ev(tag, ERRNO.SUCCESS)
      else if (deadline == null || at < deadline) deadline = at
    } else if (tag === EVENTTYPE.FD_READ || tag === EVENTTYPE.FD_WRITE) {
      const fd = m.u32(p + 16)
      const read = tag === EVENTTYPE.FD_READ
      const e = core.fds.get(fd)
      const s = e?.kind === 'stream' ? e.stream : undefined
      if (e?.kind === 'node') {
        // files are always ready (as on Linux); nbytes: what a read would get
        const n = core.vfs.nodes.get(e.ino)
        if (n?.type === 'dir') ev(tag, ERRNO.BADF)
        else ev(tag, ERRNO.SUCCESS, read && n?.type === 'file' ? BigInt(Math.max(0, n.data.size - e.offset)) : 0n)
      } else if (read && s === 'stdin') {
        if (core.input.readable) ev(tag, ERRNO.SUCCESS, BigInt(core.input.available), core.input.available === 0 ? EVENTRWFLAGS_HANGUP : 0)
        else waitInput = true
      } else if (read && e?.kind === 'gate') {
        if (core.gate.readable) ev(tag, ERRNO.SUCCESS, GATE_NBYTES)
        else waitPackets = true
      } else if (!read && (s === 'stdout' || s === 'stderr')) {
        // writable unless past the output rate: then when the wait is over
        const delay = core.rt.outputDelayNs?.() ?? 0n
        if (delay === 0n) ev(tag, ERRNO.SUCCESS, STD_WRITE_NBYTES)
        else if (deadline == null || now + delay < deadline) deadline = now + delay
      } else if (!read && e?.kind === 'gate') {
        ev(tag, ERRNO.SUCCESS, GATE_NBYTES)
      } else {
        ev(tag, e != null ? ERRNO.PERM : ERRNO.BADF)
      }
    } else {
      ev(tag, ERRNO.INVAL)
    }
  }

  if (events.length === 0) {
    core.wait({ input: waitInput, packets: waitPackets, deadlineNs: deadline }, key, base)
    return ERRNO.SUCCESS
  }
  core.done()
  events.forEach((e, i) => {
    const q = outPtr + i * EVENT_SIZE
    m.u8.fill(0, q, q + EVENT_SIZE)
    m.setU64(q, e.userdata)
    m.setU16(q + 8, e.error)
    m.setU8(q + 10, e.type)
    m.setU64(q + 16, e.nbytes)
    m.setU16(q + 24, e.flags)
  })
  m.setU32(neventsPtr, events.length)
  return ERRNO.SUCCESS
}
