// The output rate limit (RuntimeLimits.outputBytesPerSecond): a program
// writing as fast as it can is held to the rate plus one burst, waits
// instead of being killed, and can be suspended and resumed while it waits.
import t from 'tap'
import { Executor } from '../../executor/index.js'
import { program, sleep, tempDir } from '../helpers.js'

const RATE = 128 * 1024
const BURST = RATE // one second's worth (at least 64 KiB)
const ex = new Executor({ cacheDir: tempDir('gate-cache-'), workers: 1 })
t.before(async () => { await ex.start() })
t.teardown(async () => { await ex.stop() })

t.test('a flood is held to the rate and keeps running', async t => {
  const cm = await ex.compile(program('flood'))
  const inst = ex.launch(cm, { limits: { outputBytesPerSecond: RATE } })
  let bytes = 0
  let text = ''
  inst.on('stdout', d => { bytes += d.byteLength; if (text.length < 4096) text += Buffer.from(d).toString() })
  const t0 = performance.now()
  await sleep(1500)
  const elapsed = (performance.now() - t0) / 1000
  const most = BURST + RATE * elapsed + 64 * 1024 // a write may overdraw the bucket once (stdio writes a buffer at a time)
  t.ok(bytes <= most, `${bytes} bytes in ${elapsed.toFixed(2)} s, at most ${Math.round(most)} (burst + rate x time)`)
  t.ok(bytes > BURST, `it went on writing past the burst (${bytes} > ${BURST})`)
  t.match(text, /^flood line 0 \.+\nflood line 1 /, 'output starts where it should')
  t.equal(inst.status.state, 'running', 'waiting, not killed')

  // suspended while it waits for the rate, resumed: the lines go on where they stopped
  const s = await inst.suspend()
  t.equal(s.snapshot.status.state, 'suspended')
  const before = bytes
  const again = await ex.resume(s.snapshot, program('flood'), { limits: { outputBytesPerSecond: RATE } })
  let next = ''
  again.on('stdout', d => { if (next.length < 200) next += Buffer.from(d).toString() })
  await sleep(300)
  const m = /^flood line (\d+) /m.exec(next)
  t.ok(m != null, 'the resumed flood writes again')
  t.ok(Number(m?.[1]) > 100, `and goes on from a later line (line ${m?.[1]}; ${before} bytes before)`)
  again.kill()
  const st = await again.wait()
  t.equal(st.state, 'killed')
})

t.test('without a rate the same flood is not held back', async t => {
  const cm = await ex.compile(program('flood'))
  const inst = ex.launch(cm)
  let bytes = 0
  inst.on('stdout', d => { bytes += d.byteLength })
  await sleep(1000)
  inst.kill()
  await inst.wait()
  t.ok(bytes > 4 * (BURST + RATE), `${bytes} bytes in 1 s unlimited, more than 4x what the rate lets through`)
})
