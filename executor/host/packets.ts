/**
 * Gate packet framing (gate-reference §1.4-1.5): an 8-byte little-endian
 * header `{u32 size, i16 code, u8 domain, u8 index}`, packets padded to 8
 * bytes, 8..65536 bytes each. `OutboundQueue` holds the host -> program byte
 * stream; `InboundAssembler` cuts the program -> host byte stream into packets.
 */
import type { HostStateValue } from '../types.js'
import { AbiViolation } from './errors.js'
import { arr, bytes, int, obj } from './state.js'

export const HEADER_SIZE = 8
export const ALIGNMENT = 8
export const MAX_PACKET_SIZE = 65536
export const CODE_SERVICES = -1

export const DOMAIN_CALL = 0
export const DOMAIN_INFO = 1
export const DOMAIN_FLOW = 2
export const DOMAIN_DATA = 3

export const DATA_HEADER_SIZE = 16
export const SERVICE_STATE_AVAIL = 0x1

export const align = (n: number): number => (n + ALIGNMENT - 1) & ~(ALIGNMENT - 1)

export interface Packet {
  code: number
  domain: number
  index: number
  /** Bytes after the header (padding excluded). */
  payload: Uint8Array
}

/** Encode a packet, padded to the alignment. */
export function encodePacket (code: number, domain: number, payload: Uint8Array, index = 0): Uint8Array {
  const size = HEADER_SIZE + payload.byteLength
  if (size > MAX_PACKET_SIZE) throw new RangeError(`packet of ${size} bytes exceeds ${MAX_PACKET_SIZE}`)
  const buf = new Uint8Array(align(size))
  const dv = new DataView(buf.buffer)
  dv.setUint32(0, size, true)
  dv.setInt16(4, code, true)
  buf[6] = domain
  buf[7] = index
  buf.set(payload, HEADER_SIZE)
  return buf
}

/** Decode one unpadded packet (header included). */
export function decodePacket (buf: Uint8Array): Packet {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  return { code: dv.getInt16(4, true), domain: buf[6], index: buf[7], payload: buf.subarray(HEADER_SIZE, dv.getUint32(0, true)) }
}

/** Host -> program stream: whole packets, read in arbitrary pieces. */
export class OutboundQueue {
  private packets: Uint8Array[] = []
  /** Bytes of packets[0] already read. */
  private offset = 0

  push (packet: Uint8Array): void { this.packets.push(packet) }

  get empty (): boolean { return this.packets.length === 0 }

  /** Bytes readable now. */
  get available (): number {
    let n = -this.offset
    for (const p of this.packets) n += p.byteLength
    return n
  }

  /** Remove and return up to `max` bytes. */
  take (max: number): Uint8Array {
    const out = new Uint8Array(Math.min(max, this.available))
    let off = 0
    while (off < out.byteLength) {
      const p = this.packets[0]
      const k = Math.min(p.byteLength - this.offset, out.byteLength - off)
      out.set(p.subarray(this.offset, this.offset + k), off)
      off += k
      this.offset += k
      if (this.offset === p.byteLength) { this.packets.shift(); this.offset = 0 }
    }
    return out
  }

  save (): HostStateValue { return { packets: this.packets.map(p => p.slice()), offset: this.offset } }

  static restore (v: HostStateValue | undefined): OutboundQueue {
    const o = obj(v, 'outbound')
    const q = new OutboundQueue()
    q.packets = arr(o.packets, 'outbound.packets').map((p, i) => bytes(p, `outbound.packets[${i}]`).slice())
    q.offset = int(o.offset, 'outbound.offset')
    return q
  }
}

/** Program -> host stream: accumulates bytes and yields complete packets. */
export class InboundAssembler {
  private buf: Uint8Array = new Uint8Array(0)

  /**
   * Append bytes and return the packets they complete (unpadded, header
   * included). Throws AbiViolation on a bad size as soon as a header is seen.
   */
  push (data: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buf.byteLength + data.byteLength)
    joined.set(this.buf)
    joined.set(data, this.buf.byteLength)
    const out: Uint8Array[] = []
    let off = 0
    while (joined.byteLength - off >= HEADER_SIZE) {
      const size = new DataView(joined.buffer, off, 4).getUint32(0, true)
      if (size < HEADER_SIZE || size > MAX_PACKET_SIZE) {
        this.buf = new Uint8Array(0)
        throw new AbiViolation(`packet size ${size} is outside ${HEADER_SIZE}..${MAX_PACKET_SIZE}`)
      }
      const padded = align(size)
      if (joined.byteLength - off < padded) break
      out.push(joined.slice(off, off + size))
      off += padded
    }
    this.buf = joined.slice(off)
    return out
  }

  save (): HostStateValue { return this.buf.slice() }

  static restore (v: HostStateValue | undefined): InboundAssembler {
    const a = new InboundAssembler()
    a.buf = bytes(v, 'inbound').slice()
    return a
  }
}
