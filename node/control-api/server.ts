/**
 * The local control API the CLI drives: HTTP on 127.0.0.1, shaped after
 * Gate's `/gate-0/` surface (gate-reference §3): modules by sha256 or IPFS
 * CID with `action=call|launch|publish`, instances with
 * `action=kill|suspend|resume|status|io|delete`, plus peers, services and
 * messages, and `GET node` (node-wide budgets and usage). `peer=<peer-id>`
 * sends the request to another node over libp2p.
 * Every route but `GET /gate-0/` needs a token signed with the node's key.
 */
import { platform, userAgent } from '../platform.js'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chmod, rm } from 'node:fs/promises'
import { sha256hex } from '../../compiler/hash.js'
import { API_PREFIX, UNIX_URL_PREFIX } from './paths.js'
import { RemoteError, RequestError } from '../../protocols/errors.js'
import { ErrorCode } from '../../protocols/pb/gate.js'
import type { GateNode } from '../node.js'
import { AuthError, verifyToken } from './auth.js'
import { routeInstances } from './instances.js'
import { routeModules } from './modules.js'
import { routeNet } from './net.js'
import { routeFs } from './fs.js'
import { routeNodeStatus } from './node-status.js'

export { API_PREFIX, UNIX_URL_PREFIX }

export interface ControlServerInit {
  host?: string
  port?: number
  /** Listen on this unix socket instead of TCP (reachable across network namespaces; mode 0600). */
  socket?: string
}


/** One request, parsed. */
export interface ApiRequest {
  req: IncomingMessage
  res: ServerResponse
  method: string
  /** Path segments after /gate-0/. */
  path: string[]
  query: URLSearchParams
  node: GateNode
}

export class ControlServer {
  private server?: Server
  url = ''
  audience = ''

  constructor (private readonly node: GateNode, private readonly init: ControlServerInit = {}) {}

  async start (): Promise<string> {
    const server = createServer((req, res) => { void this.handle(req, res) })
    this.server = server
    const socket = this.init.socket
    if (socket != null) await rm(socket, { force: true })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      if (socket != null) server.listen(socket, () => { resolve() })
      else server.listen(this.init.port ?? 0, this.init.host ?? '127.0.0.1', () => { resolve() })
    })
    if (socket != null) {
      await chmod(socket, 0o600)
      this.url = UNIX_URL_PREFIX + socket
    } else {
      const a = server.address() as AddressInfo
      this.url = `http://${a.address}:${a.port}`
    }
    this.audience = this.url + API_PREFIX
    return this.url
  }

  async stop (): Promise<void> {
    const s = this.server
    if (s == null) return
    this.server = undefined
    s.closeAllConnections()
    await new Promise<void>(resolve => { s.close(() => { resolve() }) })
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const u = new URL(req.url ?? '/', 'http://localhost')
      if (!u.pathname.startsWith(API_PREFIX) && u.pathname !== API_PREFIX.slice(0, -1)) throw new RequestError(ErrorCode.NOT_FOUND, `no such path ${u.pathname}`)
      const path = u.pathname.slice(API_PREFIX.length).split('/').filter(s => s !== '').map(decodeURIComponent)
      const r: ApiRequest = { req, res, method: req.method ?? 'GET', path, query: u.searchParams, node: this.node }
      if (path.length === 0 && (r.method === 'GET' || r.method === 'HEAD')) { sendJson(res, 200, info(this.node)); return }
      await verifyToken(req.headers.authorization, this.node.libp2p.peerId.publicKey!, this.audience)
      const done = await routeModules(r) || await routeInstances(r) || await routeNet(r) || await routeFs(r) || await routeNodeStatus(r)
      if (!done) throw new RequestError(ErrorCode.NOT_FOUND, `no such path ${u.pathname}`)
    } catch (err) {
      // an error that is not a refusal is a bug or an environment failure: keep its stack
      if (errorBody(err).status >= 500) this.node.log.error('control API %s %s: %s', req.method, req.url, (err as Error)?.stack ?? String(err))
      fail(res, err)
    }
  }
}

function info (node: GateNode): object {
  return {
    peerId: node.self,
    platform: platform(),
    agent: userAgent(),
    addresses: node.libp2p.getMultiaddrs().map(String),
    protocols: node.libp2p.getProtocols(),
    services: node.directory.names()
  }
}

const HTTP_STATUS: Record<string, number> = {
  [ErrorCode.BAD_REQUEST]: 400,
  [ErrorCode.UNAUTHORIZED]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.TOO_LARGE]: 413,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL]: 500,
  [ErrorCode.RESOURCE_EXHAUSTED]: 503
}

export function errorBody (err: unknown): { status: number, code: string, error: string } {
  if (err instanceof AuthError) return { status: 401, code: 'UNAUTHENTICATED', error: err.message }
  if (err instanceof RequestError || err instanceof RemoteError) {
    return { status: HTTP_STATUS[err.code] ?? 500, code: err.code, error: err instanceof RemoteError ? err.message.replace(/^[A-Z_]+: /, '') : err.message }
  }
  const name = (err as Error)?.name
  if (name === 'InstanceStateError' || name === 'HandoverAbortedError') return { status: 409, code: ErrorCode.CONFLICT, error: (err as Error).message }
  // the link to a peer failed or the answer is pending: try again later
  if (name === 'StallError' || name === 'MigrationLinkError' || name === 'MigrationInDoubtError') return { status: 503, code: ErrorCode.UNAVAILABLE, error: (err as Error).message }
  return { status: 500, code: ErrorCode.INTERNAL, error: (err as Error)?.message ?? String(err) }
}

export function fail (res: ServerResponse, err: unknown): void {
  const b = errorBody(err)
  if (res.headersSent) { res.destroy(); return }
  const headers: Record<string, string> = {}
  if (b.status === 401) headers['WWW-Authenticate'] = `Bearer realm="gate", error="invalid_token", error_description="${b.error.replace(/"/g, "'")}"`
  sendJson(res, b.status, { code: b.code, error: b.error }, headers)
}

export function sendJson (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body) + '\n'
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/** The whole request body, refused past `limit` bytes. */
export async function readBody (req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? -1)
  if (declared > limit) throw new RequestError(ErrorCode.TOO_LARGE, `body of ${declared} bytes exceeds ${limit}`)
  const parts: Buffer[] = []
  let n = 0
  for await (const c of req) {
    n += (c as Buffer).byteLength
    if (n > limit) throw new RequestError(ErrorCode.TOO_LARGE, `body exceeds ${limit} bytes`)
    parts.push(c as Buffer)
  }
  return new Uint8Array(Buffer.concat(parts))
}

export function moduleHashOf (bytes: Uint8Array): string { return sha256hex(bytes) }
