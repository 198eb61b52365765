/**
 * Network routes: `GET peers`, `POST peers?action=connect&addr=<multiaddr>`,
 * `GET services[?name=]` (this node's names, or providers of a name via the
 * DHT), `POST services?action=advertise&name=`, `POST message?peer=&to=`
 * (body: payload) and `GET messages` (what reached this node).
 */
import type { PeerId } from '@libp2p/interface'
import { parseUserAgent } from '../platform.js'
import { multiaddr } from '@multiformats/multiaddr'
import { RequestError } from '../../protocols/errors.js'
import { MAX_MESSAGE_PAYLOAD } from '../../protocols/ids.js'
import { ErrorCode } from '../../protocols/pb/gate.js'
import { validServiceName } from '../directory.js'
import { readBody, sendJson, type ApiRequest } from './server.js'

export async function routeNet (r: ApiRequest): Promise<boolean> {
  const { node } = r
  switch (r.path[0]) {
    case 'peers': {
      if (r.method === 'POST' && r.query.get('action') === 'connect') {
        const addr = r.query.get('addr') ?? ''
        let ma
        try { ma = multiaddr(addr) } catch { throw new RequestError(ErrorCode.BAD_REQUEST, `not a multiaddr: ${JSON.stringify(addr)}`) }
        try {
          const conn = await node.libp2p.dial(ma, { signal: AbortSignal.timeout(15_000) })
          sendJson(r.res, 200, { peerId: conn.remotePeer.toString(), address: conn.remoteAddr.toString() })
        } catch (err) {
          throw new RequestError(ErrorCode.UNAVAILABLE, `cannot connect to ${addr}: ${(err as Error).message}`)
        }
        return true
      }
      const peers = await Promise.all(node.libp2p.getConnections().map(async c => {
        const agent = await agentOf(node, c.remotePeer)
        return { peerId: c.remotePeer.toString(), address: c.remoteAddr.toString(), direction: c.direction, ...(agent != null ? { agent, platform: parseUserAgent(agent) } : {}) }
      }))
      sendJson(r.res, 200, { peers })
      return true
    }
    case 'services': {
      const name = r.query.get('name')
      if (r.method === 'POST' && r.query.get('action') === 'advertise') {
        if (name == null || !validServiceName(name)) throw new RequestError(ErrorCode.BAD_REQUEST, 'a service name: 1-127 printable characters without /')
        await node.directory.advertise(name)
        sendJson(r.res, 200, { services: node.directory.names() })
        return true
      }
      if (name == null) { sendJson(r.res, 200, { services: node.directory.names() }); return true }
      const limit = Number(r.query.get('limit') ?? 20)
      const providers = await node.directory.find(name, { limit, signal: AbortSignal.timeout(Number(r.query.get('timeout-ms') ?? 15_000)) })
      sendJson(r.res, 200, { name, providers: providers.map(p => ({ peerId: p.id.toString(), addresses: p.multiaddrs })) })
      return true
    }
    case 'message': {
      const peer = r.query.get('peer')
      if (peer == null) throw new RequestError(ErrorCode.BAD_REQUEST, 'message needs peer=<peer-id>')
      const payload = await readBody(r.req, MAX_MESSAGE_PAYLOAD)
      await node.message(peer, r.query.get('to') ?? '', payload)
      sendJson(r.res, 200, {})
      return true
    }
    case 'messages':
      sendJson(r.res, 200, { messages: node.inbox.map(m => ({ from: m.from, at: m.at, text: Buffer.from(m.payload).toString('utf8') })) })
      return true
  }
  return false
}

/** A peer's agent version from identify (undefined until identify has run). */
async function agentOf (node: ApiRequest['node'], peer: PeerId): Promise<string | undefined> {
  try {
    const p = await node.libp2p.peerStore.get(peer)
    const v = p.metadata.get('AgentVersion')
    return v != null ? new TextDecoder().decode(v) : undefined
  } catch { return undefined }
}
