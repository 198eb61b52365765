// Fuzzing the validator: random bytes and mutations of real modules must
// either validate or throw a CompileError subclass - never anything else.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { validateModule } from '../../compiler/validate.js'
import { CompileError } from '../../compiler/errors.js'
import { program } from '../helpers.js'

// xorshift, seeded, so a failure can be replayed
let seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) | 1
const rnd = (n: number): number => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n }

function check (bytes: Uint8Array): 'ok' | 'rejected' {
  try { validateModule(bytes); return 'ok' } catch (err) {
    if (err instanceof CompileError) return 'rejected'
    throw new Error(`validator threw ${(err as Error)?.name}: ${(err as Error)?.message} (FUZZ_SEED=${process.env.FUZZ_SEED ?? ''})`)
  }
}

t.test(`fuzz the validator (seed ${seed})`, async t => {
  const bases = ['hello', 'cat', 'cpu', 'rec'].map(program)
  const counts = { ok: 0, rejected: 0 }
  const deadline = Date.now() + 10_000
  let n = 0
  for (; n < 5000 && Date.now() < deadline; n++) {
    let b: Uint8Array
    const kind = rnd(5)
    if (kind === 0) {
      b = new Uint8Array(randomBytes(rnd(200)))
      if (rnd(2) === 0) b.set([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0].slice(0, Math.min(8, b.length)))
    } else {
      b = bases[rnd(bases.length)].slice()
      if (kind === 1) for (let i = 0, k = 1 + rnd(8); i < k; i++) b[8 + rnd(b.length - 8)] ^= 1 << rnd(8) // bit flips
      else if (kind === 2) b = b.subarray(0, 8 + rnd(b.length - 8)) // truncation
      else if (kind === 3) { const p = 8 + rnd(Math.min(64, b.length - 8)); b[p] = 0xff; b[p + 1] = 0xff; b[p + 2] = 0xff } // section length corruption
      else { const p = 8 + rnd(b.length - 8); b.set(randomBytes(Math.min(16, b.length - p)), p) }
    }
    counts[check(b)]++
  }
  t.comment(`${n} cases: ${counts.ok} valid, ${counts.rejected} rejected with a CompileError`)
  t.ok(n >= 500, 'ran enough cases')
  t.ok(counts.rejected > 0)
})
