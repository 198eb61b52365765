// Nodes as separate processes driven by the gate CLI: start, connect,
// send with exit codes, publish + run by CID, messages, instances, auth,
// graceful stop.
import t from 'tap'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ROOT, tempDir } from '../helpers.js'

const gate = join(ROOT, 'bin/gate')
const prog = (n: string): string => join(ROOT, 'build/testprogs', `${n}.wasm`)

interface Started { proc: ChildProcess, dir: string, peerId: string, addresses: string[], control: string, lines: string[] }

async function startNode (): Promise<Started> {
  const dir = tempDir('gate-cli-node-')
  const proc = spawn(gate, ['node', 'start', '--json', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-with', String(process.pid)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: string[] = []
  const rl = createInterface({ input: proc.stdout! })
  const started = await new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('node did not start in 90 s')) }, 90_000)
    rl.on('line', l => {
      lines.push(l)
      const e = JSON.parse(l)
      if (e.event === 'started') { clearTimeout(timer); resolve(e) }
    })
    proc.once('exit', code => { reject(new Error(`node exited with ${String(code)}`)) })
  })
  return { proc, dir, peerId: started.peerId, addresses: started.addresses, control: started.control, lines }
}

async function cli (args: string[], input = ''): Promise<{ stdout: string, stderr: string, code: number }> {
  return await new Promise(resolve => {
    const child = execFile(gate, args, { maxBuffer: 16 << 20, timeout: 90_000 }, (err: any, stdout, stderr) => {
      resolve({ stdout, stderr, code: err == null ? 0 : (err.code ?? 1) })
    })
    child.stdin?.end(input)
  })
}

async function stop (n: Started): Promise<number | null> {
  if (n.proc.exitCode != null) return n.proc.exitCode
  const exited = new Promise<number | null>(resolve => n.proc.once('exit', code => { resolve(code) }))
  n.proc.kill('SIGTERM')
  return await exited
}

t.test('two node processes driven by the CLI', async t => {
  const [a, b] = await Promise.all([startNode(), startNode()])
  t.teardown(async () => { await stop(a); await stop(b) })
  const on = (n: Started, ...args: string[]): string[] => ['--data-dir', n.dir, ...args]

  const id = await cli(on(a, 'id', '--json'))
  t.equal(JSON.parse(id.stdout).peerId, a.peerId)

  const c = await cli(on(b, 'connect', a.addresses[0]))
  t.equal(c.code, 0, c.stderr)
  t.match(c.stdout, a.peerId)
  t.match((await cli(on(b, 'peers'))).stdout, a.peerId)

  await t.test('send: output and exit code of the remote program', async t => {
    const r = await cli(on(b, 'send', a.peerId, prog('hello'), '--env', 'GREETING=remote', '--', '4', 'z'))
    t.equal(r.stdout, 'hello, world\narg 1: 4\narg 2: z\ngreeting: remote\n')
    t.equal(r.code, 4)
    const cat = await cli(on(b, 'send', a.peerId, prog('cat')), 'piped through two nodes\n')
    t.equal(cat.stdout, 'piped through two nodes\n')
    t.equal(cat.code, 0)
  })

  await t.test('publish on A, run by CID on B, send by CID', async t => {
    const p = await cli(on(a, 'publish', prog('hello')))
    t.equal(p.code, 0, p.stderr)
    const cid = p.stdout.trim()
    t.match(cid, /^bafk/)
    const r = await cli(on(b, 'run', cid, '--progress', '--', '9'))
    t.equal(r.stdout, 'hello, world\narg 1: 9\n')
    t.equal(r.code, 9)
    t.match(r.stderr, /fetch \d+\/\d+ bytes 100%/, 'fetch progress shown')
    const s = await cli(on(a, 'send', b.peerId, cid, '--', '2'))
    t.equal(s.code, 2)
  })

  await t.test('messages between nodes', async t => {
    const m = await cli(on(b, 'msg', a.peerId, 'hello', 'node', 'A'))
    t.equal(m.code, 0, m.stderr)
    const got = await cli(on(a, 'messages', '--json'))
    const msgs = JSON.parse(got.stdout).messages
    t.same(msgs.map((x: any) => [x.from, x.text]), [[b.peerId, 'hello node A']])
    t.ok(a.lines.some(l => l.includes('"event":"message"') && l.includes('hello node A')), 'the node printed it')
  })

  await t.test('persistent instances: launch on a peer, list, suspend, resume, kill', async t => {
    const l = await cli(on(b, 'launch', prog('spin'), '--peer', a.peerId))
    t.equal(l.code, 0, l.stderr)
    const id = l.stdout.trim()
    t.match(id, /^[0-9a-f-]{36}$/)
    const mine = JSON.parse((await cli(on(b, 'instances', '--peer', a.peerId, '--json'))).stdout).instances
    t.same(mine.map((i: any) => [i.instance, i.status.state, i.owner]), [[id, 'running', b.peerId]])
    t.match((await cli(on(b, 'suspend', id, '--peer', a.peerId))).stdout, /suspended/)
    t.match((await cli(on(b, 'resume', id, '--peer', a.peerId))).stdout, /running/)
    t.match((await cli(on(b, 'kill', id, '--peer', a.peerId))).stdout, /killed/)
    const again = await cli(on(b, 'resume', id, '--peer', a.peerId))
    t.equal(again.code, 1)
    t.match(again.stderr, /CONFLICT/)
    const all = JSON.parse((await cli(on(a, 'instances', '--json'))).stdout).instances
    t.ok(all.some((i: any) => i.instance === id), 'the node owner sees every instance')
  })

  await t.test('migrate: a program sent from B to A moves to B mid-run; the output keeps coming', async t => {
    const args = ['--', '3000000000', '50000000']
    const whole = await cli(['run', prog('counter'), ...args])
    const send = spawn(gate, ['--data-dir', b.dir, 'send', a.peerId, prog('counter'), '--no-stdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    send.stdout!.on('data', d => { out += String(d) })
    const exited = new Promise<number | null>(resolve => send.once('exit', code => { resolve(code) }))
    for (let i = 0; i < 300 && out.split('\n').length < 3; i++) await new Promise(resolve => setTimeout(resolve, 100))
    const list = JSON.parse((await cli(on(a, 'instances', '--json'))).stdout).instances
    const inst = list.find((i: any) => i.status.state === 'running')
    t.ok(inst != null, 'running on A')
    const mv = await cli(on(a, 'migrate', inst.instance, b.peerId))
    t.equal(mv.code, 0, mv.stderr)
    t.match(mv.stdout, /moved: .*downtime [0-9.]+ ms/)
    t.equal(await exited, 0, 'the send command ends like the program')
    const lines = out.trim().split('\n')
    const ref = whole.stdout.trim().split('\n')
    t.equal(lines[lines.length - 1], ref[ref.length - 1], 'same final line as an uninterrupted local run')
    t.ok(lines.every(l => ref.includes(l)), 'every line is one the program prints')
  })

  await t.test('bad input: unknown peer, bad module, no node', async t => {
    const bad = await cli(on(b, 'send', '12D3KooWBogusBogusBogusBogusBogusBogusBogusBogusBogus', prog('hello')))
    t.equal(bad.code, 1)
    t.match(bad.stderr, /gate: BAD_REQUEST: not a peer ID/)
    const junk = await cli(on(b, 'send', a.peerId, join(ROOT, 'package.json')))
    t.equal(junk.code, 1)
    t.match(junk.stderr, /BAD_REQUEST/)
    const none = await cli(['peers', '--data-dir', tempDir()])
    t.equal(none.code, 1)
    t.match(none.stderr, /no node is running/)
  })

  await t.test('the control API refuses requests not signed by the node key', async t => {
    const res = await fetch(`${a.control}/gate-0/peers`)
    t.equal(res.status, 401)
    t.match(res.headers.get('www-authenticate'), /Bearer/)
    const forged = await fetch(`${a.control}/gate-0/peers`, { headers: { Authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' } })
    t.equal(forged.status, 401)
    const pub = await fetch(`${a.control}/gate-0/`)
    t.equal((await pub.json() as any).peerId, a.peerId, 'the public info needs no token')
  })

  t.equal(await stop(a), 0, 'graceful stop exits 0')
  t.notOk(existsSync(join(a.dir, 'control.json')), 'control file removed')
})
