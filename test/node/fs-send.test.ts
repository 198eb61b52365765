// End to end on two node processes on 127.0.0.1, driven by the CLI:
// `gate send <peer> prog.wasm --dir HOST::/work` (the directory travels
// as UnixFS through the client's node, the peer fetches it over bitswap,
// runs the program, exports the changed tree, the client fetches it and
// writes it back to HOST); `gate launch --dir` + `gate fs <instance>`;
// `gate run --mount CID::GUEST` of that tree locally.
import t from 'tap'
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ROOT, tempDir } from '../helpers.js'

const gate = join(ROOT, 'bin/gate')

interface Started { proc: ChildProcess, dir: string, peerId: string, addresses: string[] }

async function startNode (): Promise<Started> {
  const dir = tempDir('gate-fs-node-')
  const proc = spawn(gate, ['node', 'start', '--json', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-with', String(process.pid)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const rl = createInterface({ input: proc.stdout! })
  const started = await new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('node did not start in 90 s')) }, 90_000)
    rl.on('line', l => { const e = JSON.parse(l); if (e.event === 'started') { clearTimeout(timer); resolve(e) } })
    proc.once('exit', code => { reject(new Error(`node exited with ${String(code)}`)) })
  })
  return { proc, dir, peerId: started.peerId, addresses: started.addresses }
}

async function cli (args: string[], input = ''): Promise<{ stdout: string, stderr: string, code: number }> {
  return await new Promise(resolve => {
    const child = execFile(gate, args, { maxBuffer: 16 << 20, timeout: 60_000 }, (err: any, stdout, stderr) => {
      resolve({ stdout, stderr, code: err == null ? 0 : (err.code ?? 1) })
    })
    child.stdin?.end(input)
  })
}

async function stop (n: Started): Promise<void> {
  if (n.proc.exitCode != null) return
  const exited = new Promise<void>(resolve => n.proc.once('exit', () => { resolve() }))
  n.proc.kill('SIGTERM')
  await exited
}

t.test('send --dir: the tree goes by IPFS, the changes come back', { timeout: 240_000 }, async t => {
  const wasm = join(tempDir('gate-fs-prog-'), 'fsedit.wasm')
  try {
    execFileSync('clang', ['--target=wasm32-wasi', '-O2', '-o', wasm, join(ROOT, 'test/node/progs/fsedit.c')])
  } catch (err) { t.comment(`skipped: no clang for wasm32-wasi: ${(err as Error).message}`); return }
  const [a, b] = await Promise.all([startNode(), startNode()])
  t.teardown(async () => { await Promise.all([stop(a), stop(b)]) })
  const on = (n: Started, ...args: string[]): string[] => ['--data-dir', n.dir, ...args]
  const c = await cli(on(b, 'connect', a.addresses[0]))
  t.equal(c.code, 0, c.stderr)

  const host = tempDir('gate-fs-host-')
  writeFileSync(join(host, 'in.txt'), 'make me loud\n')
  writeFileSync(join(host, 'log.txt'), 'line 1\n')
  writeFileSync(join(host, 'gone.txt'), 'bye\n')
  mkdirSync(join(host, 'untouched'))
  writeFileSync(join(host, 'untouched/big.bin'), Buffer.alloc(600_000, 7))

  // B sends the program to A with HOST as /work
  const r = await cli(on(b, 'send', a.peerId, wasm, '--dir', `${host}::/work`, '--', '/work'))
  t.equal(r.stdout, 'edited 13 bytes\n', r.stderr)
  t.equal(r.code, 3, 'exit code of the remote program')
  t.equal(readFileSync(join(host, 'out.txt'), 'utf8'), 'MAKE ME LOUD\n', 'new file written back')
  t.equal(readFileSync(join(host, 'log.txt'), 'utf8'), 'line 1\nedited remotely\n', 'appended file written back')
  t.notOk(existsSync(join(host, 'gone.txt')), 'deleted file removed')
  t.equal(readFileSync(join(host, 'sub/new.txt'), 'utf8'), 'new\n', 'new directory and file')
  t.equal(readFileSync(join(host, 'untouched/big.bin')).length, 600_000, 'untouched file still there')
  t.equal(readFileSync(join(host, 'in.txt'), 'utf8'), 'make me loud\n')

  // launch --dir on A from B, then `gate fs` on A prints its tree's CID
  writeFileSync(join(host, 'gone.txt'), 'again\n')
  rmSync(join(host, 'sub'), { recursive: true })
  const cat = join(ROOT, 'build/testprogs/cat.wasm')
  const l = await cli(on(a, 'launch', cat, '--dir', `${host}::/work`))
  t.equal(l.code, 0, l.stderr)
  const inst = l.stdout.trim()
  const fs = await cli(on(a, 'fs', inst, '--json'))
  t.equal(fs.code, 0, fs.stderr)
  const j = JSON.parse(fs.stdout)
  t.equal(j.instance, inst)
  t.match(j.cid, /^bafy/)
  t.same(j.preopens.map((p: any) => p.name), ['/work'])
  await cli(on(a, 'kill', inst))
  const none = await cli(on(a, 'fs', inst))
  t.not(none.code, 0, 'an ended instance has no tree to show')

  // an instance without a filesystem
  const l2 = await cli(on(a, 'launch', cat))
  const nofs = await cli(on(a, 'fs', l2.stdout.trim()))
  t.not(nofs.code, 0)
  t.match(nofs.stderr, /no filesystem/)
  await cli(on(a, 'kill', l2.stdout.trim()))

  // B runs fsedit locally with A's tree mounted by CID: fetched from A over bitswap
  const m = await cli(on(b, 'run', wasm, '--mount', `${j.cid as string}::/m`, '--', '/m'))
  t.equal(m.stdout, 'edited 13 bytes\n', m.stderr)
  t.equal(m.code, 3)
  // and sends it to A with the same mount (A has the tree)
  const s = await cli(on(b, 'send', a.peerId, wasm, '--mount', `${j.cid as string}::/m`, '--', '/m'))
  t.equal(s.stdout, 'edited 13 bytes\n', s.stderr)
  t.equal(s.code, 3)
  const bad = await cli(on(b, 'run', wasm, '--mount', 'bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvykx::/m'))
  t.not(bad.code, 0, 'a bad CID fails')
})
