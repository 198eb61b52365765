// The snapshot format: round trips, incremental encoding, verification, CAR files.
import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { writeFile, readFile } from 'node:fs/promises'
import {
  CHUNK_SIZE, decodeSnapshot, encodeSnapshot, exportCar, FsBlockstore, importCar, listBlocks, MemoryBlockstore,
  snapshotFromBytes, snapshotToBytes
} from '../../executor/snapshot/index.js'
import type { InstanceSnapshot } from '../../executor/index.js'
import { tempDir } from '../helpers.js'

function sample (): InstanceSnapshot {
  const memory = new Uint8Array(64 * 65536) // 4 MiB: 16 chunks
  memory.set(randomBytes(3 * CHUNK_SIZE), 0) // chunks 0-2 random, the rest zero
  memory[10 * CHUNK_SIZE + 5] = 7 // chunk 10 nearly zero
  const nanBits = new DataView(new ArrayBuffer(8))
  nanBits.setBigUint64(0, 0x7ff4000000000001n, true)
  return {
    version: 1,
    moduleHash: 'a'.repeat(64),
    compiledHash: 'b'.repeat(64),
    compilerId: 'test',
    entry: '_start',
    instanceId: '3f208954-1af5-4920-9b6f-0f3ab4413701',
    status: { state: 'suspended' },
    memory,
    memoryMaxPages: 1024,
    globals: [
      { name: '__snap_g0', type: 'i32', value: -5 },
      { name: '__snap_g1', type: 'i64', value: -(2n ** 62n) },
      { name: '__snap_g2', type: 'f64', value: nanBits.getFloat64(0, true) },
      { name: '__snap_g3', type: 'f32', value: 1.5 }
    ],
    stack: randomBytes(300),
    started: true,
    host: { abi: { n: 1, big: 2n ** 62n + 1n, bytes: new Uint8Array([1, 2, 3]), list: ['a', null, true] }, runtime: { monotonicNs: 123n, phase: 'entry' } },
    cpuTimeNs: 987654321n,
    outputBytes: 42
  }
}

t.test('round trip through a store, zero chunks omitted', async t => {
  const s = sample()
  const store = new MemoryBlockstore()
  const moduleBytes = randomBytes(2.5 * 1024 * 1024)
  s.moduleHash = createHash('sha256').update(moduleBytes).digest('hex')
  const r = await encodeSnapshot(s, store, { moduleBytes })
  // 3 random chunks + 1 nearly-zero chunk + stack + 3 module chunks + root
  t.equal(r.totalBlocks, 3 + 1 + 1 + 3 + 1)
  t.equal(r.newBlocks, r.totalBlocks)
  const d = await decodeSnapshot(r.root, store)
  t.same(Buffer.from(d.snapshot.memory), Buffer.from(s.memory), 'memory')
  t.same(Buffer.from(d.snapshot.stack), Buffer.from(s.stack), 'stack')
  t.same(Buffer.from(d.moduleBytes!), Buffer.from(moduleBytes), 'module')
  t.equal(d.snapshot.globals[1].value, -(2n ** 62n))
  const bits = new DataView(new ArrayBuffer(8))
  bits.setFloat64(0, d.snapshot.globals[2].value as number, true)
  t.equal(bits.getBigUint64(0, true), 0x7ff4000000000001n, 'NaN payload survives')
  t.equal(d.snapshot.cpuTimeNs, 987654321n)
  t.same((d.snapshot.host as any).abi.big, 2n ** 62n + 1n)
  t.same((d.snapshot.host as any).abi.bytes, new Uint8Array([1, 2, 3]))
  t.equal((await listBlocks(r.root, store)).length, r.totalBlocks)
})

t.test('a second snapshot adds only the changed chunks', async t => {
  const s = sample()
  const store = new MemoryBlockstore()
  const first = await encodeSnapshot(s, store)
  s.memory[1 * CHUNK_SIZE + 100] ^= 0xff // one chunk changes
  s.memory[12 * CHUNK_SIZE] = 1 // a zero chunk becomes non-zero
  s.stack = randomBytes(200)
  const second = await encodeSnapshot(s, store)
  t.not(second.root.toString(), first.root.toString())
  t.equal(second.newBlocks, 2 + 1 + 1, 'two chunks, the stack and the root')
  t.ok(second.newBytes < 2 * CHUNK_SIZE + 4096, `new bytes ${second.newBytes}`)
  const d = await decodeSnapshot(second.root, store)
  t.same(Buffer.from(d.snapshot.memory), Buffer.from(s.memory))
})

t.test('corrupt and missing blocks are named', async t => {
  const s = sample()
  const store = new MemoryBlockstore()
  const { root } = await encodeSnapshot(s, store)
  const blocks = await listBlocks(root, store)
  const victim = blocks[1]
  const good = store.blocks.get(victim.toString())!
  const bad = good.slice(); bad[0] ^= 1
  store.blocks.set(victim.toString(), bad)
  await t.rejects(decodeSnapshot(root, store), { name: 'SnapshotCorruptError', message: new RegExp(victim.toString()) })
  store.blocks.delete(victim.toString())
  await t.rejects(decodeSnapshot(root, store), { name: 'SnapshotCorruptError', message: /missing/ })
})

t.test('single file (CAR) round trip on disk, and a damaged file is refused', async t => {
  const s = sample()
  const dir = tempDir()
  const moduleBytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])
  s.moduleHash = createHash('sha256').update(moduleBytes).digest('hex')
  const bytes = await snapshotToBytes(s, { moduleBytes })
  await writeFile(join(dir, 's.car'), bytes)
  const back = await snapshotFromBytes(new Uint8Array(await readFile(join(dir, 's.car'))))
  t.same(Buffer.from(back.snapshot.memory), Buffer.from(s.memory))
  const damaged = bytes.slice(); damaged[damaged.length - 10] ^= 0x55
  await t.rejects(snapshotFromBytes(damaged), { name: 'SnapshotCorruptError' })
  await t.rejects(snapshotFromBytes(randomBytes(100)), { name: 'SnapshotCorruptError' })
})

t.test('file block store persists and feeds a CAR export', async t => {
  const s = sample()
  const dir = tempDir()
  const a = new FsBlockstore(join(dir, 'blocks'))
  const { root } = await encodeSnapshot(s, a)
  const b = new FsBlockstore(join(dir, 'blocks'))
  const again = await encodeSnapshot(s, b)
  t.equal(again.newBlocks, 0, 'a reopened store already has every block')
  const car = await exportCar(root, b)
  const mem = new MemoryBlockstore()
  const r2 = await importCar(car, mem)
  t.equal(r2.toString(), root.toString())
  t.same(Buffer.from((await decodeSnapshot(r2, mem)).snapshot.memory), Buffer.from(s.memory))
})
