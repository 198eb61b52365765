/**
 * /gate/message/1.0.0, node side: one message for the node itself (`to`
 * empty) or for a program here (instance ID or registered name). The
 * sender's endpoint is built from its authenticated peer ID, so it cannot
 * be forged.
 */
import type { Stream } from '@libp2p/interface'
import { MessageChannel } from '../../protocols/channel.js'
import { RequestError } from '../../protocols/errors.js'
import { MAX_CONTROL_FRAME, MAX_MESSAGE_PAYLOAD, REQUEST_TIMEOUT_MS } from '../../protocols/ids.js'
import { streamDuplex } from '../../protocols/libp2p-duplex.js'
import { ErrorCode, MessageAck, PeerMessage } from '../../protocols/pb/gate.js'
import type { GateNode } from '../node.js'
import { refuse } from './refuse.js'

export async function handleMessage (node: GateNode, stream: Stream, remote: string): Promise<void> {
  const ch = new MessageChannel(streamDuplex(stream), { maxFrame: MAX_CONTROL_FRAME * 2 })
  try {
    node.policy.checkAccess(remote)
    const msg = await ch.expect(PeerMessage, { what: 'message', timeoutMs: REQUEST_TIMEOUT_MS })
    if (msg.payload.byteLength > MAX_MESSAGE_PAYLOAD) throw new RequestError(ErrorCode.TOO_LARGE, `message of ${msg.payload.byteLength} bytes exceeds ${MAX_MESSAGE_PAYLOAD}`)
    if (msg.from.length > 200 || msg.to.length > 200) throw new RequestError(ErrorCode.BAD_REQUEST, 'endpoint too long')
    if (msg.to === '') {
      node.onNodeMessage(remote, msg.payload)
    } else {
      const from = msg.from === '' ? remote : `${remote}/${msg.from}`
      const code = node.deliverLocal(msg.to, from, msg.payload)
      if (code !== ErrorCode.OK) throw new RequestError(code, code === ErrorCode.NOT_FOUND ? `no program here named or numbered ${JSON.stringify(msg.to)}` : 'the program\'s message queue is full')
    }
    await ch.write(MessageAck, { code: ErrorCode.OK, error: '' })
    await ch.close()
  } catch (err) {
    await refuse(ch, err)
  }
}
