// HostAbi state: save/restore round trips, restartable blocking imports,
// ready(), and direct calls of WASI functions on a bare memory.
import t from 'tap'
import {
  CODE_SERVICES, DOMAIN_CALL, DOMAIN_DATA, DOMAIN_FLOW, ExitSignal, HostAbi, HostConfigError, HostStateError,
  TrapSignal, decodePacket, encodePacket, type HostAbiInit
} from '../../executor/host/index.js'
import type { HostState, HostStateValue } from '../../executor/types.js'
import { TestRuntime } from './harness.js'

const ID = '00000000-0000-4000-8000-0000000000aa'

function setup (init: Partial<HostAbiInit> = {}): { host: HostAbi, rt: TestRuntime, mem: WebAssembly.Memory, u8: () => Uint8Array, dv: () => DataView } {
  const rt = new TestRuntime()
  const mem = new WebAssembly.Memory({ initial: 2 })
  rt.mem = mem
  const host = new HostAbi({ instanceId: ID, args: ['a'], randomSeed: new Uint8Array(32).fill(3), ...init }, rt)
  return { host, rt, mem, u8: () => new Uint8Array(mem.buffer), dv: () => new DataView(mem.buffer) }
}

/** Write bytes at `ptr` and an iovec {ptr,len} at `iov`. */
function iov (dv: DataView, u8: Uint8Array, iovPtr: number, ptr: number, data: Uint8Array | number): void {
  if (typeof data === 'number') { dv.setUint32(iovPtr, ptr, true); dv.setUint32(iovPtr + 4, data, true); return }
  u8.set(data, ptr)
  dv.setUint32(iovPtr, ptr, true)
  dv.setUint32(iovPtr + 4, data.byteLength, true)
}

const discovery = (...names: string[]): Uint8Array => {
  const enc = new TextEncoder()
  const parts = names.map(n => enc.encode(n))
  const p = new Uint8Array(2 + parts.reduce((n, b) => n + 1 + b.byteLength, 0))
  p[0] = names.length
  let off = 2
  for (const b of parts) { p[off++] = b.byteLength; p.set(b, off); off += b.byteLength }
  return encodePacket(CODE_SERVICES, DOMAIN_CALL, p)
}

/** gate.io with send data and a receive buffer at fixed addresses; returns received bytes. */
function io (s: ReturnType<typeof setup>, send: Uint8Array | null, recvLen: number, timeout: bigint): { recv: Uint8Array, flags: bigint, waited: boolean } {
  const { host, rt } = s
  const dv = s.dv(); const u8 = s.u8()
  if (send != null) iov(dv, u8, 16, 4096, send)
  iov(dv, u8, 32, 32768, recvLen)
  dv.setUint32(48, 0xffff, true)
  rt.waited = undefined
  host.functions['gate.io'](32, recvLen > 0 ? 1 : 0, 48, send != null ? 16 : 0, send != null ? 1 : 0, 52, timeout, 56)
  const n = s.dv().getUint32(48, true)
  return { recv: s.u8().slice(32768, 32768 + (rt.waited != null ? 0 : n)), flags: s.dv().getBigUint64(56, true), waited: rt.waited != null }
}

/** Replace bigints by numbers where safe, as dag-cbor decoding does. */
function cborish (v: HostStateValue): HostStateValue {
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
  if (Array.isArray(v)) return v.map(cborish)
  if (v instanceof Uint8Array || v == null || typeof v !== 'object') return v
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cborish(x)]))
}

t.test('save/restore round trip through structuredClone and cbor-like numbers', async t => {
  const s = setup({ env: { A: 'b' }, principal: 'p' })
  s.host.pushInput(new TextEncoder().encode('input bytes'))
  // Discover, accept on origin, grant capacity, half-send a packet.
  io(s, discovery('origin', 'catalog', 'nope'), 0, 0n)
  io(s, encodePacket(0, DOMAIN_CALL, new Uint8Array(0)), 0, 0n)
  const flow = new Uint8Array(8); new DataView(flow.buffer).setInt32(4, 4, true)
  io(s, encodePacket(0, DOMAIN_FLOW, flow), 0, 0n)
  const partial = encodePacket(1, DOMAIN_CALL, new TextEncoder().encode('json')).subarray(0, 5)
  io(s, partial, 20, 0n) // also reads 20 bytes of the discovery reply
  const r = s.u8().slice(0, 0)
  t.equal(r.length, 0)
  s.host.functions['wasi.random_get'](100, 50)

  const saved = s.host.save()
  const rt2 = new TestRuntime(0n)
  rt2.mem = s.mem
  const a = HostAbi.restore(structuredClone(saved), rt2)
  const b = HostAbi.restore(cborish(structuredClone(saved)) as HostState, rt2)
  const norm = (x: HostState): HostState => { const c = cborish(x) as HostState; delete c.monotonicNs; return c }
  t.same(norm(a.save()), norm(saved))
  t.same(norm(b.save()), norm(saved))
  t.ok((a.save().monotonicNs as bigint) >= (saved.monotonicNs as bigint), 'clock does not go back')

  // The restored host continues the same conversation: finish the catalog call.
  const s2 = { ...s, host: a, rt: rt2 }
  const rest = encodePacket(1, DOMAIN_CALL, new TextEncoder().encode('json')).subarray(5)
  const got = io(s2, rest, 65536, 0n)
  t.equal(got.flags, 0n, 'started flag was reported before the save')
  // Remaining bytes of the discovery reply (24 - 20), then the catalog reply, then origin packets.
  const bytes = got.recv
  const tail = bytes.subarray(4)
  const p1 = decodePacket(tail)
  t.equal(p1.code, 0, 'origin accept reply first')
  const p1len = (p1.payload.byteLength + 8 + 7) & ~7
  const p2 = decodePacket(tail.subarray(p1len))
  t.equal(p2.code, 1)
  t.match(new TextDecoder().decode(p2.payload), /"name": "catalog"/)

  // Same random stream continues.
  const u8 = s.u8()
  const before = u8.slice(100, 150)
  const ref = setup()
  ref.host.functions['wasi.random_get'](100, 50)
  t.same(before, ref.u8().slice(100, 150))
  a.functions['wasi.random_get'](200, 10)
  ref.host.functions['wasi.random_get'](200, 10)
  t.same(s.u8().slice(200, 210), ref.u8().slice(200, 210))
})

t.test('restore rejects bad state', async t => {
  const rt = new TestRuntime()
  t.throws(() => HostAbi.restore({ version: 99 }, rt), HostStateError)
  t.throws(() => HostAbi.restore({ version: 1, args: 'x' }, rt), HostStateError)
  const ok = setup().host.save()
  t.throws(() => HostAbi.restore({ ...ok, random: { seed: 'no', pos: 0 } }, rt), HostStateError)
})

t.test('init validation', async t => {
  const rt = new TestRuntime()
  t.throws(() => new HostAbi({ instanceId: ID, env: { 'A=B': 'c' } }, rt), HostConfigError)
  t.throws(() => new HostAbi({ instanceId: '' }, rt), HostConfigError)
})

t.test('gate.io waits without changing state, keeps its deadline across restarts', async t => {
  const s = setup()
  const before = s.host.save()
  const send = null
  const r1 = io(s, send, 64, 1_000_000n)
  t.ok(r1.waited)
  const cond1 = s.rt.waited!
  t.equal(cond1.packets, true)
  const after = s.host.save()
  for (const k of ['input', 'gate', 'random', 'flags']) t.same(after[k], before[k], `${k} unchanged by the wait`)
  s.rt.now += 400_000n
  io(s, send, 64, 1_000_000n)
  t.equal(s.rt.waited?.deadlineNs, cond1.deadlineNs, 'same deadline on restart')
  t.notOk(s.host.ready(cond1, s.rt.now))
  t.ok(s.host.ready(cond1, cond1.deadlineNs!))
  s.rt.now = cond1.deadlineNs!
  const r3 = io(s, send, 64, 1_000_000n)
  t.notOk(r3.waited, 'timed out: returns')
  t.equal(r3.recv.byteLength, 0)
  t.equal(r3.flags, 1n, 'first completed call reports started')
  t.equal(io(s, null, 64, 0n).flags, 0n)
  s.host.resumed()
  t.equal(io(s, null, 64, 0n).flags, 1n, 'resumed flag')
})

t.test('ready(): packets become ready when input can flow to an origin stream', async t => {
  const s = setup()
  io(s, discovery('origin'), 64, 0n)
  io(s, encodePacket(0, DOMAIN_CALL, new Uint8Array(0)), 0, 0n)
  // Drain accept reply + FLOW grant.
  const drained = io(s, null, 4096, 0n)
  t.equal(drained.recv.byteLength, 16 + 16)
  t.notOk(s.host.ready({ packets: true }, 0n))
  const flow = new Uint8Array(8); new DataView(flow.buffer).setInt32(4, 3, true)
  io(s, encodePacket(0, DOMAIN_FLOW, flow), 0, 0n)
  t.notOk(s.host.ready({ packets: true }, 0n))
  s.host.pushInput(new TextEncoder().encode('hello'))
  t.ok(s.host.ready({ packets: true }, 0n))
  t.ok(s.host.ready({ input: true }, 0n))
  const d = io(s, null, 4096, 0n).recv
  const p = decodePacket(d)
  t.equal(p.domain, DOMAIN_DATA)
  t.equal(new TextDecoder().decode(p.payload.subarray(8)), 'hel', 'limited by granted capacity')
  t.notOk(s.host.ready({ packets: true }, 0n), 'capacity used up')
  // Program -> origin DATA goes to stdout.
  const data = new Uint8Array(8 + 2); data.set([0x4f, 0x4b], 8)
  io(s, encodePacket(0, DOMAIN_DATA, data), 0, 0n)
  t.equal(Buffer.concat(s.rt.stdout).toString(), 'OK')
  t.ok(s.host.ready({ packets: true }, 0n), 'capacity given back with FLOW')
  t.ok(s.host.ready({ deadlineNs: 5n }, 5n))
  t.notOk(s.host.ready({ deadlineNs: 6n }, 5n))
})

t.test('WASI odds and ends', async t => {
  const s = setup()
  const f = s.host.functions
  t.equal(f['wasi.fd_prestat_get'](3, 0), 8, 'no preopens: EBADF on fd 3')
  t.equal(f['wasi.path_open'](3, 0, 0, 0, 0, 0n, 0n, 0, 0), 8)
  t.equal(f['wasi.path_open'](0, 0, 0, 0, 0, 0n, 0n, 0, 0), 54, 'a stream is not a directory')
  t.equal(f['wasi.fd_write'](0, 0, 0, 0), 8, 'stdin not writable: EBADF as for a read-only pipe')
  t.equal(f['wasi.fd_write'](7, 0, 0, 0), 8)
  t.equal(f['wasi.fd_read'](1, 0, 0, 0), 8)
  t.equal(f['wasi.fd_seek'](1, 0n, 0, 0), 70, 'ESPIPE')
  t.equal(f['wasi.sock_send'](4, 0, 0, 0, 0), 57)
  t.equal(f['wasi.clock_time_get'](4, 0n, 0), 28)
  t.equal(f['wasi.clock_time_get'](1, 0n, 1 << 30), 21, 'EFAULT')
  t.equal(f['wasi.sched_yield'](), 0)
  t.equal(f['wasi.fd_fdstat_get'](3, 0), 8)
  t.equal(f['wasi.fd_fdstat_get'](0, 0), 0)
  t.equal(s.u8()[0], 0, 'stdin is not a terminal by default')
  t.equal(s.dv().getBigUint64(8, true) & 2n, 2n, 'stdin readable')
  const base = s.dv().getBigUint64(8, true)
  t.equal(f['wasi.fd_fdstat_set_rights'](0, base, 0n), 0)
  t.equal(f['wasi.fd_fdstat_set_rights'](0, base | 1n, 0n), 76)
  t.throws(() => f['wasi.fd_fdstat_set_rights'](0, 0n, 0n), TrapSignal)
  t.throws(() => f['wasi.proc_raise'](6), TrapSignal)
  try { f['wasi.proc_exit'](3); t.fail('returned') } catch (e) { t.ok(e instanceof ExitSignal && e.code === 3) }
  t.equal(f['gate.fd'](), 4)
  // poll_oneoff with nothing
  t.equal(f['wasi.poll_oneoff'](0, 1024, 0, 2048), 28)
  // poll on stdout write is immediately ready
  const dv = s.dv()
  new Uint8Array(s.mem.buffer).fill(0, 0, 48)
  dv.setBigUint64(0, 77n, true); s.u8()[8] = 2; dv.setUint32(16, 1, true)
  t.equal(f['wasi.poll_oneoff'](0, 1024, 1, 2048), 0)
  t.equal(dv.getUint32(2048, true), 1)
  t.equal(dv.getBigUint64(1024, true), 77n)
  t.equal(dv.getBigUint64(1024 + 16, true), 0x7fffffffn)
  // poll on stdin read: waits for input, then reports the byte count
  s.u8()[8] = 1; dv.setUint32(16, 0, true)
  s.rt.waited = undefined
  f['wasi.poll_oneoff'](0, 1024, 1, 2048)
  t.same(s.rt.waited, { input: true })
  s.host.pushInput(new Uint8Array(3)); s.rt.waited = undefined
  t.equal(f['wasi.poll_oneoff'](0, 1024, 1, 2048), 0)
  t.equal(s.rt.waited, undefined)
  t.equal(dv.getBigUint64(1024 + 16, true), 3n)
})
