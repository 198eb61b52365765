// The gate CLI as separate processes: run like a native program, suspend to a
// file, inspect, resume in another process; output identical to one run.
import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT, tempDir } from '../helpers.js'

const run = promisify(execFile)
const gate = join(ROOT, 'bin/gate')
const prog = (n: string): string => join(ROOT, 'build/testprogs', `${n}.wasm`)
const env = { ...process.env, GATE_CACHE_DIR: tempDir('gate-cli-cache-') }

async function gateRun (args: string[], input?: string): Promise<{ stdout: string, stderr: string, code: number }> {
  return await new Promise(resolve => {
    const child = execFile(gate, args, { env, maxBuffer: 64 << 20, timeout: 120_000 }, (err: any, stdout, stderr) => {
      resolve({ stdout, stderr, code: err == null ? 0 : (err.code ?? 1) })
    })
    child.stdin?.end(input ?? '')
  })
}

t.test('run: stdout, stderr and exit code like a native program', async t => {
  const r = await gateRun(['run', prog('hello'), '--env', 'GREETING=hey', '--', '3', 'x'])
  t.match(r.stdout, /hello, world\narg 1: 3\narg 2: x\ngreeting: hey\n/)
  t.equal(r.code, 3)
  const c = await gateRun(['run', prog('cat')], 'some input\n')
  t.equal(c.stdout, 'some input\n')
  t.match(c.stderr, /11 bytes/)
  t.equal(c.code, 0)
})

t.test('suspend to a file, inspect, resume in new processes: identical output', async t => {
  const dir = tempDir()
  const args = ['--', '1500000000', '2000000'] // a line every 2M iterations: some print before the first suspension even on a loaded machine
  const whole = await gateRun(['run', prog('counter'), ...args])
  t.equal(whole.code, 0)
  const a = await gateRun(['run', prog('counter'), '--suspend-after', '250', '--snapshot-out', join(dir, 'a.snap'), ...args])
  t.equal(a.code, 0)
  t.match(a.stderr, /suspended/)
  const info = JSON.parse((await run(gate, ['inspect', join(dir, 'a.snap'), '--json'], { env })).stdout)
  t.equal(info.status.state, 'suspended')
  t.ok(info.stackBytes > 0, 'a captured stack')
  t.equal(info.moduleIncluded, true)
  const b = await gateRun(['resume', join(dir, 'a.snap'), '--suspend-after', '250', '--snapshot-out', join(dir, 'b.snap')])
  const c = await gateRun(['resume', join(dir, 'b.snap')])
  t.equal(c.code, 0)
  t.equal(a.stdout + b.stdout + c.stdout, whole.stdout, 'identical to the uninterrupted run')
  t.ok(a.stdout.length > 0 && c.stdout.length > 0, 'output on both sides of the suspensions')
})

t.test('bad input: clear errors, exit codes', async t => {
  const dir = tempDir()
  const { writeFileSync } = await import('node:fs')
  writeFileSync(join(dir, 'junk.wasm'), 'not wasm at all')
  const r = await gateRun(['run', join(dir, 'junk.wasm')])
  t.equal(r.code, 1)
  t.match(r.stderr, /gate: .*(magic|wasm|Compile|Malformed)/i)
  const s = await gateRun(['resume', join(dir, 'junk.wasm')])
  t.equal(s.code, 1)
  t.match(s.stderr, /snapshot/i)
  const u = await gateRun(['frobnicate'])
  t.equal(u.code, 2)
  const k = await gateRun(['run', prog('spin'), '--cpu-ms', '200'])
  t.equal(k.code, 1)
  t.match(k.stderr, /CPU_TIME_LIMIT/)
  const j = await gateRun(['run', prog('spin'), '--cpu-ms', '100', '--json'])
  const last = JSON.parse(j.stderr.trim().split('\n').pop() as string)
  t.same(last.status, { state: 'killed', cause: 'CPU_TIME_LIMIT', error: 'CPU time limit of 100 ms exceeded' }, '--json reports the final status')
})
