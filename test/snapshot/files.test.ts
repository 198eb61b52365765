// An instance's files in a snapshot: chunks as raw blocks beside memory, a
// second snapshot adds only the chunks that changed, missing chunks are a clear error.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { decodeSnapshot, encodeSnapshot, listBlocks, MemoryBlockstore, rawCid, snapshotFromBytes, snapshotToBytes, SnapshotCorruptError } from '../../executor/snapshot/index.js'
import type { InstanceSnapshot } from '../../executor/index.js'
import { FILE_CHUNK, FsBuilder, fileBytes, walkImage, type FsImage } from '../../executor/host/vfs/image.js'

function withFiles (image: FsImage): InstanceSnapshot {
  return {
    version: 1,
    moduleHash: 'a'.repeat(64),
    compiledHash: 'b'.repeat(64),
    compilerId: 'test',
    entry: '_start',
    instanceId: '3f208954-1af5-4920-9b6f-0f3ab4413701',
    status: { state: 'suspended' },
    memory: new Uint8Array(65536),
    globals: [],
    stack: new Uint8Array(0),
    started: true,
    host: { abi: { version: 1, fs: image as any }, runtime: { monotonicNs: 1n, phase: 'entry' } },
    cpuTimeNs: 0n,
    outputBytes: 0
  }
}

const big = randomBytes(3 * FILE_CHUNK + 100)

function tree (change?: Uint8Array): FsImage {
  const b = new FsBuilder(5n)
  const root = b.preopen('/')
  const d = b.mkdir(root, 'data')
  b.file(d, 'big.bin', change ?? big)
  b.file(root, 'small.txt', new TextEncoder().encode('hello\n'))
  b.file(root, 'zeros', new Uint8Array(FILE_CHUNK + 1))
  b.symlink(root, 'link', 'data/big.bin')
  return b.build()
}

t.test('file chunks are raw blocks: their CIDs are the chunks\' raw CIDs, the root holds links only', async t => {
  const store = new MemoryBlockstore()
  const r = await encodeSnapshot(withFiles(tree()), store)
  const blocks = (await listBlocks(r.root, store)).map(c => c.toString())
  for (let off = 0; off < big.byteLength; off += FILE_CHUNK) {
    t.ok(blocks.includes(rawCid(big.subarray(off, off + FILE_CHUNK)).toString()), `chunk at ${off} is a block`)
  }
  t.ok((await store.get(r.root)).byteLength < 4096, 'the root stays small')
  const back = await decodeSnapshot(r.root, store)
  const image = (back.snapshot.host as any).abi.fs as FsImage
  const files = Object.fromEntries([...walkImage(image)].map(e => [e.path, e]))
  t.same(Object.keys(files), ['data', 'data/big.bin', 'link', 'small.txt', 'zeros'])
  const f = files['data/big.bin']
  t.ok(f.type === 'file' && Buffer.from(fileBytes(f)).equals(big), 'big file intact')
  const z = files.zeros
  t.ok(z.type === 'file' && z.size === FILE_CHUNK + 1 && z.chunks.every(c => c == null), 'zero chunks are holes')
  t.same(files.link, { path: 'link', type: 'symlink', target: 'data/big.bin', times: [5n, 5n, 5n] })
})

t.test('a second snapshot after a one-byte change adds one file chunk', async t => {
  const store = new MemoryBlockstore()
  await encodeSnapshot(withFiles(tree()), store)
  const changed = Buffer.from(big)
  changed[FILE_CHUNK + 7] ^= 0xff
  const r = await encodeSnapshot(withFiles(tree(changed)), store)
  t.equal(r.newBlocks, 2, 'the changed chunk and the root')
  t.ok(r.newBytes < FILE_CHUNK + 4096, `${r.newBytes} new bytes`)
})

t.test('a missing file chunk is a SnapshotCorruptError naming the block; CAR files carry the chunks', async t => {
  const store = new MemoryBlockstore()
  const r = await encodeSnapshot(withFiles(tree()), store)
  const victim = rawCid(big.subarray(0, FILE_CHUNK))
  store.blocks.delete(victim.toString())
  const err = await decodeSnapshot(r.root, store).then(() => undefined, (e: Error) => e)
  t.ok(err instanceof SnapshotCorruptError, 'a SnapshotCorruptError')
  t.match(err?.message, victim.toString(), 'naming the missing block')
  const car = await snapshotToBytes(withFiles(tree()))
  const back = await snapshotFromBytes(car)
  const f = [...walkImage((back.snapshot.host as any).abi.fs)].find(e => e.path === 'data/big.bin')
  t.ok(f?.type === 'file' && Buffer.from(fileBytes(f)).equals(big))
})
