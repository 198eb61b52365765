// One frame memory per worker (compiler importFrames, executor/worker/
// instance-runtime.ts): instances of a worker that wait for input deep in a
// recursion keep their frames in a copy of their own while the others use
// the worker's frame memory. 40 instances of recwait at different depths
// (0.. 3000 frames: the shared memory grows past a page) wait in one
// worker; lines go to them in a random order, each answer must be the
// checksum of its own depth and line. A snapshot of one that waits resumes
// in a new executor with its stack.
import t from 'tap'
import { Executor, type Instance } from '../../executor/index.js'
import { program, tempDir } from '../helpers.js'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

/** recwait's checksum of `line` at `depth`. */
function expected (depth: number, line: string): number {
  let h = 0
  for (const c of Buffer.from(line)) h = (h * 31 + c) % 1000003
  for (let d = 1; d <= depth; d++) h = (h * 31 + d) % 1000003
  return h
}

function lines (inst: Instance): { next: () => Promise<string> } {
  let buf = ''
  const waiters: Array<(s: string) => void> = []
  const ready: string[] = []
  inst.on('stdout', d => {
    buf += Buffer.from(d).toString()
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i)
      buf = buf.slice(i + 1)
      const w = waiters.shift()
      if (w != null) w(l); else ready.push(l)
    }
  })
  return { next: async () => ready.length > 0 ? ready.shift()! : await new Promise<string>(resolve => waiters.push(resolve)) }
}

const cacheDir = tempDir('gate-frames-')

t.test('instances waiting deep in recursion share the worker\'s frame memory', async t => {
  const ex = new Executor({ cacheDir, workers: 1 })
  await ex.start()
  t.teardown(async () => { await ex.stop() })
  const cm = await ex.compile(program('recwait'))
  const depths = Array.from({ length: 40 }, (_, i) => (i * 77) % 3001)
  const insts = depths.map(d => ex.launch(cm, { args: ['recwait', String(d)] }))
  const outs = insts.map(lines)
  let x = 12345
  const rnd = (n: number): number => { x = (x * 1103515245 + 12345) % 2 ** 31; return x % n }
  const sent = depths.map(() => 0)
  let wrong = 0
  for (let round = 0; round < 400; round++) {
    const i = rnd(insts.length)
    const line = `line ${round} for ${i}`
    insts[i].write(enc(line + '\n'))
    const got = await outs[i].next()
    if (got !== `${depths[i]} ${sent[i]} ${expected(depths[i], line)}`) { wrong++; t.comment(`instance ${i}: ${got}`) }
    sent[i]++
  }
  t.equal(wrong, 0, '400 answers, each from its own stack')
  for (const inst of insts) inst.end()
  const st = await Promise.all(insts.map(async i => await i.wait()))
  t.ok(st.every(s => s.state === 'terminated' && s.result === 0), 'all end normally')
})

t.test('a snapshot of an instance waiting on a deep stack resumes in a new executor', async t => {
  const a = new Executor({ cacheDir, workers: 1 })
  await a.start()
  t.teardown(async () => { await a.stop() })
  const cm = await a.compile(program('recwait'))
  // others in the same worker, so the frame memory holds someone else's frames when it is captured
  const others = [500, 2000].map(d => a.launch(cm, { args: ['recwait', String(d)] }))
  const inst = a.launch(cm, { args: ['recwait', '1500'] })
  const o = lines(inst)
  inst.write(enc('first\n'))
  t.equal(await o.next(), `1500 0 ${expected(1500, 'first')}`)
  const ol = lines(others[1])
  others[1].write(enc('other\n'))
  t.equal(await ol.next(), `2000 0 ${expected(2000, 'other')}`)
  const { snapshot } = await inst.suspend()
  t.ok(snapshot.stack.byteLength > 1500 * 8, `the stack holds the recursion (${snapshot.stack.byteLength} bytes)`)
  const b = new Executor({ cacheDir, workers: 1 })
  await b.start()
  t.teardown(async () => { await b.stop() })
  const back = await b.resume(snapshot, program('recwait'))
  const ob = lines(back)
  back.write(enc('second\n'))
  t.equal(await ob.next(), `1500 1 ${expected(1500, 'second')}`, 'it answers from the resumed stack')
  back.end()
  t.same(await back.wait(), { state: 'terminated', result: 0 })
  for (const x of others) await x.kill()
})
