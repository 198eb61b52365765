// The differential spec run from the command line:
//   node dist/test/spec/debian/cli.js (--transform <path> | --transform-identity)
//        [--jobs N] [--timeout MS] [--json OUT] [name ...]
// Runs build/spec-debian/json/<name>/<name>.json (all of them when no name is
// given; run test/spec/debian/fetch.sh first) and prints the totals.
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { runAll } from './runner.js'

const root = resolve(import.meta.dirname, '../../../..')
const jsonDir = join(root, 'build/spec-debian/json')
const argv = process.argv.slice(2)
const opt = (name: string): string | undefined => { const i = argv.indexOf(name); if (i < 0) return undefined; const v = argv[i + 1]; argv.splice(i, 2); return v }
const transform = opt('--transform')
const jobs = Number(opt('--jobs') ?? 2)
const timeoutMs = Number(opt('--timeout') ?? 120_000)
const out = opt('--json')
const identity = argv.includes('--transform-identity')
const names = argv.filter(a => !a.startsWith('--'))
if (transform === undefined && !identity) { console.error('give --transform <path> or --transform-identity'); process.exit(2) }
if (!existsSync(jsonDir)) { console.error(`no ${jsonDir}: run test/spec/debian/fetch.sh`); process.exit(2) }
const all = readdirSync(jsonDir).filter(n => existsSync(join(jsonDir, n, `${n}.json`)))
const files = (names.length > 0 ? names : all).map(n => join(jsonDir, n, `${n}.json`))
const { totals, files: results } = await runAll(files, {
  transform, jobs, timeoutMs,
  onFile: r => console.log(`${r.file}: ${r.commands} commands, spec ${r.specPassed} passed ${r.specFailed} failed, same ${r.same}/${r.compared}` +
    `${r.different > 0 ? `, ${r.different} DIFFERENT` : ''}${r.error !== undefined ? `, ERROR ${r.error}` : ''}, ${(r.ms / 1000).toFixed(1)} s (transform ${(r.transformMs / 1000).toFixed(1)} s)`)
})
for (const r of results) {
  for (const d of r.differences) console.log(`  DIFF ${r.file}:${d.line} ${d.command}: plain ${d.plain}, instrumented ${d.instrumented}`)
}
console.log(`plain: ${totals.specPassed} passed per spec, ${totals.specFailed} failed, ${totals.specSkipped} not run (text modules); ` +
  `instrumented: same outcome on ${totals.same} of ${totals.compared}; ${totals.files} files, ${totals.modules} modules, ` +
  `${totals.failedFiles.length} files did not finish; ${(totals.ms / 1000).toFixed(1)} s (transform ${(totals.transformMs / 1000).toFixed(1)} s of CPU)`)
for (const f of totals.failedFiles) console.log(`  NOT FINISHED ${f}`)
if (totals.different > 0) console.log(`  ${totals.missingInstance} of the ${totals.different} differences are commands on an instrumented module that is missing`)
for (const [m, n] of Object.entries(totals.transformErrorMessages).sort((x, y) => y[1] - x[1])) console.log(`  transform error (${n} files): ${m}`)
if (out !== undefined) writeFileSync(out, JSON.stringify({ totals, files: results }, null, 1))
process.exitCode = totals.different > 0 || totals.failedFiles.length > 0 ? 1 : 0
