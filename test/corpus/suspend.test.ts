// Every corpus invocation run under constant suspension: suspended at
// random moments mid-run, each snapshot resumed in a fresh worker of a
// fresh executor, again and again until it ends; its stdout and exit code
// must be those of an uninterrupted run. Skipped when build/corpus is missing.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { Executor } from '../../executor/index.js'
import type { Instance } from '../../executor/index.js'
import { tempDir } from '../helpers.js'
import { corpusPrograms, isBuilt, stdinOf, type CorpusProgram } from './programs.js'

t.setTimeout(600_000)
const cacheDir = tempDir('gate-corpus-suspend-')

interface Result { out: Buffer, code: number, suspensions: number, captureMs: number[] }

async function collect (inst: Instance, out: Buffer[]): Promise<void> {
  inst.on('stdout', (d: Uint8Array) => { out.push(Buffer.from(d)) })
}

/**
 * Run p; with `every` > 0, suspend after a random 2..2+every ms, resume in a
 * new executor, repeat; the interval grows by half after each suspension, so
 * the points spread from the start to late in the run and a long run is
 * suspended some 12 times, not hundreds (each cycle starts a worker).
 */
async function run (p: CorpusProgram, every: number, seed: number): Promise<Result> {
  const bytes = new Uint8Array(readFileSync(p.wasm))
  const out: Buffer[] = []
  const captureMs: number[] = []
  let ex = new Executor({ workers: 1, cacheDir })
  await ex.start()
  let inst = ex.launch(await ex.compile(bytes), { args: [p.program, ...p.args] })
  await collect(inst, out)
  inst.write(stdinOf(p)); inst.end()
  let suspensions = 0
  let x = seed
  const rnd = (): number => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 2 ** 32 }
  try {
    for (;;) {
      if (every <= 0) break
      const ended = await Promise.race([inst.wait().then(() => true), new Promise<boolean>(resolve => setTimeout(() => resolve(false), 2 + rnd() * every))])
      every *= 1.5
      if (ended) break
      let s
      try { s = await inst.suspend() } catch { break } // it ended meanwhile
      if (s.snapshot.status.state !== 'suspended') break
      suspensions++
      captureMs.push(s.requestToCapturedMs)
      await ex.stop()
      ex = new Executor({ workers: 1, cacheDir })
      await ex.start()
      inst = await ex.resume(s.snapshot, bytes)
      await collect(inst, out)
    }
    const st = await inst.wait()
    const code = st.state === 'terminated' ? Number(st.result) : -1
    return { out: Buffer.concat(out), code, suspensions, captureMs }
  } finally { await ex.stop() }
}

t.test('corpus programs suspended and resumed in new workers, again and again', async t => {
  let total = 0
  for (const p of corpusPrograms) {
    if (!isBuilt(p)) { t.comment(`${p.name}: not built (make corpus)`); continue }
    const t0 = performance.now()
    const plain = await run(p, 0, 1)
    const t1 = performance.now()
    const r = await run(p, 40, 0x9e3779b9 ^ p.name.length)
    t.comment(`${p.name}: uninterrupted ${(t1 - t0).toFixed(0)} ms, suspended and resumed ${(performance.now() - t1).toFixed(0)} ms`)
    const norm = p.normalize ?? ((s: string) => s)
    const same = p.binary === true ? r.out.equals(plain.out) : norm(r.out.toString()) === norm(plain.out.toString())
    t.ok(same, `${p.name}: stdout after ${r.suspensions} suspensions = uninterrupted run (${plain.out.length} bytes)`)
    t.equal(r.code, plain.code, `${p.name}: exit code ${plain.code}`)
    total += r.suspensions
    if (r.captureMs.length > 0) t.comment(`${p.name}: ${r.suspensions} suspensions, capture max ${Math.max(...r.captureMs).toFixed(2)} ms`)
  }
  t.ok(total >= corpusPrograms.length, `${total} suspensions in all`)
})
