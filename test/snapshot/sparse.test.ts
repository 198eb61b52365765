// Sparse memories (executor/snapshot/sparse.ts): the hibernation path's form
// of a memory, checked against the whole form it stands for.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { CHUNK_SIZE, decodeSnapshot, decodeSparseSnapshot, encodeSnapshot, hibernationChunkSize, MemoryBlockstore } from '../../executor/snapshot/index.js'
import { SnapshotCorruptError } from '../../executor/snapshot/errors.js'
import { chunkEquals, chunkOf, copySparseInto, denseOf, sparseOf, sparseOfChunks, SPARSE_PAGE, type SparseSnapshot } from '../../executor/snapshot/sparse.js'
import type { InstanceSnapshot } from '../../executor/index.js'

const PAGE = SPARSE_PAGE

/** A memory of `pages` 4 KiB pages (`tail` bytes more), some pages random, some with one byte set, the rest zero. */
function memoryOf (pages: number, tail = 0): Uint8Array {
  const m = new Uint8Array(pages * PAGE + tail)
  for (let p = 0; p * PAGE < m.byteLength; p++) {
    const r = Math.random()
    const end = Math.min((p + 1) * PAGE, m.byteLength)
    if (r < 0.2) m.set(randomBytes(end - p * PAGE), p * PAGE)
    else if (r < 0.35) m[p * PAGE + Math.floor(Math.random() * (end - p * PAGE))] = 1 + Math.floor(Math.random() * 255)
  }
  return m
}

function snapshotOf (memory: Uint8Array): InstanceSnapshot {
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
    globals: [{ name: '__snap_g0', type: 'i32', value: -5 }],
    stack: randomBytes(100),
    started: true,
    host: { abi: { n: 1 }, runtime: { monotonicNs: 123n, phase: 'entry' } },
    cpuTimeNs: 5n,
    outputBytes: 0
  }
}

t.test('sparseOf keeps exactly the non-zero pages, and denseOf gives the memory back', async t => {
  for (const [pages, tail] of [[0, 0], [1, 0], [40, 0], [300, 0], [17, 100]]) {
    const m = memoryOf(pages, tail)
    const s = sparseOf(m)
    const want: number[] = []
    for (let p = 0; p * PAGE < m.byteLength; p++) if (m.subarray(p * PAGE, (p + 1) * PAGE).some(b => b !== 0)) want.push(p)
    t.same([...s.pages], want, `${pages} pages + ${tail}: the non-zero pages`)
    t.ok(s.data.byteLength === want.length * PAGE, 'data holds only those pages')
    t.ok(Buffer.from(denseOf(s)).equals(Buffer.from(m)), 'denseOf is the memory')
  }
})

t.test('chunkOf and chunkEquals agree with the whole memory', async t => {
  const m = memoryOf(256 + 64, 0) // 5 chunks of 64 KiB... and of 256 KiB, 1.25 of them
  const s = sparseOf(m)
  for (const size of [PAGE, 16 * PAGE, CHUNK_SIZE]) {
    for (let off = 0; off < m.byteLength; off += size) {
      const end = Math.min(off + size, m.byteLength)
      const c = m.subarray(off, end)
      const got = chunkOf(s, off, end)
      if (c.every(b => b === 0)) t.equal(got, null, `chunk at ${off} (${size}) is zero`)
      else t.ok(got != null && Buffer.from(got).equals(Buffer.from(c)), `chunk at ${off} (${size})`)
      t.ok(chunkEquals(s, off, end, c), 'equal to its own bytes')
      t.ok(chunkEquals(s, off, end, s), 'equal to itself, sparse')
      // one byte different, in a zero page or in a data page
      const other = new Uint8Array(c)
      const at = Math.floor(Math.random() * other.byteLength)
      other[at] ^= 0x40
      t.notOk(chunkEquals(s, off, end, other), `a byte changed at ${off + at}`)
      const whole = new Uint8Array(m)
      whole[off + at] ^= 0x40
      t.notOk(chunkEquals(s, off, end, sparseOf(whole)), 'and in sparse form')
      t.ok(chunkEquals(sparseOf(whole), 0, off, s) || off === 0, 'the chunks before it still equal')
    }
  }
})

t.test('copySparseInto makes a fresh or a dirty memory equal to the snapshot', async t => {
  const m = memoryOf(200, 0)
  const s = sparseOf(m)
  const fresh = new Uint8Array(256 * PAGE)
  copySparseInto(fresh, s, false)
  t.ok(Buffer.from(fresh.subarray(0, m.byteLength)).equals(Buffer.from(m)) && fresh.subarray(m.byteLength).every(b => b === 0), 'fresh memory')
  const dirty = memoryOf(256, 0) // another instance's pages, larger than the snapshot
  copySparseInto(dirty, s, true)
  t.ok(Buffer.from(dirty.subarray(0, m.byteLength)).equals(Buffer.from(m)), 'dirty memory: every page the snapshot\'s')
  t.ok(dirty.subarray(m.byteLength).every(b => b === 0), 'and zero past its end')
  t.throws(() => { copySparseInto(new Uint8Array(10 * PAGE), s, false) }, RangeError, 'a memory too small is refused')
})

t.test('sparseOfChunks is sparseOf of the chunks put together', async t => {
  const m = memoryOf(130, 0)
  const chunks: Array<Uint8Array | null> = []
  for (let off = 0; off < m.byteLength; off += 64 * 1024) {
    const c = m.subarray(off, Math.min(off + 64 * 1024, m.byteLength))
    chunks.push(c.every(b => b === 0) ? null : c)
  }
  const a = sparseOfChunks(m.byteLength, 64 * 1024, chunks)
  const b = sparseOf(m)
  t.same([...a.pages], [...b.pages])
  t.ok(Buffer.from(a.data).equals(Buffer.from(b.data)))
  t.throws(() => sparseOfChunks(m.byteLength, 1000, chunks), RangeError, 'a chunk size that is not whole pages')
})

t.test('a sparse snapshot encodes to the same blocks as its whole form, and decodes back', async t => {
  const memory = memoryOf(3 * CHUNK_SIZE / PAGE + 40, 0)
  memory.fill(0, CHUNK_SIZE, 2 * CHUNK_SIZE) // a zero chunk
  const dense = snapshotOf(memory)
  const sparse: SparseSnapshot = { ...dense, memory: sparseOf(memory) }
  const store = new MemoryBlockstore()
  const a = await encodeSnapshot(dense, store)
  const b = await encodeSnapshot(sparse, new MemoryBlockstore())
  t.ok(a.root.equals(b.root), 'same root CID')
  t.same(a.chunks.map(c => c?.toString() ?? null), b.chunks.map(c => c?.toString() ?? null), 'same chunk CIDs')
  t.equal(a.chunks[1], null, 'the zero chunk is left out')

  // with a previous snapshot, whole or sparse, unchanged chunks keep their CIDs
  const changed = new Uint8Array(memory)
  changed[2 * CHUNK_SIZE + 7] ^= 1
  const next: SparseSnapshot = { ...dense, memory: sparseOf(changed) }
  const wantNext = await encodeSnapshot({ ...dense, memory: changed }, new MemoryBlockstore())
  for (const prevMem of [memory, sparseOf(memory)]) {
    const r = await encodeSnapshot(next, new MemoryBlockstore(), { previous: { memory: prevMem, chunks: a.chunks } })
    t.ok(r.root.equals(wantNext.root), `the changed snapshot, previous ${prevMem instanceof Uint8Array ? 'whole' : 'sparse'}`)
    t.equal(r.newBlocks, 3, 'only the changed chunk, the stack and the root are new (of 5 blocks)')
  }

  const d = await decodeSparseSnapshot(a.root, store)
  t.ok(Buffer.from(denseOf(d.memory)).equals(Buffer.from(memory)), 'decodeSparseSnapshot: the memory')
  const whole = (await decodeSnapshot(a.root, store)).snapshot
  const { memory: _m, ...restWhole } = whole
  const { memory: _s, ...restSparse } = d
  t.same(restSparse, restWhole, 'and the rest as decodeSnapshot has it')
  t.ok(d.memory.data.byteLength < memory.byteLength, 'only non-zero pages allocated')
})

t.test('decodeSparseSnapshot: a missing or corrupt chunk is a SnapshotCorruptError naming the block', async t => {
  const memory = memoryOf(2 * CHUNK_SIZE / PAGE, 0)
  memory[5] = 1
  const store = new MemoryBlockstore()
  const r = await encodeSnapshot(snapshotOf(memory), store)
  const victim = r.chunks[0]!
  await store.put(victim, new Uint8Array(CHUNK_SIZE))
  const failure = async (): Promise<unknown> => { try { await decodeSparseSnapshot(r.root, store); return undefined } catch (err) { return err } }
  let err = await failure()
  t.ok(err instanceof SnapshotCorruptError && err.message.includes(victim.toString()) && /does not match/.test(err.message), `corrupt: ${String(err)}`)
  store.blocks.delete(victim.toString())
  err = await failure()
  t.ok(err instanceof SnapshotCorruptError && err.message.includes(victim.toString()) && /missing/.test(err.message), `missing: ${String(err)}`)
})

t.test('hibernation chunk sizes: 16 KiB for small memories, at most 256 chunks, never above CHUNK_SIZE; a smaller chunk size round-trips', async t => {
  t.equal(hibernationChunkSize(1245184), 16 * 1024, 'an idle 1.2 MiB cat: 16 KiB')
  t.equal(hibernationChunkSize(4 * 2 ** 20), 16 * 1024, '4 MiB: 16 KiB (256 chunks)')
  t.equal(hibernationChunkSize(4 * 2 ** 20 + 65536), 32 * 1024, 'just over: 32 KiB')
  t.equal(hibernationChunkSize(2 ** 30), CHUNK_SIZE, '1 GiB: CHUNK_SIZE')
  for (const size of [1245184, 3 * 2 ** 20, 70 * 2 ** 20]) t.ok(Math.ceil(size / hibernationChunkSize(size)) <= 256 || hibernationChunkSize(size) === CHUNK_SIZE, `${size}: within 256 chunks`)
  const memory = memoryOf(100, 0)
  const store = new MemoryBlockstore()
  const sparse: SparseSnapshot = { ...snapshotOf(memory), memory: sparseOf(memory) }
  const r = await encodeSnapshot(sparse, store, { chunkSize: 16 * 1024 })
  t.equal(r.chunks.length, Math.ceil(memory.byteLength / (16 * 1024)), 'one CID per 16 KiB chunk')
  t.ok(Buffer.from((await decodeSnapshot(r.root, store)).snapshot.memory).equals(Buffer.from(memory)), 'decodeSnapshot reads it whole')
  t.ok(Buffer.from(denseOf((await decodeSparseSnapshot(r.root, store)).memory)).equals(Buffer.from(memory)), 'and decodeSparseSnapshot')
  await t.rejects(encodeSnapshot(sparse, store, { chunkSize: 5000 }), RangeError, 'a chunk size that is not whole pages is refused')
})
