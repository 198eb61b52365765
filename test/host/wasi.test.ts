// WASI preview1 behaviour of the host ABI, with real wasm compiled from C.
import t from 'tap'
import { compileC, runWasm, Deadlock, TestRuntime } from './harness.js'
import { HostAbi, HostStateError, TrapSignal, type HostAbiInit } from '../../executor/host/index.js'


/** fd 0-2 of a saved state: the stream each refers to, null when closed. */
function stdSlots (state: any): unknown[] {
  const fds = state.fds.fds as Array<{ fd: number, kind: string, stream?: string }>
  return [0, 1, 2].map(fd => fds.find(e => e.fd === fd && e.kind === 'stream')?.stream ?? null)
}

t.test('printf hello, stderr and the exit code', async t => {
  const r = runWasm(compileC('hello'))
  t.equal(r.stdout, 'hello, world\n')
  t.equal(r.stderr, 'to stderr 42\n')
  t.equal(r.exitCode, 7)
  t.equal(r.trap, undefined)
})

t.test('args and environment', async t => {
  const r = runWasm(compileC('args'), { init: { args: ['prog', 'one', 'two words', 'ünï'], env: { FOO: 'bar', GATE_FD: '9' } } })
  t.equal(r.exitCode, 0)
  t.equal(r.stdout, [
    'argc=4', 'argv[0]=prog', 'argv[1]=one', 'argv[2]=two words', 'argv[3]=ünï',
    'env GATE_ABI_VERSION=0', 'env GATE_FD=4', 'env GATE_MAX_SEND_SIZE=65536', 'env FOO=bar',
    'GATE_FD=4', ''
  ].join('\n'))
})

t.test('stdin: pre-pushed input then end', async t => {
  const r = runWasm(compileC('stdin'), { input: 'hello\nworld' })
  t.equal(r.exitCode, 0)
  t.equal(r.stdout, 'HELLO\nWORLD\n11 bytes\n')
  t.same(r.waits, [])
})

t.test('stdin: blocking read waits for input, is restarted, then sees EOF', async t => {
  const chunks = ['ab', 'cd']
  const r = runWasm(compileC('stdin'), {
    onWait: (cond, run) => {
      t.same(cond, { input: true })
      const c = chunks.shift()
      if (c != null) run.host.pushInput(new TextEncoder().encode(c))
      else run.host.endInput()
    }
  })
  t.equal(r.exitCode, 0)
  t.equal(r.stdout, 'ABCD\n4 bytes\n')
  t.equal(r.waits.length, 3)
})

t.test('stdin: no input and never ended is a wait the runtime must serve', async t => {
  const r = runWasm(compileC('stdin'))
  t.ok(r.deadlock, 'waited')
  t.same(r.deadlock, { input: true })
  t.notOk(r.host.ready({ input: true }, 0n))
  r.host.pushInput(new Uint8Array([1]))
  t.ok(r.host.ready({ input: true }, 0n))
})

t.test('stdin: migrating the host at every wait keeps the input and the read position', async t => {
  const chunks = ['xy', 'z']
  const r = runWasm(compileC('stdin'), {
    migrateOnWait: true,
    onWait: (_cond, run) => {
      const c = chunks.shift()
      if (c != null) run.host.pushInput(new TextEncoder().encode(c))
      else run.host.endInput()
    }
  })
  t.equal(r.stdout, 'XYZ\n3 bytes\n')
})

t.test('random_get: any length, deterministic from the seed', async t => {
  const wasm = compileC('random')
  const a = runWasm(wasm, { init: { args: ['prog', '1000'], randomSeed: new Uint8Array(32).fill(1) } })
  const b = runWasm(wasm, { init: { args: ['prog', '1000'], randomSeed: new Uint8Array(32).fill(1) } })
  const c = runWasm(wasm, { init: { args: ['prog', '1000'], randomSeed: new Uint8Array(32).fill(2) } })
  t.equal(a.exitCode, 0)
  t.match(a.stdout, /^[0-9a-f]{2000}\n$/)
  t.equal(a.stdout, b.stdout)
  t.not(a.stdout, c.stdout)
  t.not(a.stdout.slice(0, 64), a.stdout.slice(64, 128), 'blocks differ')
  const d = runWasm(wasm, { init: { args: ['prog', '1000'] } })
  t.match(d.stdout, /^[0-9a-f]{2000}\n$/, 'works without a seed')
})

t.test('clocks: nanosleep waits with a deadline; monotonic continues across restore', async t => {
  const plain = runWasm(compileC('clock'))
  t.equal(plain.exitCode, 0)
  const el = Number(/elapsed (-?\d+)/.exec(plain.stdout)?.[1])
  t.ok(el >= 5_000_000 && el < 6_000_000, `elapsed ${el}`)
  t.match(plain.stdout, /realtime 17\d{8}\n/)
  t.match(plain.stdout, /cputime 0 0 ok\n/)
  t.equal(plain.waits.length, 1)
  t.ok(plain.waits[0].deadlineNs != null)

  // The restored host runs on a runtime whose clock starts at 0: the program
  // must still see time move forward, and the sleep must not restart.
  const moved = runWasm(compileC('clock'), { migrateOnWait: true })
  t.equal(moved.exitCode, 0)
  const el2 = Number(/elapsed (-?\d+)/.exec(moved.stdout)?.[1])
  t.ok(el2 >= 5_000_000 && el2 < 6_000_000, `elapsed after migration ${el2}`)
})

t.test('fd_close on the Gate fd is an ABI deficiency trap', async t => {
  const r = runWasm(compileC('violate'), { init: { args: ['prog', 'close'] } })
  t.equal(r.trap?.cause, 'ABI_DEFICIENCY')
})

for (const migrateOnWait of [false, true]) {
  t.test(`fclose(stdin), fclose(stdout): output before stays, later use is EBADF${migrateOnWait ? ' (host migrated at the wait)' : ''}`, async t => {
    const r = runWasm(compileC('stdclose'), { init: { args: ['prog', 'close'] }, input: 'ignored', migrateOnWait })
    t.equal(r.exitCode, 0, r.stderr)
    t.equal(r.stdout, 'written before close\n')
    t.equal(r.stderr, 'close ok\n')
    t.ok(r.waits.length >= 1, 'the program waited (nanosleep)')
    const slots = stdSlots(r.host.save())
    t.same(slots, [null, null, 'stderr'], 'closed fds are in the saved state')
  })

  t.test(`fd_renumber among the std fds${migrateOnWait ? ' (host migrated at the wait)' : ''}`, async t => {
    const r = runWasm(compileC('stdclose'), { init: { args: ['prog', 'renumber'] }, migrateOnWait })
    t.equal(r.exitCode, 0, r.stderr)
    t.equal(r.stdout, '')
    t.equal(r.stderr, 'fd1 is stderr\nfd2 is stderr again\nfd0 is stderr\nrenumber ok\n')
    t.same(stdSlots(r.host.save()), ['stderr', null, null])
  })

  t.test(`isatty: no terminal by default, per stream from init.tty${migrateOnWait ? ' (host migrated at the wait)' : ''}`, async t => {
    const plain = runWasm(compileC('isatty'), { migrateOnWait })
    t.equal(plain.exitCode, 0, plain.stderr)
    t.equal(plain.stdout, '0 0 0\n0 0 0\n')
    const tty = runWasm(compileC('isatty'), { init: { tty: { stdin: true, stdout: true, stderr: true } }, migrateOnWait })
    t.equal(tty.stdout, '1 1 1\n1 1 1\n')
    t.ok(tty.waits.length >= 1, 'the program waited (nanosleep)')
    const some = runWasm(compileC('isatty'), { init: { tty: { stdout: true } }, migrateOnWait })
    t.equal(some.stdout, '0 1 0\n0 1 0\n')
  })
}

t.test('fd_close of the Gate fd and renumbering it stay ABI deficiencies; a closed std fd cannot be renumbered', async t => {
  const rt = new TestRuntime()
  rt.mem = new WebAssembly.Memory({ initial: 1 })
  const host = new HostAbi({ instanceId: '00000000-0000-4000-8000-000000000001' }, rt)
  const f = host.functions
  t.throws(() => f['wasi.fd_close'](4), TrapSignal)
  t.throws(() => f['wasi.fd_renumber'](4, 1), TrapSignal)
  t.throws(() => f['wasi.fd_renumber'](1, 4), TrapSignal)
  t.equal(f['wasi.fd_renumber'](4, 4), 0)
  t.equal(f['wasi.fd_close'](3), 8)
  t.equal(f['wasi.fd_renumber'](3, 1), 8)
  t.equal(f['wasi.fd_close'](1), 0)
  t.equal(f['wasi.fd_renumber'](1, 4), 8, 'closed from: EBADF')
  t.equal(f['wasi.fd_fdstat_get'](1, 0), 8)
  t.equal(f['wasi.fd_seek'](1, 0n, 0, 0), 8, 'closed: EBADF, not EPERM')
  t.equal(f['wasi.fd_seek'](2, 0n, 0, 0), 70, 'a stream: ESPIPE')
  t.equal(f['wasi.path_open'](1, 0, 0, 0, 0, 0n, 0n, 0, 0), 8)
  // poll on the closed fd: an EBADF event
  const dv = new DataView(rt.mem.buffer)
  dv.setBigUint64(0, 9n, true); dv.setUint8(8, 2); dv.setUint32(16, 1, true)
  t.equal(f['wasi.poll_oneoff'](0, 1024, 1, 2048), 0)
  t.equal(dv.getUint32(2048, true), 1)
  t.equal(dv.getUint16(1024 + 8, true), 8)
})

t.test('fdstat of a pipe: FILETYPE_UNKNOWN, read/write rights, no SEEK/TELL; character device when a terminal', async t => {
  const rt = new TestRuntime()
  rt.mem = new WebAssembly.Memory({ initial: 1 })
  const stat = (tty?: HostAbiInit['tty']): Array<[number, bigint]> => {
    const host = new HostAbi({ instanceId: '00000000-0000-4000-8000-000000000001', tty }, rt)
    const dv = new DataView(rt.mem!.buffer)
    return [0, 1, 2].map(fd => { t.equal(host.functions['wasi.fd_fdstat_get'](fd, 0), 0); return [dv.getUint8(0), dv.getBigUint64(8, true)] })
  }
  const SEEK_TELL = (1n << 2n) | (1n << 5n)
  for (const [fd, [type, rights]] of stat().entries()) {
    t.equal(type, 0, `fd ${fd} unknown`)
    t.equal(rights & SEEK_TELL, 0n)
    t.equal(rights & (fd === 0 ? 2n : 64n), fd === 0 ? 2n : 64n, `fd ${fd} read/write right`)
  }
  t.same(stat({ stdin: true, stderr: true }).map(x => x[0]), [2, 0, 2])
})

t.test('a saved state from before the fd table (std fds as "stdio") restores with its std fds', async t => {
  const rt = new TestRuntime()
  rt.mem = new WebAssembly.Memory({ initial: 1 })
  const host = new HostAbi({ instanceId: '00000000-0000-4000-8000-000000000001', tty: { stdout: true } }, rt)
  host.functions['wasi.fd_close'](0)
  const saved = host.save()
  t.same(stdSlots(saved), [null, 'stdout', 'stderr'])
  t.same((saved.fds as any).tty, { stdin: false, stdout: true, stderr: false })
  const again = HostAbi.restore(structuredClone(saved), rt)
  t.same(again.save().fds, saved.fds)
  const { fds: _, fs: _fs, ...rest } = saved
  const legacy = HostAbi.restore({ ...rest, stdio: { slots: [null, 'stderr', 'stdout'], tty: { stdin: false, stdout: true, stderr: false } } }, rt)
  t.same(stdSlots(legacy.save()), [null, 'stderr', 'stdout'])
  const none = HostAbi.restore(rest, rt)
  t.same(stdSlots(none.save()), ['stdin', 'stdout', 'stderr'], 'neither: all open')
  t.throws(() => HostAbi.restore({ ...rest, stdio: { slots: ['bogus', null, null], tty: { stdin: false, stdout: false, stderr: false } } } as any, rt), HostStateError)
})

t.test('Deadlock is reported, not thrown', async t => {
  t.ok(new Deadlock({ input: true }).message.includes('input'))
})
