/**
 * The network side of a program's `peer` service: names go to the DHT
 * directory, finds come back as endpoints "<peer-id>/<name>", messages go
 * over the message protocol (or straight to a local instance). A program's
 * own endpoint, as receivers see it, is "<this-peer-id>/<instance-id>".
 */
import { PEER_ERR_FAILED, PEER_ERR_INVALID, PEER_ERR_NOT_FOUND, PEER_ERR_REFUSED, PEER_ERR_TOO_LARGE, PEER_ERR_UNREACHABLE, type PeerPort } from '../executor/index.js'
import { RemoteError } from '../protocols/errors.js'
import { ErrorCode } from '../protocols/pb/gate.js'
import { validServiceName } from './directory.js'


export class PeerCallError extends Error {
  static name = 'PeerCallError'
  constructor (readonly code: number, message: string) { super(message); this.name = 'PeerCallError' }
}

export interface PeerPortHost {
  readonly self: string
  advertise: (name: string) => Promise<void>
  withdraw: (name: string) => void
  findProviders: (name: string, limit: number) => Promise<string[]>
  /** Deliver to a local instance by id or name; returns the wire code. */
  deliverLocal: (to: string, from: string, payload: Uint8Array) => ErrorCode
  sendRemote: (peer: string, to: string, from: string, payload: Uint8Array) => Promise<void>
}

export function splitEndpoint (endpoint: string): { peer: string, target: string } | undefined {
  const i = endpoint.indexOf('/')
  if (i <= 0 || i === endpoint.length - 1) return undefined
  return { peer: endpoint.slice(0, i), target: endpoint.slice(i + 1) }
}

export function makePeerPort (host: PeerPortHost, instanceId: string): PeerPort {
  return {
    register: async (name) => {
      if (!validServiceName(name)) throw new PeerCallError(PEER_ERR_INVALID, `invalid name ${JSON.stringify(name)}`)
      await host.advertise(name)
    },
    unregister: async (name) => { host.withdraw(name) },
    find: async (name, limit) => {
      if (!validServiceName(name)) throw new PeerCallError(PEER_ERR_INVALID, `invalid name ${JSON.stringify(name)}`)
      const peers = await host.findProviders(name, limit)
      return peers.map(p => `${p}/${name}`)
    },
    send: async (to, payload) => {
      const ep = splitEndpoint(to)
      if (ep == null) throw new PeerCallError(PEER_ERR_INVALID, `invalid endpoint ${JSON.stringify(to)}`)
      if (ep.peer === host.self) {
        const code = host.deliverLocal(ep.target, `${host.self}/${instanceId}`, payload)
        if (code !== ErrorCode.OK) throw new PeerCallError(wireToPeer(code), `${code}`)
        return
      }
      try {
        await host.sendRemote(ep.peer, ep.target, instanceId, payload)
      } catch (err) {
        if (err instanceof RemoteError) throw new PeerCallError(wireToPeer(err.code), err.message)
        throw new PeerCallError(PEER_ERR_UNREACHABLE, (err as Error).message)
      }
    }
  }
}

function wireToPeer (code: ErrorCode): number {
  switch (code) {
    case ErrorCode.NOT_FOUND: return PEER_ERR_NOT_FOUND
    case ErrorCode.TOO_LARGE: return PEER_ERR_TOO_LARGE
    case ErrorCode.UNAUTHORIZED: case ErrorCode.RATE_LIMITED: return PEER_ERR_REFUSED
    case ErrorCode.BAD_REQUEST: return PEER_ERR_INVALID
    case ErrorCode.UNAVAILABLE: return PEER_ERR_UNREACHABLE
    default: return PEER_ERR_FAILED
  }
}
