// `gate run prog | head`: when stdout's reader goes away the program is
// ended as SIGPIPE ends a native one: exit status 141, nothing on stderr.
import t from 'tap'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from '../helpers.js'

t.test('a closed stdout pipe ends the program quietly with 141', async t => {
  const child = spawn(join(ROOT, 'bin/gate'), ['run', join(ROOT, 'build/testprogs/counter.wasm'), '--', '0', '1'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr.on('data', d => { err += String(d) })
  const first = await new Promise<string>(resolve => child.stdout.once('data', d => { resolve(String(d)) }))
  child.stdout.destroy()
  const code = await new Promise<number | null>(resolve => child.on('exit', c => { resolve(c) }))
  t.match(first, /^1 \d+\n/, 'the program was writing')
  t.equal(code, 141)
  t.equal(err, '', 'no error message, no stack trace')
})
