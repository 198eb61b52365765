// The executor with real worker threads and real C programs (build/testprogs).
import t from 'tap'
import { Executor } from '../../executor/index.js'
import { collect, program, runToEnd, sleep, tempDir } from '../helpers.js'

const ex = new Executor({ cacheDir: tempDir('gate-cache-'), workers: 2 })
t.before(async () => { await ex.start() })
t.teardown(async () => { await ex.stop() })

t.test('hello: stdout, args, env and exit code like a native program', async t => {
  const cm = await ex.compile(program('hello'))
  const r = await collect(ex.launch(cm, { args: ['hello', 'a1', 'b2'], env: { GREETING: 'hi there' } }))
  t.match(r.stdout, /hello, world/)
  t.match(r.stdout, /a1/)
  t.match(r.stdout, /hi there/)
  t.equal(r.status.state, 'terminated')
  t.equal(r.status.result, 0)
  const r2 = await collect(ex.launch(cm, { args: ['hello', '7'] }))
  t.equal(r2.status.state, 'terminated')
  t.equal(r2.status.result, 7, 'exit code from argv')
})

t.test('cat: stdin to stdout, blocking reads across input messages', async t => {
  const cm = await ex.compile(program('cat'))
  const inst = ex.launch(cm)
  const out: Buffer[] = []
  inst.on('stdout', d => out.push(Buffer.from(d)))
  inst.write(new TextEncoder().encode('first line\n'))
  await sleep(50)
  inst.write(new TextEncoder().encode('second line\n'))
  inst.end()
  const st = await inst.wait()
  t.equal(Buffer.concat(out).toString(), 'first line\nsecond line\n')
  t.equal(st.state, 'terminated')
})

t.test('suspend and resume many times: output byte-identical to an uninterrupted run', async t => {
  const bytes = program('counter')
  const args = ['60000000', '200000']
  const whole = await runToEnd(ex, bytes, args)
  t.equal(whole.status.state, 'terminated')
  t.ok(whole.stdout.length > 100, 'the uninterrupted run prints')

  const cm = await ex.compile(bytes)
  let pieces = ''
  let inst = ex.launch(cm, { args: ['prog', ...args] })
  let cycles = 0
  for (;;) {
    let chunk = ''
    inst.on('stdout', d => { chunk += Buffer.from(d).toString() })
    inst.end()
    // let it make progress (print something) before the next suspend
    for (let i = 0; i < 200 && chunk.length === 0 && inst.status.state === 'running'; i++) await sleep(5)
    await sleep(Math.floor(Math.random() * 20))
    if (inst.status.state !== 'running') { await inst.wait(); pieces += chunk; break }
    let snap
    try { snap = (await inst.suspend()).snapshot } catch { await inst.wait(); pieces += chunk; break }
    await inst.wait()
    pieces += chunk
    cycles++
    // Every resume in a fresh executor: new workers, new module instance.
    const ex2 = new Executor({ cacheDir: ex.cache.dir, workers: 1 })
    await ex2.start()
    inst = await ex2.resume(snap, bytes)
    const done = inst.wait()
    void done.then(async () => { await ex2.stop() })
  }
  t.ok(cycles >= 3, `suspended and resumed ${cycles} times`)
  t.equal(pieces, whole.stdout, 'output identical')
})

t.test('suspend deep in recursion and resume', async t => {
  const bytes = program('deep')
  const args = ['5000', '300000000']
  const whole = await runToEnd(ex, bytes, args)
  t.equal(whole.status.state, 'terminated')
  const cm = await ex.compile(bytes)
  const inst = ex.launch(cm, { args: ['prog', ...args] })
  let out = ''
  inst.on('stdout', d => { out += Buffer.from(d).toString() })
  inst.end()
  while (out.length === 0 && inst.status.state === 'running') await sleep(5)
  await sleep(20)
  if (inst.status.state === 'running') {
    const { snapshot } = await inst.suspend()
    t.ok(snapshot.stack.byteLength > 0, `captured a stack of ${snapshot.stack.byteLength} bytes`)
    const again = await ex.resume(snapshot, bytes)
    const rest = await collect(again)
    out += rest.stdout
    t.equal(rest.status.state, 'terminated')
  }
  t.equal(out, whole.stdout)
})

t.test('clone: a snapshot that continues runs twice, with a new instance id', async t => {
  const bytes = program('counter')
  const cm = await ex.compile(bytes)
  const inst = ex.launch(cm, { args: ['prog', '60000000', '200000'] })
  let seen = 0
  inst.on('stdout', d => { seen += d.byteLength })
  inst.end()
  while (seen === 0) await sleep(5)
  const { snapshot } = await inst.snapshot({ then: 'continue' })
  const clone = await ex.resume(snapshot, bytes, { clone: true })
  t.not(clone.id, inst.id)
  const [a, b] = await Promise.all([collect(inst), collect(clone)])
  t.equal(a.status.state, 'terminated')
  t.equal(b.status.state, 'terminated')
  // the clone's output is a suffix of the original's
  t.ok(a.stdout.endsWith(b.stdout) || b.stdout.length === 0, 'clone continues where the snapshot was taken')
})

t.test('limits end only the offending instance', async t => {
  const spin = await ex.compile(program('spin'))
  const bomb = await ex.compile(program('stackbomb'))
  const flood = await ex.compile(program('flood'))
  const cpu = await ex.compile(program('rec'))
  const good = collect(ex.launch(cpu, { args: ['prog'] }))
  const [a, b, c] = await Promise.all([
    collect(ex.launch(spin, { limits: { cpuTimeMs: 300 } })),
    collect(ex.launch(bomb)),
    collect(ex.launch(flood, { limits: { outputBytes: 100_000 } }))
  ])
  t.equal(a.status.state, 'killed'); t.equal(a.status.cause, 'CPU_TIME_LIMIT')
  t.equal(b.status.state, 'killed'); t.equal(b.status.cause, 'CALL_STACK_EXHAUSTED')
  t.equal(c.status.state, 'killed'); t.equal(c.status.cause, 'OUTPUT_LIMIT')
  t.ok(c.stdout.length <= 100_000 + 65536, 'output stopped near the limit')
  const g = await good
  t.equal(g.status.state, 'terminated', 'a neighbour in the same workers finished normally')
  t.equal(g.status.result, 0)
})

t.test('kill a spinning instance', async t => {
  const inst = ex.launch(await ex.compile(program('spin')))
  await sleep(50)
  const st = await inst.kill()
  t.equal(st.state, 'killed')
  t.equal(st.cause, 'KILLED')
})

t.test('memory limit: growth beyond it fails inside the program', async t => {
  const r = await collect(ex.launch(await ex.compile(program('bigmem')), { limits: { memoryPages: 16 * 64 } }))
  t.equal(r.status.state, 'terminated', 'the program sees memory.grow fail and ends normally')
  const m = /memory is (\d+) MiB/.exec(r.stdout)
  t.ok(m != null && Number(m[1]) <= 64 && Number(m[1]) > 32, `stopped at the 64 MiB limit: ${r.stdout.trim()}`)
})

t.test('idle instances wait without holding a thread', async t => {
  const cm = await ex.compile(program('cat'))
  const insts = Array.from({ length: 40 }, () => ex.launch(cm))
  await sleep(100)
  const outs = await Promise.all(insts.map(async (inst, i) => await collect(inst, `instance ${i}\n`)))
  t.same(outs.map(o => o.stdout), insts.map((_, i) => `instance ${i}\n`))
})

t.test('resume continues the random stream; clones re-seed it', async t => {
  const bytes = program('rand')
  const inst = ex.launch(await ex.compile(bytes))
  await sleep(50) // waiting on stdin now
  const { snapshot } = await inst.suspend()
  await inst.wait()
  const a = await collect(await ex.resume(snapshot, bytes), 'x\n')
  const b = await collect(await ex.resume(snapshot, bytes), 'x\n')
  const c = await collect(await ex.resume(snapshot, bytes, { clone: true }), 'x\n')
  t.match(a.stdout, /^[0-9a-f]{16}\n$/)
  t.equal(a.stdout, b.stdout, 'the same instance resumed twice continues the same stream')
  t.not(c.stdout, a.stdout, 'a clone gets fresh randomness')
})

t.test('Gate packet ABI through the real runtime: services, origin stream, suspend while waiting', async t => {
  const { compileC } = await import('../host/harness.js')
  const bytes = compileC('services')
  const inst = ex.launch(await ex.compile(bytes), { principal: 'test-principal' })
  let out = ''
  let err = ''
  inst.on('stdout', d => { out += Buffer.from(d).toString() })
  inst.on('stderr', d => { err += Buffer.from(d).toString() })
  inst.write(new TextEncoder().encode('hello origin\n'))
  for (let i = 0; i < 400 && !out.includes('HELLO ORIGIN'); i++) await sleep(5)
  t.equal(out, 'HELLO ORIGIN\n', 'origin DATA echoed through the program to stdout')
  t.match(err, /services 5: 1 1 1 1 0/)
  t.match(err, /"name": "origin"/)
  t.match(err, /principal=test-principal/)
  t.match(err, new RegExp(`instance=${inst.id}`))
  // the program now waits in gate.io for more origin data: suspend it there
  const { snapshot } = await inst.suspend()
  t.ok(snapshot.stack.byteLength > 0, 'suspended inside a blocking gate.io call')
  const again = await ex.resume(snapshot, bytes)
  const rest = await collect(again, 'second line\n')
  t.equal(rest.stdout, 'SECOND LINE\n', 'the origin stream continues after resume')
  t.match(rest.stderr, /eof after 25 bytes/)
  t.equal(rest.status.state, 'terminated')
})
