// One spec script in this process, for runAll's children:
//   node dist/test/spec/debian/run-file.js <json> (--transform <path> | --transform-identity)
// Prints its FileResult as one JSON line on stdout.
import { runFile, loadTransform } from './runner.js'

const argv = process.argv.slice(2)
const json = argv[0]
const ti = argv.indexOf('--transform')
if (json === undefined || (ti < 0 && !argv.includes('--transform-identity'))) {
  console.error('usage: run-file.js <json> (--transform <path> | --transform-identity)')
  process.exit(2)
}
const transform = await loadTransform(ti >= 0 ? argv[ti + 1] : undefined)
process.stdout.write(JSON.stringify(runFile(json, transform)) + '\n')
