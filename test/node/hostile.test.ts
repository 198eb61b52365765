// Hostile and broken peers: the node refuses clearly and keeps serving others.
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { program } from '../helpers.js'
import { startNet, startNode, stopAll, waitFor, tcpAddr } from './net.js'
import { multiaddr } from '@multiformats/multiaddr'
import { streamDuplex } from '../../protocols/libp2p-duplex.js'
import { MessageChannel } from '../../protocols/channel.js'
import { DEPLOY_PROTOCOL, MESSAGE_PROTOCOL } from '../../protocols/ids.js'
import { MessageAck, ErrorCode } from '../../protocols/pb/gate.js'
import type { GateNode } from '../../node/node.js'

async function hello (from: GateNode, to: GateNode): Promise<string> {
  const r = await from.send(to.peerId, { module: program('hello'), attach: true })
  const out: Buffer[] = []
  r.io!.on('stdout', d => out.push(Buffer.from(d)))
  await r.io!.end()
  await r.io!.done
  return Buffer.concat(out).toString()
}

t.test('hostile peers', async t => {
  const [a, b, c] = await startNet(3, 'star', { maxModuleBytes: 1024 * 1024, policy: { deploysPerMinute: 20, maxInstancesPerPeer: 4 } })
  t.teardown(async () => { await stopAll([a, b, c]) })

  await t.test('an oversized frame is refused before it is buffered', async t => {
    const s = await b.libp2p.dialProtocol(a.peerId, DEPLOY_PROTOCOL)
    const d = streamDuplex(s)
    const head = new Uint8Array(4)
    new DataView(head.buffer).setUint32(0, 512 * 1024 * 1024)
    await d.write(head)
    await d.write(new Uint8Array(1000))
    const ch = new MessageChannel(d, { maxFrame: 65536 })
    const ack = await ch.read(MessageAck, { timeoutMs: 5000 }).catch(() => undefined)
    if (ack != null) {
      t.equal(ack.code, ErrorCode.TOO_LARGE)
      t.match(ack.error, /exceeds the limit/)
    } else {
      t.pass('stream was reset')
    }
    t.equal(await hello(c, a), 'hello, world\n', 'the node still serves others')
  })

  await t.test('garbage instead of a protobuf message gets BAD_REQUEST', async t => {
    const s = await b.libp2p.dialProtocol(a.peerId, DEPLOY_PROTOCOL)
    const d = streamDuplex(s)
    const ch = new MessageChannel(d, { maxFrame: 65536 })
    await d.write(new Uint8Array([0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))
    const ack = await ch.expect(MessageAck, { timeoutMs: 5000 })
    t.equal(ack.code, ErrorCode.BAD_REQUEST)
    t.match(ack.error, /malformed deploy request/)
  })

  await t.test('malformed wasm and wrong imports get BAD_REQUEST with the reason', async t => {
    await t.rejects(b.send(a.peerId, { module: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99]) }), { name: 'RemoteError', code: ErrorCode.BAD_REQUEST })
    const wrongImport = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 11, 1, 3, 101, 110, 118, 3, 98, 97, 100, 0, 0])
    const err = await b.send(a.peerId, { module: wrongImport }).catch(e => e)
    t.equal(err.code, ErrorCode.BAD_REQUEST)
    t.match(err.message, /env\.bad|import/)
    t.equal(a.table.owned(b.self).length, 0, 'nothing was started')
  })

  await t.test('a module over the node limit is refused', async t => {
    const err = await b.send(a.peerId, { module: new Uint8Array(1024 * 1024 + 10) }).catch(e => e)
    t.equal(err.name, 'RemoteError')
    t.equal(err.code, ErrorCode.TOO_LARGE)
  })

  await t.test('a peer that disconnects mid-request leaves nothing behind', async t => {
    const before = a.table.all().length
    const s = await b.libp2p.dialProtocol(a.peerId, DEPLOY_PROTOCOL)
    const d = streamDuplex(s)
    const head = new Uint8Array(4)
    new DataView(head.buffer).setUint32(0, 100000)
    await d.write(head)
    await d.write(new Uint8Array(5000))
    s.abort(new Error('gone'))
    // and one that vanishes while its program runs: the transient instance is killed
    const r = await b.send(a.peerId, { module: program('spin'), attach: true })
    await waitFor(() => a.table.get(r.instance)?.status.state === 'running', 5000)
    r.io!.abort()
    await waitFor(() => a.table.get(r.instance) == null, 10000, 'the orphaned instance to be killed')
    t.equal(a.table.all().length, before)
    t.equal(await hello(c, a), 'hello, world\n')
  })

  await t.test('a flood of deploys is rate limited; others are still served', async t => {
    const results = await Promise.allSettled(Array.from({ length: 40 }, async () => await b.send(a.peerId, { module: program('spin'), persist: true })))
    const ok = results.filter(r => r.status === 'fulfilled').length
    const reasons = results.filter(r => r.status === 'rejected').map(r => (r as PromiseRejectedResult).reason)
    const limited = reasons.filter(e => e.code === ErrorCode.RATE_LIMITED).length
    t.equal(ok, 4, 'at most maxInstancesPerPeer instances')
    t.ok(limited >= 20, `most are refused with RATE_LIMITED (${limited})`)
    // the rest hit the per-connection stream limit before reaching the policy
    for (const e of reasons.filter(e => e.code !== ErrorCode.RATE_LIMITED)) t.match(String(e.message), /stream|protocol|reset|limit/i, 'refused by the stream limit')
    t.equal(await hello(c, a), 'hello, world\n', 'another peer is served')
    for (const m of a.table.owned(b.self)) await a.kill(m.id)
  })

  await t.test('oversized message payload and unknown target', async t => {
    const err = await b.message(a.peerId, 'nobody', new Uint8Array(70000)).catch(e => e)
    t.equal(err.code, ErrorCode.TOO_LARGE)
    const err2 = await b.message(a.peerId, 'nobody', new Uint8Array(10)).catch(e => e)
    t.equal(err2.code, ErrorCode.NOT_FOUND)
    const got = new Promise(resolve => a.once('message', resolve))
    await b.message(a.peerId, '', new TextEncoder().encode('hi node'))
    const m: any = await got
    t.equal(m.from, b.self)
    t.equal(new TextDecoder().decode(m.payload), 'hi node')
    // raw garbage on the message protocol
    const s = await b.libp2p.dialProtocol(a.peerId, MESSAGE_PROTOCOL)
    const d = streamDuplex(s)
    await d.write(new Uint8Array([0, 0, 0, 3, 1, 2, 3]))
    const ack = await new MessageChannel(d, { maxFrame: 65536 }).expect(MessageAck, { timeoutMs: 5000 })
    t.equal(ack.code, ErrorCode.BAD_REQUEST)
  })

  await t.test('an unknown peer ID fails with a clear error, in bounded time', async t => {
    const ghost = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const err = await b.send(ghost, { module: program('hello') }, { signal: AbortSignal.timeout(8000) }).catch(e => e)
    t.equal(err.name, 'RequestError')
    t.match(err.message, /cannot reach/)
    const bad = await b.send('not-a-peer-id', { module: program('hello') }).catch(e => e)
    t.match(bad.message, /not a peer ID/)
  })
})

t.test('allow-list: only listed peers may deploy', async t => {
  const outsider = await startNode()
  const friend = await startNode()
  const guarded = await startNode({ policy: { mode: 'allow-list', allow: [friend.self] } })
  t.teardown(async () => { await stopAll([outsider, friend, guarded]) })
  await outsider.libp2p.dial(multiaddr(tcpAddr(guarded)))
  await friend.libp2p.dial(multiaddr(tcpAddr(guarded)))
  const err = await outsider.send(guarded.peerId, { module: program('hello') }).catch(e => e)
  t.equal(err.code, ErrorCode.UNAUTHORIZED)
  t.match(err.message, /allow-list/)
  t.equal(await hello(friend, guarded), 'hello, world\n')
})
