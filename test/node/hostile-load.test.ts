// Hostile load on one node: several peer identities at once deploy memory
// bombs (touching every page they can grow), CPU spinners, output floods
// and stdin floods, up to what the node admits. Meanwhile a well-behaved
// peer's programs run and are answered correctly, the node answers pings
// and DHT lookups, memory committed stays within the node's budget, and no
// well-behaved instance is lost or killed. (How much slower the
// well-behaved peer gets is a benchmark's figure, not asserted here.)
import t from 'tap'
import { program, sleep } from '../helpers.js'
import { startNet, stopAll } from './net.js'
import type { GateNode } from '../../node/node.js'
import type { IoSession } from '../../protocols/io-session.js'

const MiB = 1 << 20
const BUDGET = 1024 * MiB

async function drain (io: IoSession, input?: Uint8Array): Promise<{ stdout: string, status: any }> {
  const out: Buffer[] = []
  io.on('stdout', d => out.push(Buffer.from(d)))
  if (input != null) await io.write(input)
  await io.end()
  const status = await io.done
  return { stdout: Buffer.concat(out).toString(), status }
}

t.test('hostile peers at once; a well-behaved peer is still served', async t => {
  // node 0 is the target; 1-4 hostile identities; 5 the well-behaved peer
  const nodes = await startNet(6, 'star', {
    // every peer here is on 127.0.0.0/24: the range share is the whole budget, the peer share an eighth (the default)
    budget: { memoryBytes: BUDGET, remoteMemoryBytes: 128 * MiB, remoteCpuMs: 20_000, rangeMemoryBytes: BUDGET },
    policy: { maxInstancesPerPeer: 4, deploysPerMinute: 60 }
  })
  const [target, ...rest] = nodes
  const hostile = rest.slice(0, 4)
  const good = rest[4]
  t.teardown(async () => { await stopAll(nodes) })

  const attacks: Array<Promise<unknown>> = []
  const refusals: string[] = []
  const sessions: IoSession[] = []
  const floods: Array<{ bytes: number, since: number }> = []
  const kinds = ['bigmem', 'spin', 'flood', 'cat'] as const
  type Kind = typeof kinds[number]
  const attack = async (h: GateNode, kind: Kind): Promise<unknown> => {
    let r
    try {
      r = await h.send(target.peerId, { module: program(kind), args: kind === 'bigmem' ? ['bigmem', '64'] : [kind], attach: true, memoryPages: 65536 })
    } catch (err) { refusals.push(`${kind}: ${(err as Error).message}`); return }
    sessions.push(r.io!)
    if (kind === 'flood') {
      const f = { bytes: 0, since: performance.now() }
      floods.push(f)
      r.io!.on('stdout', (d: Uint8Array) => { f.bytes += d.byteLength }) // read and dropped
    } else r.io!.on('stdout', () => {})
    const done = r.io!.done.catch((err: Error) => { refusals.push(`${kind}: ${err.message}`) })
    if (kind === 'cat') {
      // a stdin flood: 16 MiB pushed as fast as the stream takes it
      const chunk = new Uint8Array(256 * 1024).fill(65)
      for (let j = 0; j < 64; j++) await r.io!.write(chunk).catch(() => {})
    }
    return await done
  }
  // each hostile peer's output flood goes first and is admitted before the rest race for the budget (which of the others fits is up to the race)
  for (const h of hostile) attacks.push(attack(h, 'flood'))
  for (let i = 0; i < 300 && floods.length + refusals.length < hostile.length; i++) await sleep(100)
  for (const [i, h] of hostile.entries()) {
    for (let k = 1; k < 6; k++) {
      const kind = kinds[(i + k) % kinds.length]
      attacks.push(attack(h, kind === 'flood' ? 'cat' : kind)) // its one flood went first
    }
  }

  // while they run: the well-behaved peer's programs, one after another
  const answers: string[] = []
  for (let i = 0; i < 3; i++) {
    const r = await good.send(target.peerId, { module: program('hello'), args: ['hello', String(i)], attach: true })
    const got = await drain(r.io!)
    t.equal(got.status.state, 'terminated', `well-behaved run ${i} terminated, not killed (${String(got.status.error ?? '')})`)
    answers.push(got.stdout)
  }
  t.same(answers, [0, 1, 2].map(i => `hello, world\narg 1: ${i}\n`), 'each answered correctly')
  const cat = await good.send(target.peerId, { module: program('cat'), attach: true })
  const echoed = await drain(cat.io!, new TextEncoder().encode('still here\n'))
  t.equal(echoed.stdout, 'still here\n', 'its stdin reaches its program')

  // the node answers pings and DHT lookups under the load
  const rtt = await (good.libp2p.services as any).ping.ping(target.peerId)
  t.ok(rtt >= 0, `ping answered (${rtt} ms)`)
  const providers = await good.directory.find('gate/executor', { signal: AbortSignal.timeout(20_000) }).catch((err: Error) => err)
  t.notOk(providers instanceof Error, `a DHT lookup is answered (${providers instanceof Error ? providers.message : 'ok'})`)

  const st = target.admission.figures()
  t.ok(st.memory.committedBytes <= st.memory.budgetBytes, `memory committed ${Math.round(st.memory.committedBytes / MiB)} MiB <= budget ${Math.round(st.memory.budgetBytes / MiB)} MiB`)
  t.ok(refusals.length > 0, `the node refused what it could not take (${refusals.length}: ${[...new Set(refusals.map(r => r.replace(/\d+/g, 'N')))].slice(0, 3).join(' | ')})`)
  t.ok(refusals.every(r => /RESOURCE_EXHAUSTED|RATE_LIMITED|budget|quota|limit|instances/i.test(r)), 'every refusal is a typed quota or budget refusal')

  // an output flood gets the remote output rate (default 1 MiB/s) plus one burst (a second's worth) and a second of slack: the flood starts before its deploy is answered
  const rate = st.defaults.remoteOutputBytesPerSecond
  t.equal(rate, MiB, 'remote instances are held to 1 MiB/s of output by default')
  await sleep(1500)
  t.equal(floods.length, hostile.length, `${floods.length} floods ran, one per hostile peer`)
  for (const [i, f] of floods.entries()) {
    const s = (performance.now() - f.since) / 1000
    t.ok(f.bytes <= rate * (s + 2), `flood ${i}: ${(f.bytes / MiB).toFixed(1)} MiB in ${s.toFixed(1)} s, within the rate`)
  }

  // end the attack: kill what still runs
  for (const m of target.table.live()) if (m.owner !== good.self) await target.kill(m.id).catch(() => {})
  await Promise.allSettled(attacks)
  for (const s of sessions) s.abort?.()
})
