/**
 * The `peer` service (revision 0): programs register names, find peers by
 * name and exchange messages across nodes (doc/peer-service.md). The work
 * is done by the node through the runtime's PeerBridge; replies come back
 * asynchronously and are sent to the program in call order (FIFO per
 * service). Incoming messages are INFO packets.
 *
 * CALL content `u8 op` then: 0 REGISTER name | 1 UNREGISTER name |
 * 2 FIND u8 limit, name | 3 SEND u8 len, endpoint, payload.
 * Replies: `i16 error` (FIND: then `u16 count, (u8 len, endpoint)*`).
 * INFO from the service: `u8 1 (MESSAGE), u8 len, sender endpoint, payload`.
 */
import type { HostStateValue } from '../../types.js'
import { DOMAIN_CALL, DOMAIN_INFO } from '../packets.js'
import { arr, int, obj, str } from '../state.js'
import type { Service, ServiceContext, ServiceFactory } from './service.js'

export const PEER_OK = 0
export const PEER_ERR_INVALID = 1
export const PEER_ERR_FAILED = 2
export const PEER_ERR_UNREACHABLE = 3
export const PEER_ERR_NOT_FOUND = 4
export const PEER_ERR_TOO_LARGE = 5
export const PEER_ERR_INTERRUPTED = 6
export const PEER_ERR_REFUSED = 7
/** Largest message payload (the node's bound; fits one packet with header and endpoint). */
export const PEER_MAX_PAYLOAD = 60000
/** Incoming messages held for the program, at most. */
export const PEER_INBOX_MESSAGES = 64
export const PEER_INBOX_BYTES = 1 << 20

export const OP_REGISTER = 0
export const OP_UNREGISTER = 1
export const OP_FIND = 2
export const OP_SEND = 3
export const EVENT_MESSAGE = 1

export type PeerRequest =
  | { op: 'register' | 'unregister', name: string }
  | { op: 'find', name: string, limit: number }
  | { op: 'send', to: string, payload: Uint8Array }

/** The worker side of the node connection, supplied by the instance runtime. */
export interface PeerBridge {
  request: (seq: number, req: PeerRequest) => void
  /** Registered names changed; `restored` after a resume (the node registers them again). */
  names: (names: string[], restored: boolean) => void
}

interface Pending { seq: number, reply?: Uint8Array, op: string, name?: string }

const utf8 = new TextDecoder('utf-8', { fatal: true })

export class PeerService implements Service {
  readonly name = 'peer'
  readonly revision = '0'
  readonly streams = false
  private readonly pending: Pending[] = []
  private readonly inbox: Array<{ from: string, payload: Uint8Array }> = []
  private inboxBytes = 0
  private names: string[] = []
  private seq = 1

  constructor (private readonly ctx: ServiceContext, state?: HostStateValue) {
    if (state != null) {
      const o = obj(state, 'peer')
      this.names = arr(o.names, 'peer.names').map((n, i) => str(n, `peer.names[${i}]`))
      this.seq = int(o.seq, 'peer.seq')
      for (const m of arr(o.inbox, 'peer.inbox')) {
        const e = obj(m, 'peer.inbox[]')
        this.inbox.push({ from: str(e.from, 'peer.inbox[].from'), payload: e.payload as Uint8Array })
        this.inboxBytes += (e.payload as Uint8Array).byteLength
      }
      // calls in flight when it was suspended: their answers are lost
      for (const r of arr(o.replies, 'peer.replies')) {
        this.pending.push({ seq: 0, op: 'restored', reply: r == null ? errorReply(PEER_ERR_INTERRUPTED) : r as Uint8Array })
      }
      this.flush()
      if (this.names.length > 0) ctx.peer?.names([...this.names], true)
    }
  }

  call (content: Uint8Array): void {
    const bridge = this.ctx.peer
    const req = bridge != null ? parse(content) : PEER_ERR_INVALID
    if (typeof req === 'number') { this.pending.push({ seq: 0, op: 'invalid', reply: errorReply(req) }); this.flush(); return }
    const seq = this.seq++
    this.pending.push({ seq, op: req.op, name: 'name' in req ? req.name : undefined })
    bridge!.request(seq, req)
  }

  /** The node answered request `seq`. */
  onReply (seq: number, error: number, endpoints?: string[]): void {
    const p = this.pending.find(x => x.seq === seq && x.reply == null)
    if (p == null) return
    if (p.op === 'find' && error === PEER_OK) p.reply = findReply(endpoints ?? [])
    else p.reply = errorReply(error)
    if (error === PEER_OK && p.name != null && (p.op === 'register' || p.op === 'unregister')) {
      const had = this.names.includes(p.name)
      if (p.op === 'register' && !had) this.names.push(p.name)
      if (p.op === 'unregister' && had) this.names = this.names.filter(n => n !== p.name)
      if (had !== (p.op === 'register')) this.ctx.peer?.names([...this.names], false)
    }
    this.flush()
  }

  /** A message for the program; false when the inbox is full (it is dropped). */
  onMessage (from: string, payload: Uint8Array): boolean {
    if (this.inbox.length >= PEER_INBOX_MESSAGES || this.inboxBytes + payload.byteLength > PEER_INBOX_BYTES) return false
    this.inbox.push({ from, payload })
    this.inboxBytes += payload.byteLength
    return true
  }

  private flush (): void {
    while (this.pending.length > 0 && this.pending[0].reply != null) this.ctx.send(DOMAIN_CALL, this.pending.shift()!.reply!)
  }

  info (_content: Uint8Array): void {}
  flow (_id: number, _value: number): void {}
  data (_id: number, _note: number, _data: Uint8Array): void {}
  canPump (): boolean { return this.inbox.length > 0 }

  pump (): boolean {
    const m = this.inbox.shift()
    if (m == null) return false
    this.inboxBytes -= m.payload.byteLength
    const from = new TextEncoder().encode(m.from).subarray(0, 255)
    const out = new Uint8Array(2 + from.byteLength + m.payload.byteLength)
    out[0] = EVENT_MESSAGE
    out[1] = from.byteLength
    out.set(from, 2)
    out.set(m.payload, 2 + from.byteLength)
    this.ctx.send(DOMAIN_INFO, out)
    return true
  }

  save (): HostStateValue {
    return {
      names: [...this.names],
      seq: this.seq,
      inbox: this.inbox.map(m => ({ from: m.from, payload: m.payload })),
      // held replies keep their bytes; calls still in flight become null (INTERRUPTED on restore)
      replies: this.pending.map(p => p.reply ?? null)
    }
  }
}

function parse (c: Uint8Array): PeerRequest | number {
  if (c.byteLength < 1) return PEER_ERR_INVALID
  const text = (b: Uint8Array): string | undefined => { try { return utf8.decode(b) } catch { return undefined } }
  const validName = (n: string | undefined): n is string => n != null && n.length >= 1 && n.length <= 127 && !n.includes('/')
  switch (c[0]) {
    case OP_REGISTER: case OP_UNREGISTER: {
      const name = text(c.subarray(1))
      return validName(name) ? { op: c[0] === OP_REGISTER ? 'register' : 'unregister', name } : PEER_ERR_INVALID
    }
    case OP_FIND: {
      if (c.byteLength < 3) return PEER_ERR_INVALID
      const name = text(c.subarray(2))
      return validName(name) ? { op: 'find', name, limit: c[1] === 0 ? 16 : c[1] } : PEER_ERR_INVALID
    }
    case OP_SEND: {
      if (c.byteLength < 2 || c.byteLength < 2 + c[1] || c[1] === 0) return PEER_ERR_INVALID
      const to = text(c.subarray(2, 2 + c[1]))
      const payload = c.slice(2 + c[1])
      if (to == null) return PEER_ERR_INVALID
      if (payload.byteLength > PEER_MAX_PAYLOAD) return PEER_ERR_TOO_LARGE
      return { op: 'send', to, payload }
    }
  }
  return PEER_ERR_INVALID
}

function errorReply (code: number): Uint8Array {
  const b = new Uint8Array(2)
  new DataView(b.buffer).setInt16(0, code, true)
  return b
}

function findReply (endpoints: string[]): Uint8Array {
  const enc = endpoints.map(e => new TextEncoder().encode(e).subarray(0, 255)).slice(0, 0xffff)
  const out = new Uint8Array(4 + enc.reduce((a, e) => a + 1 + e.byteLength, 0))
  const dv = new DataView(out.buffer)
  dv.setInt16(0, PEER_OK, true)
  dv.setUint16(2, enc.length, true)
  let o = 4
  for (const e of enc) { out[o++] = e.byteLength; out.set(e, o); o += e.byteLength }
  return out
}

export const peer: ServiceFactory = {
  name: 'peer',
  revision: '0',
  create: (ctx: ServiceContext, state?: HostStateValue) => new PeerService(ctx, state)
}
