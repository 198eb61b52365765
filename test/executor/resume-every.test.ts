// resumeEvery: one handle over a chain of suspend/resume cycles in
// alternating workers; output, input and the final status as one run's.
import t from 'tap'
import { Executor, ResumeEveryInstance } from '../../executor/index.js'
import { collect, program, runToEnd, sleep, tempDir } from '../helpers.js'

const ex = new Executor({ cacheDir: tempDir('gate-cache-'), workers: 2 })
t.before(async () => { await ex.start() })
t.teardown(async () => { await ex.stop() })

t.test('counter with resumeEvery 5: byte-identical output, many cycles, alternating workers', async t => {
  const bytes = program('counter')
  const args = ['40000000', '200000']
  const whole = await runToEnd(ex, bytes, args)
  t.equal(whole.status.state, 'terminated')
  const cm = await ex.compile(bytes)
  const inst = ex.launch(cm, { args: ['prog', ...args], resumeEvery: 5 })
  t.ok(inst instanceof ResumeEveryInstance, 'a resumeEvery handle')
  t.equal(ex.get(inst.id), inst, 'get() answers the handle, not one link of the chain')
  const r = await collect(inst)
  t.equal(r.status.state, 'terminated')
  t.equal(r.status.result, 0)
  t.equal(r.stdout, whole.stdout, 'output identical to the plain run')
  const chain = inst as ResumeEveryInstance
  t.ok(chain.cycles.length >= 3, `resumed ${chain.cycles.length} times`)
  const threads = chain.threads
  t.equal(threads.length, chain.cycles.length + 1)
  t.ok(threads.every((id, i) => i === 0 || id !== threads[i - 1]), 'every cycle moved to the other worker')
  t.equal(inst.files(), undefined, 'no filesystem, no files')
  t.equal(ex.get(inst.id), undefined, 'forgotten once ended')
})

t.test('input across cycles: nothing lost, nothing doubled', async t => {
  const cm = await ex.compile(program('cat'))
  const inst = ex.launch(cm, { resumeEvery: 5 }) as ResumeEveryInstance
  let out = ''
  inst.on('stdout', d => { out += Buffer.from(d).toString() })
  let expected = ''
  for (let i = 0; i < 60 || inst.cycles.length < 3; i++) {
    const line = `line ${i} ${'x'.repeat(i % 7)}\n`
    expected += line
    inst.write(new TextEncoder().encode(line))
    await sleep(i % 3) // some while a cycle is under way
  }
  inst.end()
  const st = await inst.wait()
  t.equal(st.state, 'terminated')
  t.equal(out, expected)
  t.ok(inst.cycles.length >= 3, `resumed ${inst.cycles.length} times while reading`)
})

t.test('suspend and kill of a resumeEvery instance', async t => {
  const bytes = program('counter')
  const cm = await ex.compile(bytes)
  const a = ex.launch(cm, { args: ['prog', '0', '200000'], resumeEvery: 5 }) as ResumeEveryInstance
  a.end()
  while (a.cycles.length < 2) await sleep(5)
  const { snapshot } = await a.suspend()
  t.equal((await a.wait()).state, 'suspended')
  t.equal(snapshot.status.state, 'suspended')
  // the snapshot resumes, and can cycle again
  const b = await ex.resume(snapshot, bytes, { resumeEvery: 5 }) as ResumeEveryInstance
  t.equal(b.id, a.id)
  b.end()
  while (b.cycles.length < 2) await sleep(5)
  const st = await b.kill()
  t.equal(st.state, 'killed')
  t.equal(st.cause, 'KILLED')
})
