// A worker's pool of linear memories (executor/worker/memory-pool.ts): a
// memory an instance left is given to the next instance of the same size
// only after it is all zero (a fresh start) or equal to the snapshot (a
// restore), so no instance sees what another left in it.
import t from 'tap'
import { Executor } from '../../executor/index.js'
import { MemoryPool, clear, copyIntoPooled } from '../../executor/worker/memory-pool.js'
import { program, runToEnd, tempDir } from '../helpers.js'

t.test('take gives a pooled memory of the same size and maximum only; give keeps within the bound', async t => {
  const pool = new MemoryPool(3 * 65536)
  const a = pool.take(2, 10)
  t.equal(a.dirty, false, 'an empty pool makes a new memory')
  new Uint8Array(a.memory.buffer).fill(0x77)
  t.ok(pool.give(a.memory, 10), 'kept')
  t.equal(pool.take(2, 11).dirty, false, 'another maximum: not that one')
  t.equal(pool.take(3, 10).dirty, false, 'another size: not that one')
  const b = pool.take(2, 10)
  t.equal(b.memory, a.memory, 'the same size and maximum: the pooled one')
  t.ok(b.dirty, 'marked dirty')
  t.ok(pool.give(b.memory, 10))
  t.notOk(pool.give(new WebAssembly.Memory({ initial: 2, maximum: 10 }), 10), 'over the bound: dropped')
  t.equal(pool.pooledBytes, 2 * 65536)
})

t.test('clear and copyIntoPooled leave nothing of the last instance', async t => {
  const m = new Uint8Array(new WebAssembly.Memory({ initial: 2 }).buffer)
  m.fill(0xAB)
  clear(m)
  t.ok(m.every(b => b === 0), 'cleared: all zero')
  m.fill(0xCD)
  const snap = new Uint8Array(65536 + 5000)
  snap[10] = 1; snap[70000] = 2
  copyIntoPooled(m, snap)
  t.equal(m[10], 1); t.equal(m[70000], 2)
  t.equal(m.reduce((n, b) => n + (b !== 0 ? 1 : 0), 0), 2, 'only the snapshot\'s bytes; zero past its end')
})

t.test('a fresh instance in a reused memory sees zeros, not what the last one wrote', async t => {
  const ex = new Executor({ cacheDir: tempDir('gate-cache-'), workers: 1 })
  await ex.start()
  t.teardown(async () => { await ex.stop() })
  const bytes = program('stale')
  for (let i = 0; i < 3; i++) {
    t.equal((await runToEnd(ex, bytes, ['fill'])).stdout, 'filled 2097152\n')
    t.equal((await runToEnd(ex, bytes, ['check'])).stdout, 'nonzero 0\n', `run ${i}: the next instance's buffer is all zero`)
  }
})
