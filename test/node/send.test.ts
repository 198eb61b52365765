// Several real nodes on loopback in one process: module fetch by CID
// through an intermediate node, send to a peer ID with attached I/O.
import t from 'tap'
import { program } from '../helpers.js'
import { compileC } from '../host/harness.js'
import { startNet, stopAll } from './net.js'
import type { IoSession } from '../../protocols/io-session.js'

async function drain (io: IoSession, input?: string): Promise<{ stdout: string, stderr: string, status: any }> {
  const out: Buffer[] = []
  const err: Buffer[] = []
  io.on('stdout', d => out.push(Buffer.from(d)))
  io.on('stderr', d => err.push(Buffer.from(d)))
  if (input != null) await io.write(new TextEncoder().encode(input))
  await io.end()
  const status = await io.done
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), status }
}

t.test('three nodes in a line', async t => {
  const [a, b, c] = await startNet(3, 'line')
  t.teardown(async () => { await stopAll([a, b, c]) })

  await t.test('send a program to a peer ID: exact stdout, stderr and exit code', async t => {
    const r = await c.send(b.peerId, { module: program('hello'), args: ['hello', '7', 'x y'], attach: true })
    t.match(r.instance, /^[0-9a-f-]{36}$/)
    const got = await drain(r.io!)
    t.equal(got.stdout, 'hello, world\narg 1: 7\narg 2: x y\n')
    t.equal(got.status.state, 'terminated')
    t.equal(got.status.result, 7)
  })

  await t.test("the client's terminal flags travel with the deploy: isatty() answers as on the client", async t => {
    const piped = await drain((await c.send(b.peerId, { module: compileC('isatty'), attach: true })).io!)
    t.equal(piped.stdout, '0 0 0\n0 0 0\n', 'a client in a pipe: no terminals')
    const term = await drain((await c.send(b.peerId, { module: compileC('isatty'), attach: true, tty: { stdin: true, stderr: true } })).io!)
    t.equal(term.stdout, '1 0 1\n1 0 1\n', 'stdin and stderr terminals on the client')
  })

  await t.test('stdin goes to the remote program', async t => {
    const r = await a.send(b.peerId, { module: program('cat'), attach: true })
    const got = await drain(r.io!, 'line one\nline two\n')
    t.equal(got.stdout, 'line one\nline two\n')
    t.equal(got.status.result, 0)
  })

  await t.test('a module published on A is fetched by CID on C, through B', async t => {
    const bytes = program('counter')
    const cid = await a.publish(bytes)
    t.match(cid.toString(), /^baf/)
    let progress = 0
    const fetched = await c.fetchModule(cid.toString(), { onProgress: p => { progress = p.received } })
    t.same(Buffer.from(fetched), Buffer.from(bytes), 'same bytes')
    t.equal(progress, bytes.byteLength, 'progress reached the full size')
  })
})
