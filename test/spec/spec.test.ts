// The WebAssembly core spec testsuite through the compiler's instrumentation
// (dist/compiler/transform.js), checked differentially against the same
// engine running the untransformed modules, like wazero's no_diff. Runs on
// this process's Node (22) and, when present, on the system's Node 20, whose
// plain result is the committed baseline (27343 passed).
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

t.setTimeout(30 * 60_000) // three full spec runs
const run = promisify(execFile)
const root = resolve(import.meta.dirname, '../../..')
const specDir = resolve(root, '../shared/wasm-spec')
const transform = join(root, 'dist/compiler/transform.js')
const out = mkdtempSync(join(tmpdir(), 'gate-spec-'))

interface Result { total: { pass: number, fail: number, skip: number }, perFile: Record<string, { pass: number, fail: number }> }

async function spec (node: string, name: string, withTransform: boolean): Promise<Result> {
  const json = join(out, `${name}.json`)
  const args = [join(specDir, 'run-spec.mjs'), '--json', json]
  if (withTransform) args.push('--transform', transform)
  await run(node, args, { maxBuffer: 64 << 20, timeout: 15 * 60_000 }).catch((err: any) => {
    if (!existsSync(json)) throw err // a non-zero exit with results is a result
  })
  return JSON.parse(readFileSync(json, 'utf8'))
}

function compare (t: any, plain: Result, instrumented: Result): void {
  const worse = Object.entries(plain.perFile)
    .filter(([f, p]) => (instrumented.perFile[f]?.pass ?? 0) < p.pass)
    .map(([f, p]) => `${f}: ${instrumented.perFile[f]?.pass ?? 0} < ${p.pass}`)
  t.same(worse, [], 'no spec file passes fewer commands when instrumented')
  t.ok(instrumented.total.pass >= plain.total.pass, `instrumented ${instrumented.total.pass} >= plain ${plain.total.pass}`)
}

t.test('spec suite on this Node, instrumented vs plain', { skip: !existsSync(specDir) && 'no ../shared/wasm-spec' }, async t => {
  const [plain, inst] = await Promise.all([spec(process.execPath, 'plain', false), spec(process.execPath, 'inst', true)])
  t.comment(`node ${process.version}: plain ${plain.total.pass} passed, instrumented ${inst.total.pass} passed, ${inst.total.fail} failed`)
  compare(t, plain, inst)
})

const node20 = ['/usr/bin/node', '/usr/local/bin/node'].find(p => existsSync(p))
t.test('spec suite on the system Node against the committed baseline', { skip: (node20 == null || !existsSync(specDir)) && 'no system node' }, async t => {
  const baseline = JSON.parse(readFileSync(join(specDir, 'baseline-core.json'), 'utf8')) as Result
  const { stdout } = await run(node20 as string, ['--version'])
  const inst = await spec(node20 as string, 'inst-system', true)
  t.comment(`node ${stdout.trim()}: baseline ${baseline.total.pass} passed, instrumented ${inst.total.pass} passed, ${inst.total.fail} failed`)
  if (!stdout.startsWith('v20')) { t.comment('not Node 20: the baseline does not apply'); return }
  compare(t, baseline, inst)
})
