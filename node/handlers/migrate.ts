/**
 * Target side of a migration or clone (doc/node.md, Migration).
 * /gate/snapshot-push/1.0.0 stores the blocks a source offers (only those
 * missing, each verified). /gate/migrate/2.0.0 prepares the instance from
 * the pushed root (decode + verify + compile) and answers PREPARED; on
 * COMMIT it verifies the final snapshot and answers READY; only on GO,
 * within the lease, does it start the instance and answer RUNNING. No GO
 * within the lease: the copy is fenced (kept suspended, never started)
 * and a late GO is refused. RESOLVE, on a new stream, answers what became
 * of a handover; a READY copy it finds is aborted for good first.
 */
import type { Stream } from '@libp2p/interface'
import { CID } from 'multiformats/cid'
import { errorCode, ProtocolError, RequestError } from '../../protocols/errors.js'
import { REQUEST_TIMEOUT_MS } from '../../protocols/ids.js'
import { streamDuplex } from '../../protocols/libp2p-duplex.js'
import { ErrorCode } from '../../protocols/pb/gate.js'
import { receiveSnapshot } from '../../protocols/snapshot-push/index.js'
import { guardDuplex, StallError } from '../../protocols/stall.js'
import { HandoverChannel, type Of } from '../../protocols/handover/channel.js'
import { COMMIT_WAIT_MS, LEASE_MS, MAX_LEASE_MS, MIN_LEASE_MS, STALL_MS, type Outcome } from '../../protocols/handover/index.js'
import { decodeSnapshot } from '../../executor/snapshot/index.js'
import { ledgerOf, type LedgerEntry } from '../handover-ledger.js'
import { rememberChunks } from '../snapshot-history.js'
import type { GateNode } from '../node.js'

/** Blocks one push may bring: 4 GiB of 256 KiB chunks, plus module and root. */
const MAX_PUSH_BLOCKS = 16384 + 256
/** A whole push, however steady, ends within this. */
const PUSH_LIMIT_MS = 10 * 60_000

export async function handleSnapshotPush (node: GateNode, stream: Stream, remote: string): Promise<void> {
  node.policy.checkAccess(remote)
  const g = guardDuplex(streamDuplex(stream), { stallMs: STALL_MS, what: `snapshot push from ${remote}`, signal: AbortSignal.timeout(PUSH_LIMIT_MS) })
  try {
    // (the PREPARE that follows a pre-copy compiles while the program still runs at the source)
    await receiveSnapshot(g, node.snapshots, { maxBlocks: MAX_PUSH_BLOCKS, signal: g.signal })
  } catch (err) {
    throw g.signal.reason instanceof StallError ? g.signal.reason : err
  } finally {
    g.dispose()
  }
}

export async function handleMigrate (node: GateNode, stream: Stream, remote: string): Promise<void> {
  const ch = new HandoverChannel(streamDuplex(stream), { stallMs: STALL_MS, what: `handover from ${remote}` })
  let first
  try {
    node.policy.checkAccess(remote)
    first = await ch.next({ timeoutMs: REQUEST_TIMEOUT_MS })
    if (first == null) { ch.abort(); return }
    if (first.type === 'resolve') { await answerResolve(node, ch, remote, first); return }
    if (first.type !== 'prepare') throw new ProtocolError(`expected prepare or resolve, got ${first.type}`)
  } catch (err) {
    await refuse(ch, err)
    return
  }
  await serveHandover(node, ch, remote, first)
}

async function serveHandover (node: GateNode, ch: HandoverChannel, remote: string, req: Of<'prepare'>): Promise<void> {
  const ledger = ledgerOf(node)
  let entry: LedgerEntry | undefined
  let prepared
  let chunks: Array<CID | null> = []
  const busy = ch.keepAlive()
  try {
    const root = parseCid(req.root)
    node.admission.checkDeploy(remote)
    if (!req.clone && node.table.get(req.instance)?.instance != null) throw new RequestError(ErrorCode.CONFLICT, `instance ${req.instance} already runs here`)
    entry = ledger.open(req.id, remote, req.clone ? '' : req.instance)
    if (entry == null) throw new RequestError(ErrorCode.CONFLICT, `handover ${req.id} is known already`)
    const decoded = await decodeSnapshot(root, node.snapshots).catch(err => { throw new RequestError(ErrorCode.NOT_FOUND, `snapshot ${req.root}: ${(err as Error).message}`) })
    if (decoded.moduleBytes == null) throw new RequestError(ErrorCode.BAD_REQUEST, 'the snapshot does not carry its module')
    chunks = decoded.chunks
    prepared = await node.prepare(decoded.snapshot, decoded.moduleBytes)
  } catch (err) {
    busy()
    if (entry != null) entry.state = 'aborted'
    await refuse(ch, err)
    return
  }
  busy()
  const leaseMs = Math.min(MAX_LEASE_MS, Math.max(MIN_LEASE_MS, req.leaseMs > 0 ? req.leaseMs : LEASE_MS))
  let finalRoot = req.root
  try {
    await ch.send({ type: 'prepared', leaseMs })
    // the source suspends and pushes the final delta meanwhile (sending keepalives)
    const commit = await ch.next({ timeoutMs: COMMIT_WAIT_MS })
    if (commit?.type !== 'commit') throw new ProtocolError(`handover ended without a commit (${commit?.type ?? 'end of stream'})`)
    if (commit.root !== '' && commit.root !== req.root) {
      // only chunks that changed since the prepared snapshot are read and copied
      const final = await decodeSnapshot(parseCid(commit.root), node.snapshots, { reuse: { memory: prepared.snapshot.memory, chunks } })
        .catch(err => { throw new RequestError(ErrorCode.NOT_FOUND, `snapshot ${commit.root}: ${(err as Error).message}`) })
      chunks = final.chunks
      if (final.snapshot.compiledHash !== prepared.cm.compiledHash) throw new RequestError(ErrorCode.BAD_REQUEST, 'the final snapshot is of another module than the prepared one')
      prepared = { ...prepared, snapshot: final.snapshot }
      finalRoot = commit.root
    }
    if (!ledger.move(entry, 'prepared', 'ready')) throw new RequestError(ErrorCode.CONFLICT, `handover ${req.id} was aborted`)
    await ch.send({ type: 'ready' })
  } catch (err) {
    ledger.move(entry, 'prepared', 'aborted')
    ledger.move(entry, 'ready', 'aborted')
    await refuse(ch, err)
    return
  }
  const go = await ch.next({ timeoutMs: leaseMs }).catch(() => undefined)
  if (go?.type !== 'go') {
    if (go?.type === 'abort') {
      ledger.move(entry, 'ready', 'aborted')
      await ch.close().catch(() => {})
      return
    }
    // no word within the lease (or the link broke): the source may be gone, so keep the copy, stopped
    if (ledger.move(entry, 'ready', 'fenced')) await fence(node, entry, req, remote, finalRoot, prepared.cm.moduleHash, prepared.snapshot.entry)
    ch.abort()
    return
  }
  if (!ledger.move(entry, 'ready', 'starting')) {
    await refuse(ch, new RequestError(ErrorCode.CONFLICT, `handover ${req.id} is ${entry.state}: GO came too late`))
    return
  }
  let settle!: () => void
  entry.started = new Promise(resolve => { settle = resolve })
  try {
    // a copy fenced here by an earlier handover of the same instance is stale now
    if (!req.clone && node.table.get(req.instance)?.status.state === 'suspended') await node.delete(req.instance)
    const m = await node.adopt(prepared, { clone: req.clone, owner: req.owner === '' ? remote : req.owner, transient: req.transient })
    entry.instance = m.id
    entry.state = 'running'
    rememberChunks(node, m.id, chunks)
  } catch (err) {
    entry.state = 'aborted'
    await refuse(ch, err)
    return
  } finally {
    settle()
  }
  try {
    await ch.send({ type: 'running', instance: entry.instance })
    await ch.close()
  } catch {
    // the source will RESOLVE
    ch.abort()
  }
}

/** The copy never started: keep its snapshot as a suspended instance (a clone's original still runs: drop it). */
async function fence (node: GateNode, e: LedgerEntry, req: Of<'prepare'>, remote: string, root: string, moduleHash: string, entry: string): Promise<void> {
  node.log('handover %s of %s: no GO within the lease; fenced', e.id, req.instance)
  if (req.clone) { e.state = 'aborted'; return }
  try {
    await node.keepSuspended({ id: req.instance, owner: req.owner === '' ? remote : req.owner, moduleHash, entry, root: CID.parse(root) })
  } catch (err) {
    node.log.error('could not keep fenced copy %s: %s', req.instance, (err as Error).message)
  }
}

async function answerResolve (node: GateNode, ch: HandoverChannel, remote: string, req: Of<'resolve'>): Promise<void> {
  const e = ledgerOf(node).get(req.id)
  let outcome: Outcome = 'aborted'
  let instance = ''
  if (e != null && e.peer === remote) {
    // a GO still in flight will find the handover aborted and be refused
    if (e.state === 'prepared' || e.state === 'ready') e.state = 'aborted'
    if (e.state === 'starting') await e.started
    if (e.state === 'fenced') {
      const m = node.table.get(e.instance)
      if (m?.status.state === 'running') { e.state = 'running' } else {
        // the source has its original: the fenced copy is stale now
        if (m?.status.state === 'suspended') await node.delete(e.instance).catch(() => {})
        e.state = 'aborted'
      }
    }
    if (e.state === 'running') { outcome = 'running'; instance = e.instance }
  } else if (e == null && req.instance !== '' && node.table.get(req.instance)?.status.state === 'running') {
    // not remembered (this node restarted, or long ago): what runs here is the answer
    outcome = 'running'
    instance = req.instance
  }
  await ch.send({ type: 'resolved', outcome, instance })
  await ch.close()
}

function parseCid (text: string): CID {
  try { return CID.parse(text) } catch { throw new RequestError(ErrorCode.BAD_REQUEST, `not a CID: ${JSON.stringify(text)}`) }
}

async function refuse (ch: HandoverChannel, err: unknown): Promise<void> {
  const code = errorCode(err)
  const message = code === ErrorCode.INTERNAL ? `internal error: ${(err as Error).message}` : (err as Error).message
  try {
    await ch.send({ type: 'error', code, message })
    await ch.close()
  } catch {
    ch.abort()
  }
}
