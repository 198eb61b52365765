/**
 * Target side of a migration or clone. /gate/snapshot-push/1.0.0 stores
 * the blocks a source offers (only those missing, each verified);
 * /gate/migrate/1.0.0 then prepares the instance from the pushed root
 * (decode + verify + compile), answers PREPARED, and starts it only on the
 * source's COMMIT, answering RUNNING. A stream that breaks before the
 * commit leaves nothing running here.
 */
import type { Stream } from '@libp2p/interface'
import { CID } from 'multiformats/cid'
import { MessageChannel } from '../../protocols/channel.js'
import { RequestError } from '../../protocols/errors.js'
import { MAX_CONTROL_FRAME, REQUEST_TIMEOUT_MS } from '../../protocols/ids.js'
import { streamDuplex } from '../../protocols/libp2p-duplex.js'
import { ErrorCode, MigrateCommit, MigrateReply, MigrateRequest } from '../../protocols/pb/gate.js'
import { receiveSnapshot } from '../../protocols/snapshot-push/index.js'
import { decodeSnapshot } from '../../executor/snapshot/index.js'
import type { GateNode } from '../node.js'
import { refuse } from './refuse.js'

/** Blocks one push may bring: 4 GiB of 256 KiB chunks, plus module and root. */
const MAX_PUSH_BLOCKS = 16384 + 256

export async function handleSnapshotPush (node: GateNode, stream: Stream, remote: string): Promise<void> {
  node.policy.checkAccess(remote)
  const r = await receiveSnapshot(streamDuplex(stream), node.snapshots, { maxBlocks: MAX_PUSH_BLOCKS, signal: AbortSignal.timeout(10 * 60_000) })
  // a pre-copy is usually followed by a migration: compile now, not during the downtime
  node.warm(r.root)
}

export async function handleMigrate (node: GateNode, stream: Stream, remote: string): Promise<void> {
  const ch = new MessageChannel(streamDuplex(stream), { maxFrame: MAX_CONTROL_FRAME })
  let req: MigrateRequest
  let prepared
  try {
    node.policy.checkAccess(remote)
    req = await ch.expect(MigrateRequest, { what: 'migrate request', timeoutMs: REQUEST_TIMEOUT_MS })
    let root: CID
    try { root = CID.parse(req.root) } catch { throw new RequestError(ErrorCode.BAD_REQUEST, `not a CID: ${JSON.stringify(req.root)}`) }
    node.policy.checkDeploy(remote, node.table.live().filter(m => m.owner === remote).length, node.table.live().length)
    if (!req.clone && node.table.get(req.instance)?.instance != null) throw new RequestError(ErrorCode.CONFLICT, `instance ${req.instance} already runs here`)
    const decoded = await decodeSnapshot(root, node.snapshots).catch(err => { throw new RequestError(ErrorCode.NOT_FOUND, `snapshot ${req.root}: ${(err as Error).message}`) })
    if (decoded.moduleBytes == null) throw new RequestError(ErrorCode.BAD_REQUEST, 'the snapshot does not carry its module')
    prepared = await node.prepare(decoded.snapshot, decoded.moduleBytes)
  } catch (err) {
    await refuse(ch, err)
    return
  }
  await ch.write(MigrateReply, { code: ErrorCode.OK, error: '', phase: MigrateReply.Phase.PREPARED, instance: '' })
  const commit = await ch.read(MigrateCommit, { what: 'commit', timeoutMs: 60_000 }).catch(() => undefined)
  if (commit?.commit !== true) { ch.abort(); return }
  try {
    if (commit.root !== '' && commit.root !== req.root) {
      const final = await decodeSnapshot(CID.parse(commit.root), node.snapshots).catch(err => { throw new RequestError(ErrorCode.NOT_FOUND, `snapshot ${commit.root}: ${(err as Error).message}`) })
      if (final.snapshot.compiledHash !== prepared.cm.compiledHash) throw new RequestError(ErrorCode.BAD_REQUEST, 'the final snapshot is of another module than the prepared one')
      prepared = { ...prepared, snapshot: final.snapshot }
    }
    const m = await node.adopt(prepared, { clone: req.clone, owner: req.owner === '' ? remote : req.owner, transient: req.transient })
    await ch.write(MigrateReply, { code: ErrorCode.OK, error: '', phase: MigrateReply.Phase.RUNNING, instance: m.id })
    await ch.close()
  } catch (err) {
    await refuse(ch, err)
  }
}
