/**
 * Gate's own imports (gate-reference §1.2): `gate.fd` and the N form of
 * `gate.io`. gate.io writes first, then reads; if it could move nothing and
 * has a timeout it waits (and is restarted), keeping the first call's start
 * time so a timeout does not restart with it.
 */
import { FLAG_STARTED_OR_RESUMED, type HostCore } from './core.js'
import { type IoVec, totalLength, u32 } from './memory-view.js'

export function gateFunctions (core: HostCore): Record<string, (...args: any[]) => any> {
  return {
    'gate.fd': () => core.fds.gateFd,
    'gate.io': (recvIov: number, recvCnt: number, nrecvPtr: number, sendIov: number, sendCnt: number, nsentPtr: number, timeout: bigint, flagsPtr: number): void => {
      const m = core.mem()
      const recv: IoVec[] = u32(recvIov) !== 0 ? m.iovecs(u32(recvIov), u32(recvCnt)) : []
      const send: IoVec[] = u32(sendIov) !== 0 ? m.iovecs(u32(sendIov), u32(sendCnt)) : []
      if (u32(nrecvPtr) !== 0) m.check(u32(nrecvPtr), 4)
      if (u32(nsentPtr) !== 0) m.check(u32(nsentPtr), 4)
      if (u32(flagsPtr) !== 0) m.check(u32(flagsPtr), 8)
      const recvLen = totalLength(recv)
      const sendLen = totalLength(send)
      timeout = BigInt.asIntN(64, timeout)

      if (sendLen === 0 && !core.gate.readable && timeout !== 0n) {
        const key = `io:${timeout}`
        const base = core.waitBase(key)
        const deadline = timeout > 0n ? base + timeout : undefined
        if (deadline == null || core.monoNs() < deadline) {
          core.wait({ packets: true, deadlineNs: deadline }, key, base)
          return
        }
      }
      core.done()

      if (sendLen > 0) core.gate.write(m.gather(send))
      const data = recvLen > 0 ? core.gate.read(recvLen) : new Uint8Array(0)
      const mm = core.mem()
      mm.scatter(recv, data)
      if (u32(nrecvPtr) !== 0) mm.setU32(u32(nrecvPtr), data.byteLength)
      if (u32(nsentPtr) !== 0) mm.setU32(u32(nsentPtr), sendLen)
      if (u32(flagsPtr) !== 0) {
        mm.setU64(u32(flagsPtr), BigInt(core.flags & FLAG_STARTED_OR_RESUMED))
        core.flags = 0
      }
    }
  }
}
