// The mailbox: a worker busy with an instance that never waits (a spinner)
// must still take every message posted to it. The main thread counts each
// message in and the worker counts it off when handled; a flag the
// scheduler cleared could miss a message posted just before, and then the
// spinner never yielded to it (a launch stayed pending until some other
// message came).
import t from 'tap'
import { Executor } from '../../executor/index.js'
import { program, tempDir } from '../helpers.js'

t.test('with a spinner in the only worker, 400 launches one after another all start and end', async t => {
  const ex = new Executor({ cacheDir: tempDir('gate-cache-'), workers: 1 })
  await ex.start()
  t.teardown(async () => { await ex.stop() })
  const hello = await ex.compile(program('hello'))
  const spin = ex.launch(await ex.compile(program('spin')), { args: ['spin'] })
  await new Promise<void>(resolve => { spin.once('running', () => { resolve() }) })
  const stalled: number[] = []
  let ended = 0
  for (let i = 0; i < 400; i++) {
    const inst = ex.launch(hello, { args: ['hello', String(i)] })
    let out = ''
    inst.on('stdout', d => { out += Buffer.from(d).toString() })
    // a stall is a launch the worker never takes: bounded so that a regression fails instead of hanging
    const timer = setTimeout(() => { stalled.push(i); void inst.kill() }, 20_000)
    const st = await inst.wait()
    clearTimeout(timer)
    if (st.state === 'terminated' && out === `hello, world\narg 1: ${i}\n`) ended++
  }
  t.same(stalled, [], 'no launch waited for another message to be taken')
  t.equal(ended, 400, 'each one ran to its end and printed its own argument')
  t.equal(spin.status.state, 'running', 'the spinner still runs')
  await spin.kill()
})
