/**
 * The Gate packet endpoint behind fd 4 / gate.io (gate-reference §1.4-1.9):
 * the host -> program packet queue, the program -> host packet parser,
 * service discovery and dispatch to service instances.
 */
import type { HostStateValue } from '../types.js'
import type { Entropy } from './entropy.js'
import { AbiViolation } from './errors.js'
import type { InputBuffer } from './input.js'
import {
  CODE_SERVICES, DATA_HEADER_SIZE, decodePacket, DOMAIN_CALL, DOMAIN_DATA, DOMAIN_FLOW, DOMAIN_INFO,
  encodePacket, HEADER_SIZE, InboundAssembler, OutboundQueue, SERVICE_STATE_AVAIL, type Packet
} from './packets.js'
import { FACTORIES } from './services/registry.js'
import type { Service, ServiceContext, ServiceInfo } from './services/service.js'
import type { PeerBridge } from './services/peer.js'
import { arr, bool, obj, str } from './state.js'

/** At most this many services per instance (Gate's maxServices). */
export const MAX_SERVICES = 256
const MAX_NAME_LENGTH = 127

export interface GateEnv {
  input: InputBuffer
  entropy: Entropy
  principal: string
  instanceId: string
  /** Names of the services this instance may discover. */
  offered: string[]
  output: (fd: 1 | 2, data: Uint8Array) => void
  peer?: PeerBridge
}

interface Discovered { name: string, avail: boolean }

export class GatePackets {
  private outbound = new OutboundQueue()
  private inbound = new InboundAssembler()
  private discovered: Discovered[] = []
  /** Service instances by code (available services only). */
  private instances = new Map<number, Service>()

  constructor (private readonly env: GateEnv) {}

  /** The instance of a discovered, available service, by name. */
  service (name: string): Service | undefined {
    for (const s of this.instances.values()) if (s.name === name) return s
    return undefined
  }

  // ------------------------------------------------------------ host -> program

  /** True when the program could read packet bytes now. */
  get readable (): boolean {
    if (!this.outbound.empty) return true
    for (const s of this.instances.values()) if (s.canPump()) return true
    return false
  }

  /** Remove up to `max` bytes of the host -> program stream. */
  read (max: number): Uint8Array {
    if (max <= 0) return new Uint8Array(0)
    if (this.outbound.empty) this.pumpOne()
    if (this.outbound.available >= max) return this.outbound.take(max)
    const parts: Uint8Array[] = []
    let n = 0
    while (n < max) {
      if (this.outbound.empty && !this.pumpOne()) break
      const p = this.outbound.take(max - n)
      parts.push(p)
      n += p.byteLength
    }
    const out = new Uint8Array(n)
    let off = 0
    for (const p of parts) { out.set(p, off); off += p.byteLength }
    return out
  }

  private pumpOne (): boolean {
    for (const s of this.instances.values()) if (s.pump()) return true
    return false
  }

  /** Queue the INFO services notification sent after a resume. */
  resumed (): void {
    if (this.discovered.length > 0) this.outbound.push(encodePacket(CODE_SERVICES, DOMAIN_INFO, this.statesPayload()))
  }

  // ------------------------------------------------------------ program -> host

  /** Accept bytes of the program -> host stream; handles every packet they complete. */
  write (data: Uint8Array): void {
    for (const buf of this.inbound.push(data)) this.handle(decodePacket(buf), buf.byteLength)
  }

  private handle (p: Packet, size: number): void {
    if (p.domain > DOMAIN_DATA) throw new AbiViolation(`packet domain ${p.domain} is invalid`)
    if (p.code === CODE_SERVICES) { this.discover(p, size); return }
    if (p.code < 0) throw new AbiViolation(`packet code ${p.code} is reserved`)
    if (p.code >= this.discovered.length) throw new AbiViolation(`packet code ${p.code} is not a discovered service`)
    if (p.domain === DOMAIN_DATA && size < DATA_HEADER_SIZE) throw new AbiViolation(`DATA packet of ${size} bytes is shorter than ${DATA_HEADER_SIZE}`)
    const svc = this.instances.get(p.code)
    if (svc == null) return // unavailable: dropped, as Gate does
    const dv = new DataView(p.payload.buffer, p.payload.byteOffset, p.payload.byteLength)
    switch (p.domain) {
      case DOMAIN_CALL: svc.call(p.payload); break
      case DOMAIN_INFO: svc.info(p.payload); break
      case DOMAIN_FLOW:
        if (!svc.streams) throw new AbiViolation(`service ${svc.name} has no streams (FLOW)`)
        if (p.payload.byteLength % 8 !== 0) throw new AbiViolation('FLOW packet has a truncated entry')
        for (let off = 0; off < p.payload.byteLength; off += 8) svc.flow(dv.getInt32(off, true), dv.getInt32(off + 4, true))
        break
      case DOMAIN_DATA:
        if (!svc.streams) throw new AbiViolation(`service ${svc.name} has no streams (DATA)`)
        svc.data(dv.getInt32(0, true), dv.getInt32(4, true), p.payload.subarray(8))
        break
    }
  }

  private discover (p: Packet, size: number): void {
    if (p.domain !== DOMAIN_CALL) throw new AbiViolation('service discovery packet is not a CALL')
    if (size < HEADER_SIZE + 2) throw new AbiViolation('service discovery packet is too short')
    const b = p.payload
    const count = b[0] | (b[1] << 8)
    const names: string[] = []
    let off = 2
    for (let i = 0; i < count; i++) {
      if (off >= b.byteLength) throw new AbiViolation('service discovery packet is truncated')
      const len = b[off++]
      if (len === 0 || len > MAX_NAME_LENGTH) throw new AbiViolation(`service name length ${len} is invalid`)
      if (off + len > b.byteLength) throw new AbiViolation('service discovery packet is truncated')
      names.push(new TextDecoder().decode(b.subarray(off, off + len)))
      off += len
    }
    for (const name of names) {
      if (this.discovered.length >= MAX_SERVICES) break
      const avail = this.env.offered.includes(name) && FACTORIES[name] != null
      if (avail && this.discovered.some(d => d.name === name)) throw new AbiViolation(`duplicate service: ${name}`)
      const code = this.discovered.length
      this.discovered.push({ name, avail })
      if (avail) this.instances.set(code, FACTORIES[name].create(this.context(code)))
    }
    this.outbound.push(encodePacket(CODE_SERVICES, DOMAIN_CALL, this.statesPayload()))
  }

  private statesPayload (): Uint8Array {
    const out = new Uint8Array(2 + this.discovered.length)
    out[0] = this.discovered.length & 0xff
    out[1] = this.discovered.length >> 8
    this.discovered.forEach((d, i) => { out[2 + i] = d.avail ? SERVICE_STATE_AVAIL : 0 })
    return out
  }

  private context (code: number): ServiceContext {
    const env = this.env
    return {
      send: (domain, payload, index = 0) => { this.outbound.push(encodePacket(code, domain, payload, index)) },
      output: (fd, data) => { env.output(fd, data) },
      input: env.input,
      entropy: env.entropy,
      principal: env.principal,
      instanceId: env.instanceId,
      peer: env.peer,
      catalog: (): ServiceInfo[] => env.offered.filter(n => FACTORIES[n] != null).map(n => ({ name: n, revision: FACTORIES[n].revision }))
    }
  }

  // ------------------------------------------------------------ state

  save (): HostStateValue {
    return {
      outbound: this.outbound.save(),
      inbound: this.inbound.save(),
      services: this.discovered.map((d, code) => ({ name: d.name, avail: d.avail, state: this.instances.get(code)?.save() ?? null }))
    }
  }

  static restore (v: HostStateValue | undefined, env: GateEnv): GatePackets {
    const o = obj(v, 'gate')
    const g = new GatePackets(env)
    g.outbound = OutboundQueue.restore(o.outbound)
    g.inbound = InboundAssembler.restore(o.inbound)
    arr(o.services, 'gate.services').forEach((x, code) => {
      const e = obj(x, `gate.services[${code}]`)
      const name = str(e.name, `gate.services[${code}].name`)
      // A service this host does not offer is restored as unavailable.
      const avail = bool(e.avail, `gate.services[${code}].avail`) && env.offered.includes(name) && FACTORIES[name] != null
      g.discovered.push({ name, avail })
      if (avail) g.instances.set(code, FACTORIES[name].create(g.context(code), e.state ?? undefined))
    })
    return g
  }
}
