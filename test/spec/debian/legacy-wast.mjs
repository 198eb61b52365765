// Rewrites the older script syntax of the spec suite copy in Debian's binaryen
// source into the syntax wabt 1.0.32's wast2json reads, and nothing else:
//   (assert_return_canonical_nan A)  -> (assert_return A (T.const nan:canonical))
//   (assert_return_arithmetic_nan A) -> (assert_return A (T.const nan:arithmetic))
//   (assert_return_nan A)            -> (assert_return A (T.const nan:arithmetic))
//   (assert_trap A) with no message  -> (assert_trap A "trap")
//   infinity                         -> inf
//   (v128.const i32x4 <8 or 16 lanes>) -> i16x8 / i8x16
// T is f32 or f64, taken from the invoked export's name ("f64.promote_f32"),
// else from the script's name (f32.wast), else f32; the runner checks NaN
// results by the export's real result type, so a wrong guess costs nothing.
// Usage: node legacy-wast.mjs IN.wast OUT.wast (exits 3 when nothing changed).
import { readFileSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'

const [inPath, outPath] = process.argv.slice(2)
const src = readFileSync(inPath, 'utf8')
const fileType = (basename(inPath).match(/f32|f64/) ?? ['f32'])[0]

// Index just past the s-expression opening at `open`, skipping strings and comments.
function close (s, open) {
  let depth = 0
  for (let i = open; i < s.length; i++) {
    const c = s[i]
    if (c === '"') { for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === '\\') i++; continue }
    if (c === ';' && s[i + 1] === ';') { while (i < s.length && s[i] !== '\n') i++; continue }
    if (c === '(' && s[i + 1] === ';') { let d = 1; i += 2; for (; i < s.length && d > 0; i++) { if (s[i] === '(' && s[i + 1] === ';') { d++; i++ } else if (s[i] === ';' && s[i + 1] === ')') { d--; i++ } } i--; continue }
    if (c === '(') depth++
    else if (c === ')') { depth--; if (depth === 0) return i + 1 }
  }
  throw new Error(`unbalanced s-expression at ${open}`)
}

let out = ''; let pos = 0; let changed = 0
const re = /\((assert_return_canonical_nan|assert_return_arithmetic_nan|assert_return_nan|assert_trap)\b/g
let m
while ((m = re.exec(src)) !== null) {
  if (m.index < pos) continue
  // skip matches inside line comments
  const lineStart = src.lastIndexOf('\n', m.index) + 1
  if (src.slice(lineStart, m.index).includes(';;')) continue
  const end = close(src, m.index)
  const inner = src.slice(m.index + m[0].length, end - 1)
  const actOpen = inner.indexOf('(')
  if (actOpen < 0) continue
  const actEnd = close(inner, actOpen)
  const action = inner.slice(actOpen, actEnd)
  const rest = inner.slice(actEnd).trim()
  let repl
  if (m[1] === 'assert_trap') {
    if (rest !== '') continue
    repl = `(assert_trap ${action} "trap")`
  } else {
    const field = (action.match(/"([^"]*)"/) ?? ['', ''])[1]
    const t = (field.match(/f32|f64/) ?? [fileType])[0]
    const kind = m[1] === 'assert_return_canonical_nan' ? 'canonical' : 'arithmetic'
    repl = `(assert_return ${action} (${t}.const nan:${kind}))`
  }
  out += src.slice(pos, m.index) + repl
  pos = end
  re.lastIndex = end
  changed++
}
out += src.slice(pos)
// the older float literal `infinity` (not inside a string: there it follows a '.' or a letter)
out = out.replace(/(?<=[\s(+-])infinity(?=[\s)])/g, () => { changed++; return 'inf' })
// lane shapes the suite's copy gets wrong: an i32x4 constant with 8 or 16 lanes
out = out.replace(/\(v128\.const i32x4((?:\s+[-+0-9a-fA-Fx_.]+){16})\s*\)/g, (_, l) => { changed++; return `(v128.const i8x16${l})` })
out = out.replace(/\(v128\.const i32x4((?:\s+[-+0-9a-fA-Fx_.]+){8})\s*\)/g, (_, l) => { changed++; return `(v128.const i16x8${l})` })
if (changed === 0) process.exit(3)
writeFileSync(outPath, out)
