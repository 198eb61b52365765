// Snapshot push over a real TCP connection on 127.0.0.1: only missing blocks
// move, every block is verified, and bad peers are refused with clear errors.
import t from 'tap'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { CHUNK_SIZE, decodeSnapshot, encodeSnapshot, MemoryBlockstore } from '../../executor/snapshot/index.js'
import { pushSnapshot, receiveSnapshot } from '../../protocols/snapshot-push/index.js'
import { socketDuplex } from '../../protocols/tcp-duplex.js'
import { writeFrame } from '../../protocols/framing.js'
import type { InstanceSnapshot } from '../../executor/index.js'

function snap (): InstanceSnapshot {
  const memory = new Uint8Array(16 << 20)
  memory.set(randomBytes(8 << 20))
  return { version: 1, moduleHash: 'm', compiledHash: 'c', compilerId: 'x', entry: '_start', instanceId: 'i', status: { state: 'suspended' }, memory, globals: [], stack: randomBytes(500), started: true, host: {}, cpuTimeNs: 0n, outputBytes: 0 }
}

async function pair (onServer: (s: Socket) => Promise<void>): Promise<{ client: Socket, done: Promise<void>, close: () => void }> {
  let done!: Promise<void>
  const sockets: Socket[] = []
  const server = createServer(s => { sockets.push(s); s.on('error', () => {}); done = onServer(s) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const client = connect(port, '127.0.0.1')
  client.on('error', () => {}) // resets are part of these tests; the assertions look at the protocol errors
  await new Promise(resolve => client.once('connect', resolve))
  await new Promise(resolve => setImmediate(resolve))
  return { client, done: (async () => { while (done == null) await new Promise(resolve => setImmediate(resolve)); await done })(), close: () => { for (const s of sockets) s.destroy(); client.destroy(); server.close() } }
}

t.test('push moves only the blocks the receiver lacks', async t => {
  const s = snap()
  const src = new MemoryBlockstore()
  const first = await encodeSnapshot(s, src)
  const dst = new MemoryBlockstore()
  let got: any
  const p = await pair(async sock => { got = await receiveSnapshot(socketDuplex(sock), dst) })
  const progress: number[] = []
  const r1 = await pushSnapshot(socketDuplex(p.client), first.root, src, { onProgress: e => progress.push(e.sentBytes) })
  await p.done; p.close()
  t.equal(r1.sentBlocks, first.totalBlocks, 'first push sends everything')
  t.equal(got.root.toString(), first.root.toString())
  t.ok(progress.length === r1.sentBlocks && progress[progress.length - 1] === r1.sentBytes, 'progress events per block')
  t.same(Buffer.from((await decodeSnapshot(first.root, dst)).snapshot.memory), Buffer.from(s.memory))

  // a few pages change: the second push sends the changed chunks, the stack and the root
  s.memory[3 * CHUNK_SIZE + 1] ^= 1
  s.memory[5 * CHUNK_SIZE + 9] ^= 1
  s.stack = randomBytes(400)
  const second = await encodeSnapshot(s, src)
  const q = await pair(async sock => { await receiveSnapshot(socketDuplex(sock), dst) })
  const r2 = await pushSnapshot(socketDuplex(q.client), second.root, src)
  await q.done; q.close()
  t.equal(r2.sentBlocks, 4)
  t.ok(r2.sentBytes < 0.1 * r1.sentBytes, `second push sent ${r2.sentBytes} of ${r1.sentBytes} bytes`)
  t.same(Buffer.from((await decodeSnapshot(second.root, dst)).snapshot.memory), Buffer.from(s.memory))
})

t.test('a corrupt block is refused and nothing is confirmed', async t => {
  const s = snap()
  const src = new MemoryBlockstore()
  const { root } = await encodeSnapshot(s, src)
  const victim = [...src.blocks.keys()][0]
  const bad = src.blocks.get(victim)!.slice(); bad[10] ^= 0xff
  src.blocks.set(victim, bad)
  const dst = new MemoryBlockstore()
  let recvErr: any
  const p = await pair(async sock => { await receiveSnapshot(socketDuplex(sock), dst).catch(e => { recvErr = e }) })
  await t.rejects(pushSnapshot(socketDuplex(p.client), root, src), { name: 'PushRefusedError', message: /does not match its hash/ })
  await p.done; p.close()
  t.equal(recvErr?.name, 'ProtocolError')
  t.notOk(await dst.has(root), 'the root never reached the store')
})

t.test('oversized frames and garbage are refused before buffering', async t => {
  const dst = new MemoryBlockstore()
  let recvErr: any
  const p = await pair(async sock => { await receiveSnapshot(socketDuplex(sock), dst).catch(e => { recvErr = e }) })
  const head = new Uint8Array(4); new DataView(head.buffer).setUint32(0, 0xffffffff)
  p.client.write(head)
  await p.done; p.close(); p.client.destroy()
  t.equal(recvErr?.name, 'FrameTooLargeError')
  const q = await pair(async sock => { await receiveSnapshot(socketDuplex(sock), dst).catch(e => { recvErr = e }) })
  await writeFrame(socketDuplex(q.client), randomBytes(100))
  await q.done; q.close(); q.client.destroy()
  t.equal(recvErr?.name, 'ProtocolError')
})

t.test('a peer that vanishes mid-transfer gives a clear error on both sides', async t => {
  const s = snap()
  const src = new MemoryBlockstore()
  const { root } = await encodeSnapshot(s, src)
  let recvErr: any
  const p = await pair(async sock => {
    await receiveSnapshot(socketDuplex(sock), new MemoryBlockstore()).catch(e => { recvErr = e })
  })
  const d = socketDuplex(p.client)
  let sent = 0
  const push = pushSnapshot({ ...d, write: async b => { await d.write(b); if (++sent === 12) p.client.destroy() } }, root, src)
  await t.rejects(push)
  await p.done; p.close()
  t.ok(recvErr != null, `receiver saw: ${recvErr?.message}`)
})

t.test('a chunk the receiver has an earlier version of moves as its changed pages, verified', async t => {
  const s = snap()
  const src = new MemoryBlockstore()
  const first = await encodeSnapshot(s, src)
  const dst = new MemoryBlockstore()
  const p = await pair(async sock => { await receiveSnapshot(socketDuplex(sock), dst) })
  await pushSnapshot(socketDuplex(p.client), first.root, src)
  await p.done; p.close()
  s.memory[3 * CHUNK_SIZE + 1] ^= 1
  s.memory[5 * CHUNK_SIZE + 9000] ^= 1
  const second = await encodeSnapshot(s, src)
  const bases = new Map<string, any>()
  second.chunks.forEach((c, i) => { const b = first.chunks[i]; if (c != null && b != null && !c.equals(b)) bases.set(c.toString(), b) })
  t.equal(bases.size, 2)
  const q = await pair(async sock => { await receiveSnapshot(socketDuplex(sock), dst) })
  const r = await pushSnapshot(socketDuplex(q.client), second.root, src, { bases })
  await q.done; q.close()
  t.equal(r.patchedBlocks, 2, 'both changed chunks went as patches')
  t.ok(r.sentBytes < 3 * 4096 + 2000, `sent ${r.sentBytes} bytes for two changed pages and the root`)
  t.same(Buffer.from((await decodeSnapshot(second.root, dst)).snapshot.memory), Buffer.from(s.memory), 'the receiver rebuilt the same memory')

  // a base that is corrupt at the receiver fails the check of the patched result
  s.memory[7 * CHUNK_SIZE] ^= 1
  const third = await encodeSnapshot(s, src)
  const b7 = first.chunks[7]!
  const bad = (await dst.get(b7)).slice(); bad[100] ^= 1
  dst.blocks.set(b7.toString(), bad)
  let recvErr: any
  const u = await pair(async sock => { await receiveSnapshot(socketDuplex(sock), dst).catch(e => { recvErr = e }) })
  await t.rejects(pushSnapshot(socketDuplex(u.client), third.root, src, { bases: new Map([[third.chunks[7]!.toString(), b7]]) }), { name: 'PushRefusedError', message: /does not match its hash/ })
  await u.done; u.close()
  t.equal(recvErr?.name, 'ProtocolError')
})
