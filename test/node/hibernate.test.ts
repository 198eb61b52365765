// Hibernation on a node: an idle remote instance (cat waiting on stdin)
// leaves its worker for the node's blockstore, the node's figures say so,
// input over the network wakes it and it answers; across a node restart the
// instance is still there and answers.
import t from 'tap'
import { multiaddr } from '@multiformats/multiaddr'
import { program } from '../helpers.js'
import { startNode, stopAll, tcpAddr, waitFor } from './net.js'

const enc = new TextEncoder()

t.test('an idle instance hibernates into the blockstore, wakes on input, survives a restart', async t => {
  const a = await startNode()
  const b = await startNode({ hibernateAfterMs: 200 })
  const bDir = b.init.dataDir
  t.teardown(async () => { await stopAll([a, b]) })
  await a.libp2p.dial(multiaddr(tcpAddr(b)))

  const r = await a.send(b.peerId, { module: program('cat'), attach: true, persist: true })
  let out = ''
  r.io!.on('stdout', d => { out += Buffer.from(d).toString() })
  await waitFor(() => b.executor.stats().hibernated === 1, 20_000, 'the idle cat to hibernate')
  t.equal(b.executor.stats().live, 0, 'no worker slot while hibernated')
  await r.io!.write(enc.encode('one\n'))
  await waitFor(() => out === 'one\n', 20_000, 'the echo')
  t.equal(out, 'one\n', 'woken by input over the network, it answers')
  await waitFor(() => b.executor.stats().hibernated === 1, 20_000, 'to hibernate again')

  await b.stop()
  t.equal((await r.io!.done).state, 'suspended', 'the node stops: the client learns it was suspended')
  const b2 = await startNode({ dataDir: bDir, hibernateAfterMs: 200 })
  t.teardown(async () => { await b2.stop() })
  t.ok(b2.table.get(r.instance) != null, 'still there after the restart')
  await a.libp2p.dial(multiaddr(tcpAddr(b2)))
  await waitFor(() => b2.executor.stats().hibernated === 1, 20_000, 'to hibernate after the restart')
  const io = await a.attach(b2.peerId, r.instance)
  let again = ''
  io.on('stdout', d => { again += Buffer.from(d).toString() })
  await io.write(enc.encode('two\n'))
  await io.end()
  const st = await io.done
  t.equal(again, 'two\n', 'it answers after the restart')
  t.equal(st.state, 'terminated')
})
