/**
 * /gate/control/1.0.0, node side: list, inspect, kill, suspend and resume
 * instances the remote peer owns (the node's own ID owns everything).
 */
import type { Stream } from '@libp2p/interface'
import { MessageChannel } from '../../protocols/channel.js'
import { RequestError } from '../../protocols/errors.js'
import { MAX_CONTROL_FRAME, REQUEST_TIMEOUT_MS } from '../../protocols/ids.js'
import { streamDuplex } from '../../protocols/libp2p-duplex.js'
import { ControlRequest, ControlResponse, ErrorCode } from '../../protocols/pb/gate.js'
import type { Managed } from '../instances.js'
import type { GateNode } from '../node.js'
import { refuse } from './refuse.js'
import { instanceInfo } from './wire.js'

export async function handleControl (node: GateNode, stream: Stream, remote: string): Promise<void> {
  const ch = new MessageChannel(streamDuplex(stream), { maxFrame: MAX_CONTROL_FRAME })
  try {
    node.policy.checkAccess(remote)
    const req = await ch.expect(ControlRequest, { what: 'control request', timeoutMs: REQUEST_TIMEOUT_MS })
    const instances = await control(node, remote, req)
    await ch.write(ControlResponse, { code: ErrorCode.OK, error: '', instances: instances.map(instanceInfo) })
    await ch.close()
  } catch (err) {
    await refuse(ch, err)
  }
}

/** Carry out a control request for `peer`; also used by the local control API. */
export async function control (node: GateNode, peer: string, req: ControlRequest): Promise<Managed[]> {
  if (req.op === ControlRequest.Op.LIST) {
    return node.policy.isOwner(peer) ? node.table.all() : node.table.owned(peer)
  }
  const m = node.table.get(req.instance)
  if (m == null) throw new RequestError(ErrorCode.NOT_FOUND, `no instance ${req.instance}`)
  node.policy.checkOwner(peer, m.owner, req.instance)
  switch (req.op) {
    case ControlRequest.Op.STATUS: break
    case ControlRequest.Op.KILL: await node.kill(m.id); break
    case ControlRequest.Op.SUSPEND: await node.suspend(m.id); break
    case ControlRequest.Op.RESUME: await node.resume(m.id); break
    default: throw new RequestError(ErrorCode.BAD_REQUEST, `unknown operation ${String(req.op)}`)
  }
  return [m]
}
