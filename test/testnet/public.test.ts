// `gate node start --testnet public` with the list pointed (by
// $GATE_TESTNET_FILE) at loopback addresses only: no bootstrap peer
// reachable gives a clear line and a node that keeps running; one reachable
// peer out of two is reported as joined. Nothing here dials off this machine.
import t from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { bootstrapAddrs } from '../../testnet/index.js'
import { tempDir } from '../helpers.js'
import { GATE, up } from './util.js'

async function fakePeer (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

interface Joined { join: any, stderr: string, stillRunning: boolean }

async function startWith (bootstrap: string[]): Promise<Joined> {
  const dir = tempDir('gate-public-')
  const list = join(dir, 'testnet.json')
  writeFileSync(list, JSON.stringify({ name: 'loopback-test', dht: 'amino', bootstrap }))
  const proc = spawn(GATE, ['node', 'start', '--json', '--testnet', 'public', '--data-dir', join(dir, 'node'), '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-with', String(process.pid)], {
    env: { ...process.env, GATE_TESTNET_FILE: list },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  proc.stderr!.on('data', d => { stderr += String(d) })
  try {
    const join = await new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`no testnet:join event in 60 s; stderr: ${stderr}`)) }, 60_000)
      createInterface({ input: proc.stdout! }).on('line', l => {
        const e = JSON.parse(l)
        if (e.event === 'testnet:join') { clearTimeout(timer); resolve(e) }
      })
      proc.once('exit', code => { reject(new Error(`node exited with ${String(code)}: ${stderr}`)) })
    })
    await new Promise(resolve => setTimeout(resolve, 300)) // the human-readable line follows the event
    return { join, stderr, stillRunning: proc.exitCode == null }
  } finally {
    const exited = new Promise(resolve => proc.once('exit', resolve))
    proc.kill('SIGTERM')
    await exited
  }
}

t.test('offline: no bootstrap peer answers -> a clear message, the node keeps running', async t => {
  const r = await startWith([`/ip4/127.0.0.1/tcp/1/p2p/${await fakePeer()}`, `/ip4/127.0.0.1/tcp/9/p2p/${await fakePeer()}`])
  t.equal(r.join.reached, 0)
  t.equal(r.join.tried, 2)
  t.match(r.stderr, /none of the 2 bootstrap peer\(s\) of loopback-test .* could be reached/)
  t.match(r.stderr, /offline/)
  t.ok(r.stillRunning, 'the node still runs')
})

t.test('one of two bootstrap peers reachable -> joined', async t => {
  const tn = await up(1)
  t.teardown(async () => { await tn.down() })
  const boot = bootstrapAddrs(tn.node(1))[0]
  const r = await startWith([boot, `/ip4/127.0.0.1/tcp/1/p2p/${await fakePeer()}`])
  t.equal(r.join.reached, 1)
  t.match(r.stderr, /joined loopback-test .*: 1 of 2 bootstrap peer\(s\) answered/)
})

t.test('a bad testnet list is refused with the file named', async t => {
  const dir = tempDir('gate-public-')
  const list = join(dir, 'bad.json')
  writeFileSync(list, JSON.stringify({ bootstrap: ['/ip4/127.0.0.1/tcp/1'] }))
  const code = await new Promise<{ code: number | null, err: string }>(resolve => {
    const p = spawn(GATE, ['node', 'start', '--testnet', 'public', '--data-dir', join(dir, 'node')], { env: { ...process.env, GATE_TESTNET_FILE: list }, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    p.stderr.on('data', d => { err += String(d) })
    p.once('exit', c => { resolve({ code: c, err }) })
  })
  t.equal(code.code, 1)
  t.match(code.err, /bad\.json: bad bootstrap address .*no \/p2p/)
})
