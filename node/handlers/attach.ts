/** /gate/attach/1.0.0, node side: stream the I/O of an instance the remote peer owns. */
import type { Stream } from '@libp2p/interface'
import { MessageChannel } from '../../protocols/channel.js'
import { RequestError } from '../../protocols/errors.js'
import { MAX_IO_FRAME, REQUEST_TIMEOUT_MS } from '../../protocols/ids.js'
import { streamDuplex } from '../../protocols/libp2p-duplex.js'
import { AttachRequest, AttachResponse, ErrorCode } from '../../protocols/pb/gate.js'
import type { GateNode } from '../node.js'
import { refuse } from './refuse.js'
import { StreamSink } from './serve-io.js'

export async function handleAttach (node: GateNode, stream: Stream, remote: string): Promise<void> {
  const ch = new MessageChannel(streamDuplex(stream), { maxFrame: MAX_IO_FRAME })
  let sink: StreamSink
  let m
  try {
    node.policy.checkAccess(remote)
    const req = await ch.expect(AttachRequest, { what: 'attach request', timeoutMs: REQUEST_TIMEOUT_MS })
    m = node.table.get(req.instance)
    if (m == null) throw new RequestError(ErrorCode.NOT_FOUND, `no instance ${req.instance}`)
    node.policy.checkOwner(remote, m.owner, req.instance)
    sink = new StreamSink(ch)
    m.attach(sink) // output held for it first (a migrated instance), then what comes while it runs
  } catch (err) {
    await refuse(ch, err)
    return
  }
  await ch.write(AttachResponse, { code: ErrorCode.OK, error: '' })
  sink.open(m)
  await sink.done
}
