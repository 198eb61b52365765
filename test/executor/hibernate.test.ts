// Hibernation: an idle instance leaves its worker for the blockstore and
// comes back on input, a message or its deadline; its user sees one instance.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Executor, HibernatingInstance, type Instance } from '../../executor/index.js'
import { MemoryBlockstore } from '../../executor/snapshot/blockstore.js'
import { ROOT, program, sleep, tempDir } from '../helpers.js'

const AFTER = 40
const store = new MemoryBlockstore()
const ex = new Executor({ cacheDir: tempDir('gate-cache-'), workers: 2, hibernate: { afterMs: AFTER, store } })
t.before(async () => { await ex.start() })
t.teardown(async () => { await ex.stop() })

const sleeper = (): Uint8Array => new Uint8Array(readFileSync(join(ROOT, 'test/executor/progs/sleeper.wasm')))
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

async function until (what: string, pred: () => boolean, ms = 20000): Promise<void> {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(2)
  }
}

/** stdout as it comes, and a way to wait (at most `ms`) for a given text in it: on the output event, not by polling (a thousand pollers at once slowed what they waited for). */
function output (inst: Instance): { text: () => string, has: (s: string, ms?: number) => Promise<void> } {
  let out = ''
  const waiters = new Set<() => void>()
  inst.on('stdout', d => { out += Buffer.from(d).toString(); for (const w of waiters) w() })
  const has = async (s: string, ms = 20000): Promise<void> => {
    if (out.includes(s)) return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`timed out waiting for output ${JSON.stringify(s)}`)) }, ms)
      const check = (): void => { if (out.includes(s)) { clearTimeout(timer); waiters.delete(check); resolve() } }
      waiters.add(check)
    })
  }
  return { text: () => out, has }
}

t.test('cat hibernates when idle, leaves its worker, and input wakes it', async t => {
  const cm = await ex.compile(program('cat'))
  const inst = ex.launch(cm) as HibernatingInstance
  t.ok(inst instanceof HibernatingInstance, 'a hibernating handle')
  let err = ''
  inst.on('stderr', d => { err += Buffer.from(d).toString() })
  const out = output(inst)
  await until('hibernated', () => inst.phase === 'hibernated')
  t.same(ex.stats(), { live: 0, hibernated: 1, waking: 0 }, 'no worker slot, counted as hibernated')
  t.ok(inst.root != null, 'kept as a root CID')
  t.equal(ex.get(inst.id), inst, 'get() answers the handle while it is hibernated')
  t.ok(ex.instances().includes(inst), 'instances() lists it')
  t.equal(inst.status.state, 'running', 'to its user it is running')
  inst.write(enc('hello\n'))
  await out.has('hello\n')
  t.equal(inst.wakes, 1)
  await until('hibernated again', () => inst.phase === 'hibernated')
  inst.write(enc('again\n'))
  await out.has('again\n')
  inst.end()
  const st = await inst.wait()
  t.equal(st.state, 'terminated')
  t.equal(st.result, 0)
  t.equal(out.text(), 'hello\nagain\n', 'continuous output across the chain')
  t.equal(err, '12 bytes\n')
  t.ok(inst.hibernations >= 2, `hibernated ${inst.hibernations} times`)
  t.same(ex.stats(), { live: 0, hibernated: 0, waking: 0 })
  t.equal(ex.get(inst.id), undefined, 'forgotten once ended')
})

t.test('hibernate: false launches a plain instance', async t => {
  const cm = await ex.compile(program('cat'))
  const inst = ex.launch(cm, { hibernate: false })
  t.notOk(inst instanceof HibernatingInstance)
  await sleep(AFTER * 3)
  t.equal(ex.stats().hibernated, 0)
  t.equal(ex.stats().live, 1)
  await inst.kill()
})

t.test('a sleeping program hibernates and wakes at its deadline (nanosleep and poll)', async t => {
  const cm = await ex.compile(sleeper())
  const inst = ex.launch(cm) as HibernatingInstance
  const out = output(inst)
  await until('hibernated (waiting for input)', () => inst.phase === 'hibernated')
  for (const [line, want] of [['600\n', /^slept 600 (\d+)$/m], ['p 600\n', /^poll 600 0 (\d+)$/m]] as const) {
    const before = out.text().length
    const t0 = performance.now()
    inst.write(enc(line))
    // it wakes for the line, sleeps, and hibernates while it sleeps
    await until('hibernated while sleeping', () => inst.phase === 'hibernated' && inst.waitsFor?.deadlineInMs != null)
    t.same(ex.stats(), { live: 0, hibernated: 1, waking: 0 })
    await until('the answer', () => want.test(out.text().slice(before)))
    const wall = performance.now() - t0
    const took = Number(want.exec(out.text().slice(before))![1])
    t.ok(took >= 600, `the program's clock: ${took} ms (at least the 600 asked for)`)
    t.ok(wall >= 600, `wall time ${wall.toFixed(0)} ms: not woken early`)
    // loose, not a performance figure: a clock that stood still while it was
    // hibernated would make it sleep its ~560 ms in the store over again
    t.ok(took < 1100, `woke at the deadline, not a second sleep later (${took} ms)`)
  }
  inst.end()
  t.equal((await inst.wait()).state, 'terminated')
})

t.test('1000 idle instances hibernate, then all wake and answer', async t => {
  const cm = await ex.compile(program('cat'))
  const N = 1000
  const insts: HibernatingInstance[] = []
  for (let i = 0; i < N; i++) insts.push(ex.launch(cm) as HibernatingInstance)
  await until('all hibernated', () => ex.stats().hibernated === N, 120000)
  t.equal(ex.stats().live, 0, 'no instance left in a worker')
  const outs = insts.map(i => output(i))
  const w0 = performance.now()
  insts.forEach((inst, i) => { inst.write(enc(`line ${i}\n`)) })
  // all at once through 2 workers: bounded generously (CI runs other tests beside it)
  await Promise.all(outs.map(async (o, i) => await o.has(`line ${i}\n`, 120000)))
  t.comment(`${N} wakes at once answered in ${((performance.now() - w0) / 1000).toFixed(1)} s`)
  insts.forEach(i => { i.end() })
  const sts = await Promise.all(insts.map(async i => await i.wait()))
  t.ok(sts.every(s => s.state === 'terminated' && s.result === 0), 'all ended normally')
  t.ok(outs.every((o, i) => o.text() === `line ${i}\n`), 'each answered its own line, once')
  t.same(ex.stats(), { live: 0, hibernated: 0, waking: 0 })
})

t.test('a missing block at wake ends just that instance, naming the block', async t => {
  const cm = await ex.compile(program('cat'))
  const a = ex.launch(cm) as HibernatingInstance
  const b = ex.launch(cm) as HibernatingInstance
  await until('both hibernated', () => a.phase === 'hibernated' && b.phase === 'hibernated')
  const root = a.root!.toString()
  t.ok(store.blocks.delete(root), 'its root block removed from the store')
  const outB = output(b)
  a.write(enc('x\n'))
  b.write(enc('y\n'))
  const st = await a.wait()
  t.equal(st.state, 'killed')
  t.equal(st.cause, 'INTERNAL')
  t.match(st.error, root, 'the error names the block')
  t.match(st.error, /missing/)
  await outB.has('y\n')
  t.equal(b.status.state, 'running', 'the other instance is unharmed')
  b.end()
  t.equal((await b.wait()).state, 'terminated')
  t.same(ex.stats(), { live: 0, hibernated: 0, waking: 0 })
})

t.test('kill of a hibernated instance needs no worker', async t => {
  const cm = await ex.compile(program('cat'))
  const inst = ex.launch(cm) as HibernatingInstance
  await until('hibernated', () => inst.phase === 'hibernated')
  const st = await inst.kill()
  t.equal(st.state, 'killed')
  t.equal(st.cause, 'KILLED')
  t.equal(inst.wakes, 0, 'not woken to be killed')
  t.same(ex.stats(), { live: 0, hibernated: 0, waking: 0 })
  t.same(await inst.kill(), st, 'a second kill answers the same')
})

t.test('suspend of a hibernated instance returns its snapshot, which resumes', async t => {
  const bytes = program('cat')
  const cm = await ex.compile(bytes)
  const inst = ex.launch(cm) as HibernatingInstance
  const out = output(inst)
  inst.write(enc('before\n'))
  await out.has('before\n')
  await until('hibernated', () => inst.phase === 'hibernated')
  const snap = (await inst.snapshot()).snapshot
  t.equal(snap.status.state, 'suspended')
  t.equal(inst.phase, 'hibernated', 'snapshot() (continue) keeps it hibernated')
  const { snapshot } = await inst.suspend()
  t.equal(inst.wakes, 0, 'not woken to be suspended')
  t.equal((await inst.wait()).state, 'suspended')
  t.equal(snapshot.instanceId, inst.id)
  t.same(ex.stats(), { live: 0, hibernated: 0, waking: 0 })
  await t.rejects(inst.snapshot(), /suspended/)
  const again = await ex.resume(snapshot, bytes, { hibernate: false })
  let out2 = ''
  again.on('stdout', d => { out2 += Buffer.from(d).toString() })
  let err2 = ''
  again.on('stderr', d => { err2 += Buffer.from(d).toString() })
  again.write(enc('after\n'))
  again.end()
  t.equal((await again.wait()).state, 'terminated')
  t.equal(out2, 'after\n')
  t.equal(err2, '13 bytes\n', 'the count includes the input before the hibernation')
})

t.test('input while hibernation is under way wakes it right after; two inputs while hibernated wake it once', async t => {
  const cm = await ex.compile(program('cat'))
  const inst = ex.launch(cm) as HibernatingInstance
  const out = output(inst)
  // written the moment the hibernation starts (suspend requested, snapshot not yet back)
  inst.on('phase', p => { if (p === 'hibernating' && inst.hibernations === 0 && out.text() === '') inst.write(enc('during\n')) })
  await out.has('during\n')
  await until('hibernated', () => inst.phase === 'hibernated')
  const wakes = inst.wakes
  inst.write(enc('one\n'))
  t.equal(inst.phase, 'waking')
  t.equal(ex.stats().waking, 1)
  inst.write(enc('two\n'))
  inst.end()
  t.equal((await inst.wait()).state, 'terminated')
  t.equal(out.text(), 'during\none\ntwo\n', 'nothing lost, nothing doubled, in order')
  t.equal(inst.wakes, wakes + 1, 'one wake for both')
})

t.test('resume of a snapshot into a hibernating executor', async t => {
  const bytes = program('cat')
  const cm = await ex.compile(bytes)
  const a = ex.launch(cm, { hibernate: false })
  const { snapshot } = await a.suspend()
  const b = await ex.resume(snapshot, bytes) as HibernatingInstance
  t.ok(b instanceof HibernatingInstance)
  await until('hibernated', () => b.phase === 'hibernated')
  const out = output(b)
  b.write(enc('z\n'))
  await out.has('z\n')
  await b.kill()
})

t.test('a peer message wakes an instance waiting for it; its reply goes out through the port', async t => {
  const cm = await ex.compile(program('peer'))
  const sent: Array<{ to: string, text: string }> = []
  const registered: string[] = []
  const port = {
    register: async (name: string) => { registered.push(name) },
    unregister: async () => {},
    find: async () => [],
    send: async (to: string, payload: Uint8Array) => { sent.push({ to, text: Buffer.from(payload).toString() }) }
  }
  const inst = ex.launch(cm, { args: ['peer', 'bob', 'alice', 'pong'], peer: port }) as HibernatingInstance
  const out = output(inst)
  await out.has('registered bob: 0\n')
  await until('hibernated', () => inst.phase === 'hibernated')
  t.equal(inst.waitsFor?.packets, true, 'it waits for a packet')
  t.ok(inst.deliver('peerX/alice', enc('ping from alice')), 'delivered')
  const st = await inst.wait()
  t.equal(st.state, 'terminated')
  t.equal(out.text(), 'registered bob: 0\ngot: ping from alice\nreply: 0\n')
  t.same(sent, [{ to: 'peerX/alice', text: 'pong to ping from alice' }])
  t.ok(registered.filter(n => n === 'bob').length >= 2, 'its name registered again where it woke')
  const plain = ex.launch(await ex.compile(program('cat')))
  t.equal(plain.deliver('x/y', enc('z')), false, 'no peer port: deliver() answers false, as a plain instance does')
  await plain.kill()
})

t.test('a store that refuses the snapshot: the instance carries on in a worker', async t => {
  const bad = { has: async () => false, get: async () => { throw new Error('no') }, put: async () => { throw new Error('disk full') } }
  const ex2 = new Executor({ cacheDir: tempDir('gate-cache-'), workers: 1, hibernate: { afterMs: 10, store: bad } })
  await ex2.start()
  t.teardown(async () => { await ex2.stop() })
  const inst = ex2.launch(await ex2.compile(program('cat'))) as HibernatingInstance
  const out = output(inst)
  await until('the store refused', () => inst.hibernateError != null)
  t.match(inst.hibernateError, /disk full/)
  t.equal(inst.phase, 'running')
  inst.write(enc('still here\n'))
  await out.has('still here\n')
  await sleep(50)
  t.equal(inst.phase, 'running', 'no more attempts')
  inst.end()
  t.equal((await inst.wait()).state, 'terminated')
})
