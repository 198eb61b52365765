// The WebAssembly spec testsuite, as Debian's binaryen source package carries
// it, run differentially: every module plain and through the compiler's
// transform (dist/compiler/transform.js), every command in both, outcomes
// compared bit for bit (runner.ts). Needs no ../shared: fetch.sh gets the
// suite with apt-get source and converts it with Debian's wast2json (cached in
// build/spec-debian). Fails, rather than skips, when that cannot be done.
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { runAll, runFile } from './runner.js'

t.setTimeout(6 * 60_000)
const run = promisify(execFile)
const root = resolve(import.meta.dirname, '../../../..')
const jsonDir = join(root, 'build/spec-debian/json')
const transform = join(root, 'dist/compiler/transform.js')

let fetched = false

t.test('spec suite from Debian: instrumented modules behave as the plain ones', async t => {
  try {
    const { stdout } = await run('bash', [join(root, 'test/spec/debian/fetch.sh')], { maxBuffer: 16 << 20, timeout: 4 * 60_000 })
    t.comment(stdout.trim())
    fetched = true
  } catch (err: any) {
    t.fail(`test/spec/debian/fetch.sh failed (apt-get source binaryen / apt-get install wabt need Debian's archive): ${String(err.stderr ?? err.message).trim().split('\n').slice(-5).join(' | ')}`)
    return
  }
  t.ok(existsSync(transform), `${transform} exists (npm run -s build)`)
  if (!existsSync(transform)) return
  const files = readdirSync(jsonDir).filter(n => existsSync(join(jsonDir, n, `${n}.json`))).map(n => join(jsonDir, n, `${n}.json`))
  t.ok(files.length > 80, `${files.length} converted spec scripts`)

  const { totals, files: results } = await runAll(files, { transform, jobs: 2, timeoutMs: 150_000 })
  t.comment(`plain: ${totals.specPassed} passed per spec, ${totals.specFailed} failed, ${totals.specSkipped} not run (text modules)`)
  t.comment(`instrumented: same outcome on ${totals.same} of ${totals.compared}; ${totals.modules} modules, ${totals.transformErrors} transform errors, ` +
    `${totals.trapMessageDiffers} traps with another message; ${totals.files} files in ${(totals.ms / 1000).toFixed(1)} s (transform ${(totals.transformMs / 1000).toFixed(1)} s CPU)`)
  if (totals.different > 0) t.comment(`${totals.missingInstance} of the ${totals.different} differences are commands on an instrumented module that is missing`)
  for (const [m, n] of Object.entries(totals.transformErrorMessages).sort((x, y) => y[1] - x[1]).slice(0, 10)) t.comment(`transform error (${n} files): ${m}`)
  const diffs = results.flatMap(r => r.differences.slice(0, 3).map(d => `${r.file}:${d.line} ${d.command}: plain ${d.plain}, instrumented ${d.instrumented}`))
  t.same(totals.failedFiles, [], 'every spec script ran to its end')
  t.equal(totals.different, 0, 'no command has another outcome instrumented', { diffs: diffs.slice(0, 40), perFile: results.filter(r => r.different > 0).map(r => `${r.file}: ${r.different}`) })
  t.ok(totals.specPassed > 20000, `plain run passes ${totals.specPassed} > 20000 commands per spec`)
})

// The runner itself, on selftest.wast (every value type through the wrapper
// modules, NaN payloads, traps, exhaustion, globals, linking): the plain run
// passes it per spec, an identity transform differs nowhere, and transforms
// that change a NaN payload or fail are seen as differences.
t.test('the runner sees what it should', async t => {
  if (!fetched) { t.fail('no wast2json: fetch.sh failed'); return }
  const dir = mkdtempSync(join(tmpdir(), 'gate-selftest-'))
  await run('wast2json', [join(root, 'test/spec/debian/selftest.wast'), '-o', join(dir, 'selftest.json')])
  const json = join(dir, 'selftest.json')
  const same = runFile(json, b => b)
  t.equal(same.specFailed, 0, `plain run passes selftest.wast per spec: ${JSON.stringify(same.specFailures)}`)
  t.ok(same.specPassed >= 30, `${same.specPassed} selftest commands pass`)
  t.equal(same.different, 0, 'identity transform: no difference')
  // f32 NaN 0x7fa00001 (the global g_f32) becomes 0x7fa00003: still a NaN
  const payload = runFile(json, b => {
    const o = new Uint8Array(b)
    for (let i = 0; i + 3 < o.length; i++) if (o[i] === 1 && o[i + 1] === 0 && o[i + 2] === 0xa0 && o[i + 3] === 0x7f) o[i] = 3
    return o
  })
  t.ok(payload.differences.some(d => d.command === 'assert_return g_f32'), `a changed NaN payload is a difference: ${JSON.stringify(payload.differences)}`)
  const throws = runFile(json, b => { if (b.length > 200) throw new Error('no'); return b })
  t.equal(throws.transformErrors, 1, 'a transform error is counted')
  t.ok(throws.different > 20 && throws.missingInstance > 0, 'and so are the commands on the module it did not give')
})
