// Compiling on a worker thread: the same code as compileModule, errors of
// the same classes, the calling thread free meanwhile, aborts, idle exit.
import t from 'tap'
import { compileModule } from '../../compiler/compile.js'
import { CompileError, EntryError, MalformedModuleError } from '../../compiler/errors.js'
import { WorkerCompiler } from '../../compiler/worker-compiler.js'
import { Executor } from '../../executor/index.js'
import { collect, program, sleep, tempDir } from '../helpers.js'

t.test('the worker produces exactly what compileModule does', async t => {
  const wc = new WorkerCompiler()
  t.teardown(async () => { await wc.stop() })
  for (const name of ['hello', 'counter']) {
    const bytes = program(name)
    const [a, b] = [await wc.compile(bytes), compileModule(bytes)]
    t.equal(a.compiledHash, b.compiledHash, `${name}: same instrumented code`)
    t.same(a.globals, b.globals, `${name}: same globals`)
    t.same(a.info, b.info, `${name}: same module info`)
    t.equal(bytes.byteLength, program(name).byteLength, `${name}: the caller's bytes are left alone`)
  }
})

t.test('errors come back as the compiler\'s own classes', async t => {
  const wc = new WorkerCompiler()
  t.teardown(async () => { await wc.stop() })
  const bad = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1])
  const e1 = await wc.compile(bad).catch(e => e)
  t.ok(e1 instanceof MalformedModuleError && e1 instanceof CompileError, `MalformedModuleError: ${e1.message}`)
  const e2 = await wc.compile(program('hello'), { entry: 'nope' }).catch(e => e)
  t.ok(e2 instanceof EntryError, `EntryError: ${e2.message}`)
  // and the worker goes on after errors
  t.ok((await wc.compile(program('hello'))).compiledHash.length === 64, 'a good module compiles after two bad ones')
})

t.test('the calling thread keeps running while a module compiles', async t => {
  const wc = new WorkerCompiler()
  t.teardown(async () => { await wc.stop() })
  let turns = 0
  let done = false
  const spin = (): void => { if (!done) { turns++; setImmediate(spin) } }
  spin()
  await wc.compile(program('counter'))
  done = true
  // inline, Binaryen would hold this thread for the whole compile: no turns at all
  t.ok(turns > 100, `the event loop turned ${turns} times during the compile`)
})

t.test('abort: a queued request is dropped, a running one ends its worker, the next still compiles', async t => {
  const wc = new WorkerCompiler()
  t.teardown(async () => { await wc.stop() })
  const ac1 = new AbortController()
  const ac2 = new AbortController()
  const running = wc.compile(program('counter'), {}, { signal: ac1.signal }).then(() => 'compiled', e => e)
  const queued = wc.compile(program('cpu'), {}, { signal: ac2.signal }).then(() => 'compiled', e => e)
  const after = wc.compile(program('hello'))
  ac2.abort(new Error('not wanted'))
  t.equal((await queued).message, 'not wanted', 'the queued request ends with the abort reason')
  await sleep(50)
  ac1.abort(new Error('stop it'))
  t.equal((await running).message, 'stop it', 'the running request ends with the abort reason')
  t.equal((await after).entry, '_start', 'the request behind them compiles on a new worker')
  const pre = new AbortController()
  pre.abort(new Error('already'))
  await t.rejects(wc.compile(program('hello'), {}, { signal: pre.signal }), { message: 'already' })
})

t.test('an idle worker exits, and a later compile starts a new one', async t => {
  const wc = new WorkerCompiler({ idleMs: 100 })
  t.teardown(async () => { await wc.stop() })
  await wc.compile(program('hello'))
  t.ok(wc.active, 'a worker right after a compile')
  while (wc.active) await sleep(50)
  t.pass('it exited when idle')
  t.equal((await wc.compile(program('cat'))).entry, '_start', 'and compiles again on demand')
})

t.test('stop fails what is pending', async t => {
  const wc = new WorkerCompiler()
  const p = wc.compile(program('counter')).then(() => 'compiled', e => e)
  await wc.stop()
  const r = await p
  t.ok(r instanceof CompileError, `pending compile: ${r.message}`)
})

t.test('the executor compiles on the worker by default and runs the result', async t => {
  const ex = new Executor({ cacheDir: tempDir() })
  await ex.start()
  t.teardown(async () => { await ex.stop() })
  const bytes = program('hello')
  const [a, b] = await Promise.all([ex.compile(bytes), ex.compile(bytes)])
  t.equal(a.compiledHash, b.compiledHash, 'two concurrent compiles of one module agree')
  const r = await collect(ex.launch(a, { args: ['hello', 'worker'] }))
  t.equal(r.status.state, 'terminated')
  t.match(r.stdout, /worker/, 'it runs')
})

t.test('a compile shared by two callers: one gives up, the other still gets the module', async t => {
  const ex = new Executor({ cacheDir: tempDir() })
  t.teardown(async () => { await ex.stop() })
  const bytes = program('counter')
  const ac = new AbortController()
  const first = ex.compile(bytes, {}, { signal: ac.signal }).then(() => 'compiled', e => e)
  const second = ex.compile(bytes)
  ac.abort(new Error('gave up'))
  t.equal((await first).message, 'gave up', 'the caller that aborted stops waiting')
  const cm = await second
  t.equal(cm.entry, '_start', 'the other caller gets the compiled module')
  t.equal((await ex.compile(bytes)).cached, true, 'and it is in the cache')
})
