// WASI preview1 behaviour of the host ABI, with real wasm compiled from C.
import t from 'tap'
import { compileC, runWasm, Deadlock } from './harness.js'

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

t.test('fd_close on stdout is an ABI deficiency trap', async t => {
  const r = runWasm(compileC('violate'), { init: { args: ['prog', 'close'] } })
  t.equal(r.trap?.cause, 'ABI_DEFICIENCY')
})

t.test('Deadlock is reported, not thrown', async t => {
  t.ok(new Deadlock({ input: true }).message.includes('input'))
})
