/**
 * The CLI's side of a node's control API: finds the node through
 * `<data-dir>/control.json`, signs each request with the node's identity
 * key (read from the same data dir), and speaks JSON or output frames.
 */
import { request, type IncomingMessage } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadIdentity } from '../node/identity.js'
import { signToken } from '../node/control-api/auth.js'
import { readFramesOf, FrameKind } from '../node/control-api/frames.js'
import { API_PREFIX, UNIX_URL_PREFIX } from '../node/control-api/paths.js'
import type { PrivateKey } from '@libp2p/interface'

export const CONTROL_FILE = 'control.json'

export interface ControlInfo { url: string, peerId: string, pid: number }

/** The node said no; `status` is the HTTP status, `code` the Gate error code. */
export class ApiError extends Error {
  static name = 'ApiError'
  constructor (readonly status: number, readonly code: string, message: string) { super(message); this.name = 'ApiError' }
}

export class NodeNotRunningError extends Error {
  static name = 'NodeNotRunningError'
  constructor (dataDir: string) { super(`no node is running for ${dataDir} (start one with: gate node start --data-dir ${dataDir})`); this.name = 'NodeNotRunningError' }
}

export interface Frame { kind: FrameKind, payload: Uint8Array }

export class ControlClient {
  private constructor (readonly info: ControlInfo, private readonly key: PrivateKey) {}

  static async open (dataDir: string): Promise<ControlClient> {
    let info: ControlInfo
    try {
      info = JSON.parse(await readFile(join(dataDir, CONTROL_FILE), 'utf8'))
    } catch { throw new NodeNotRunningError(dataDir) }
    try { process.kill(info.pid, 0) } catch { throw new NodeNotRunningError(dataDir) }
    const key = await loadIdentity(dataDir)
    if (key == null) throw new NodeNotRunningError(dataDir)
    return new ControlClient(info, key)
  }

  private async headers (extra: Record<string, string> = {}): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${await signToken(this.key, this.info.url + API_PREFIX)}`, ...extra }
  }

  /** A request with a JSON answer. */
  async json<T = any> (method: string, path: string, query: Record<string, string | string[] | undefined> = {}, body?: Uint8Array): Promise<T> {
    const res = await this.send(method, path, query, body)
    const text = await readAll(res)
    let parsed: any
    try { parsed = JSON.parse(text.toString()) } catch { throw new ApiError(res.statusCode ?? 0, 'INTERNAL', `bad reply from the node: ${text.toString().slice(0, 200)}`) }
    if ((res.statusCode ?? 500) >= 400) throw new ApiError(res.statusCode ?? 0, parsed.code ?? 'ERROR', parsed.error ?? 'request failed')
    return parsed as T
  }

  /**
   * A streaming request: `input` (if any) is sent as the body while frames
   * come back.
   */
  async * frames (method: string, path: string, query: Record<string, string | string[] | undefined>, input?: AsyncIterable<Uint8Array> | Uint8Array): AsyncGenerator<Frame> {
    const res = await this.send(method, path, query, input)
    if ((res.statusCode ?? 500) >= 400) {
      const text = (await readAll(res)).toString()
      let parsed: any = {}
      try { parsed = JSON.parse(text) } catch {}
      throw new ApiError(res.statusCode ?? 0, parsed.code ?? 'ERROR', parsed.error ?? text)
    }
    yield * readFramesOf(res as AsyncIterable<Uint8Array>)
  }

  /** A request whose answer is a byte stream (e.g. a CAR); an error status throws. */
  async * bytes (method: string, path: string, query: Record<string, string | string[] | undefined> = {}): AsyncGenerator<Uint8Array> {
    const res = await this.send(method, path, query)
    if ((res.statusCode ?? 500) >= 400) {
      const text = (await readAll(res)).toString()
      let parsed: any = {}
      try { parsed = JSON.parse(text) } catch {}
      throw new ApiError(res.statusCode ?? 0, parsed.code ?? 'ERROR', parsed.error ?? text)
    }
    for await (const c of res) yield new Uint8Array(c as Buffer)
  }

  private async send (method: string, path: string, query: Record<string, string | string[] | undefined>, body?: Uint8Array | AsyncIterable<Uint8Array>): Promise<IncomingMessage> {
    const socketPath = this.info.url.startsWith(UNIX_URL_PREFIX) ? this.info.url.slice(UNIX_URL_PREFIX.length) : undefined
    const u = new URL(API_PREFIX + path, socketPath != null ? 'http://localhost' : this.info.url)
    for (const [k, v] of Object.entries(query)) {
      if (v == null) continue
      for (const x of Array.isArray(v) ? v : [v]) u.searchParams.append(k, x)
    }
    const headers = await this.headers(body instanceof Uint8Array ? { 'Content-Length': String(body.byteLength) } : {})
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(u, { method, headers, socketPath }, resolve)
      req.on('error', err => { reject(new Error(`cannot reach the node's control API at ${this.info.url}: ${err.message}`)) })
      if (body == null) { req.end(); return }
      if (body instanceof Uint8Array) { req.end(body); return }
      void (async () => {
        try {
          for await (const c of body) { if (!req.write(c)) await new Promise(resolve => req.once('drain', resolve)) }
        } catch {}
        req.end()
      })()
    })
  }
}

async function readAll (res: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const c of res) parts.push(c as Buffer)
  return Buffer.concat(parts)
}
