// A program that works on files in a loop (testprogs/filelog.c: a 4 MiB file
// written once, a log appended and a small file rewritten every round) is
// migrated live between real nodes, there and back. Its files move with it:
// at the end it reads them all back and prints a checksum, which must be an
// uninterrupted run's; the move back sends only what changed (the 4 MiB file
// the first node still has is not sent again).
import t from 'tap'
import { collect, program } from '../helpers.js'
import { Executor } from '../../executor/index.js'
import { FsBuilder, type FsImage } from '../../executor/host/vfs/image.js'
import { startNet, stopAll, waitFor } from './net.js'
import type { GateNode } from '../../node/node.js'

const ROUNDS = 60
const ARGS = ['filelog', String(ROUNDS), '30000000', '4']
const BIG = 4 << 20

function emptyTree (): FsImage {
  const b = new FsBuilder(1_700_000_000_000_000_000n)
  b.preopen('/')
  return b.build()
}

let reference = ''

t.before(async () => {
  const ex = new Executor({ workers: 1 })
  await ex.start()
  const cm = await ex.compile(program('filelog'))
  reference = (await collect(ex.launch(cm, { args: ARGS, fs: emptyTree() }))).stdout
  await ex.stop()
})

const running = (nodes: GateNode[], id: string): number => nodes.filter(n => n.table.get(id)?.status.state === 'running').length

t.test('migrated mid-run there and back, its files intact; the move back sends only what changed', async t => {
  t.match(reference, new RegExp(`round ${ROUNDS}\\ndone [0-9a-f]{16}\\n$`), 'the reference run ends with its checksum')
  const nodes = await startNet(3, 'star')
  const [client, a, b] = nodes
  t.teardown(async () => { await stopAll(nodes) })
  const m = await a.run(client.self, { module: program('filelog'), args: ARGS, transient: false, fs: emptyTree() })
  let out = ''
  let io = await client.attach(a.peerId, m.id)
  io.on('stdout', d => { out += Buffer.from(d).toString() })
  await waitFor(() => /round 5\n/.test(out), 60_000, 'round 5')

  const there = await a.migrate(m.id, b.self)
  t.equal(running(nodes, m.id), 1, 'exactly one running copy after the first move')
  t.equal((await io.done).state, 'moved')
  io = await client.attach(b.peerId, m.id)
  io.on('stdout', d => { out += Buffer.from(d).toString() })
  const before = (out.match(/round (\d+)\n/g) ?? []).length
  await waitFor(() => (out.match(/round (\d+)\n/g) ?? []).length >= before + 5, 60_000, 'five more rounds on b')

  const back = await b.migrate(m.id, a.self)
  t.equal(running(nodes, m.id), 1, 'exactly one running copy after the move back')
  t.equal((await io.done).state, 'moved')
  io = await client.attach(a.peerId, m.id)
  io.on('stdout', d => { out += Buffer.from(d).toString() })
  const final = await io.done
  t.equal(final.state, 'terminated')

  const firstBytes = there.precopyBytes + there.finalBytes
  const backBytes = back.precopyBytes + back.finalBytes
  t.ok(firstBytes > BIG, `the first move carried the files: ${firstBytes} B`)
  t.ok(backBytes < BIG / 4, `the move back sent ${backBytes} B (${(100 * backBytes / firstBytes).toFixed(2)}% of the first), not the 4 MiB file again`)
  t.comment(`first move ${firstBytes} B (downtime ${there.downtimeMs.toFixed(1)} ms), move back ${backBytes} B (downtime ${back.downtimeMs.toFixed(1)} ms)`)
  // rounds in order up to the last (output made while no client is attached, between a move and the
  // re-attach, is not kept: the log file has every round, and the checksum covers it)
  const rounds = [...new Set([...out.matchAll(/round (\d+)\n/g)].map(x => Number(x[1])))]
  t.ok(rounds.every((r, i) => i === 0 || r > rounds[i - 1]), 'rounds in order')
  t.equal(rounds[rounds.length - 1], ROUNDS, 'the last round')
  t.equal(out.slice(out.lastIndexOf('done ')), reference.slice(reference.lastIndexOf('done ')), 'files read back after two moves: the checksum of an uninterrupted run')
})

t.test('gate run <snapshot-cid> on another node resumes with its files', async t => {
  const nodes = await startNet(3, 'star')
  const [client, a, b] = nodes
  t.teardown(async () => { await stopAll(nodes) })
  const m = await a.run(client.self, { module: program('filelog'), args: ARGS, transient: false, fs: emptyTree() })
  let seen = ''
  const io = await client.attach(a.peerId, m.id)
  io.on('stdout', d => { seen += Buffer.from(d).toString() })
  await waitFor(() => /round 5\n/.test(seen), 60_000, 'round 5')
  const root = await a.snapshotInstance(m.id)
  await a.kill(m.id)
  const r = await b.run(client.self, { cid: root.toString(), transient: false })
  let out = ''
  const io2 = await client.attach(b.peerId, r.id)
  io2.on('stdout', d => { out += Buffer.from(d).toString() })
  t.equal((await io2.done).state, 'terminated')
  const first = Number(/^round (\d+)/.exec(out)?.[1])
  t.ok(first > 1 && first <= ROUNDS, `resumed at round ${first}, not from the start`)
  t.equal(out.slice(out.lastIndexOf('done ')), reference.slice(reference.lastIndexOf('done ')), 'the checksum of an uninterrupted run: the 4 MiB file and the log came with the snapshot')
})
