/**
 * The `origin` service: the connection to the client, like stdio
 * (gate-reference §2.2). There is exactly one client connection, so the
 * first accept CALL is answered at once with `{i32 stream_id, i32 0}` and
 * later accepts stay pending. The stream is bridged to the client: DATA to
 * the program comes from client input (the bytes also readable on fd 0),
 * DATA from the program goes to stdout.
 *
 * Flow control: the program's FLOW grants us capacity to send it DATA; we
 * grant it BUF_SIZE-1 bytes initially and give back what it has sent once
 * written (stdout is never full), coalesced into one FLOW entry.
 */
import type { HostStateValue } from '../../types.js'
import { AbiViolation } from '../errors.js'
import { DATA_HEADER_SIZE, DOMAIN_CALL, DOMAIN_DATA, DOMAIN_FLOW, MAX_PACKET_SIZE } from '../packets.js'
import { bool, int, obj } from '../state.js'
import type { Service, ServiceContext, ServiceFactory } from './service.js'

export const ORIGIN_BUF_SIZE = 32768
export const ORIGIN_STREAM_ID = 0
const MAX_CAPACITY = 0x7fffffff
const MAX_DATA = MAX_PACKET_SIZE - DATA_HEADER_SIZE

interface OriginState {
  /** The client stream has been handed out. */
  connected: boolean
  /** Accept calls waiting for another client (never comes). */
  pendingAccepts: number
  /** Bytes the program lets us send it. */
  recvCapacity: number
  /** The program sent FLOW 0: it reads no more. */
  readClosed: boolean
  /** We sent the program an empty DATA (end of client input). */
  eofSent: boolean
  /** Bytes the program may still send us. */
  sendCapacity: number
  /** Capacity granted but not yet sent to the program in a FLOW packet. */
  grant: number
  /** The program sent an empty DATA. */
  writeClosed: boolean
}

export class OriginService implements Service {
  readonly name = 'origin'
  readonly revision = '0'
  readonly streams = true
  private s: OriginState

  constructor (private readonly ctx: ServiceContext, state?: HostStateValue) {
    if (state == null) {
      this.s = { connected: false, pendingAccepts: 0, recvCapacity: 0, readClosed: false, eofSent: false, sendCapacity: 0, grant: 0, writeClosed: false }
    } else {
      const o = obj(state, 'origin')
      this.s = {
        connected: bool(o.connected, 'origin.connected'),
        pendingAccepts: int(o.pendingAccepts, 'origin.pendingAccepts'),
        recvCapacity: int(o.recvCapacity, 'origin.recvCapacity'),
        readClosed: bool(o.readClosed, 'origin.readClosed'),
        eofSent: bool(o.eofSent, 'origin.eofSent'),
        sendCapacity: int(o.sendCapacity, 'origin.sendCapacity'),
        grant: int(o.grant, 'origin.grant'),
        writeClosed: bool(o.writeClosed, 'origin.writeClosed')
      }
    }
  }

  call (_content: Uint8Array): void {
    if (this.s.connected) { this.s.pendingAccepts++; return }
    this.s.connected = true
    this.s.sendCapacity = ORIGIN_BUF_SIZE - 1
    this.s.grant = ORIGIN_BUF_SIZE - 1
    const reply = new Uint8Array(8)
    new DataView(reply.buffer).setInt32(0, ORIGIN_STREAM_ID, true)
    this.ctx.send(DOMAIN_CALL, reply)
  }

  info (_content: Uint8Array): void {}

  flow (id: number, value: number): void {
    if (!this.s.connected || id !== ORIGIN_STREAM_ID) return
    if (value > 0) {
      if (this.s.recvCapacity + value > MAX_CAPACITY) throw new AbiViolation('origin: stream capacity exceeds 2^31-1')
      this.s.recvCapacity += value
    } else if (value === 0) {
      this.s.readClosed = true
    }
  }

  data (id: number, _note: number, data: Uint8Array): void {
    if (!this.s.connected || id !== ORIGIN_STREAM_ID) return
    if (data.byteLength === 0) { this.s.writeClosed = true; return }
    if (this.s.writeClosed) throw new AbiViolation('origin: DATA after end of stream')
    if (data.byteLength > this.s.sendCapacity) throw new AbiViolation(`origin: DATA of ${data.byteLength} bytes exceeds the granted capacity ${this.s.sendCapacity}`)
    this.s.sendCapacity -= data.byteLength
    this.ctx.output(1, data)
    // Written: give the capacity back.
    this.s.sendCapacity += data.byteLength
    this.s.grant += data.byteLength
  }

  private readable (): boolean { return this.s.connected && !this.s.readClosed && !this.s.eofSent }

  canPump (): boolean {
    if (this.s.grant > 0 && !this.s.writeClosed) return true
    if (!this.readable()) return false
    const input = this.ctx.input
    if (input.available > 0) return this.s.recvCapacity > 0
    return input.ended
  }

  pump (): boolean {
    if (this.s.grant > 0 && !this.s.writeClosed) {
      const p = new Uint8Array(8)
      const dv = new DataView(p.buffer)
      dv.setInt32(0, ORIGIN_STREAM_ID, true)
      dv.setInt32(4, this.s.grant, true)
      this.s.grant = 0
      this.ctx.send(DOMAIN_FLOW, p)
      return true
    }
    if (!this.readable()) return false
    const input = this.ctx.input
    if (input.available > 0) {
      if (this.s.recvCapacity === 0) return false
      const bytes = input.take(Math.min(this.s.recvCapacity, MAX_DATA))
      this.s.recvCapacity -= bytes.byteLength
      this.ctx.send(DOMAIN_DATA, dataPayload(bytes))
      return true
    }
    if (input.ended) {
      this.s.eofSent = true
      this.ctx.send(DOMAIN_DATA, dataPayload(new Uint8Array(0)))
      return true
    }
    return false
  }

  save (): HostStateValue { return { ...this.s } }
}

function dataPayload (bytes: Uint8Array): Uint8Array {
  const p = new Uint8Array(8 + bytes.byteLength)
  new DataView(p.buffer).setInt32(0, ORIGIN_STREAM_ID, true)
  p.set(bytes, 8)
  return p
}

export const origin: ServiceFactory = {
  name: 'origin',
  revision: '0',
  create: (ctx: ServiceContext, state?: HostStateValue) => new OriginService(ctx, state)
}
