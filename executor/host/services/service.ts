/**
 * What a service implementation sees and provides (gate-reference §2.1).
 * One Service object exists per discovered, available service; it is bound
 * to its code and queues packets to the program through its context.
 */
import type { HostStateValue } from '../../types.js'
import type { Entropy } from '../entropy.js'
import type { InputBuffer } from '../input.js'
import type { PeerBridge } from './peer.js'

export interface ServiceInfo { name: string, revision: string }

export interface ServiceContext {
  /** Queue a packet from this service to the program. */
  send: (domain: number, payload: Uint8Array, index?: number) => void
  /** Program output to the client. */
  output: (fd: 1 | 2, data: Uint8Array) => void
  /** Client input (shared with fd 0). */
  input: InputBuffer
  /** The instance's random stream. */
  entropy: Entropy
  principal: string
  instanceId: string
  /** The node connection of the `peer` service (absent when the instance has none). */
  peer?: PeerBridge
  /** All services this host offers, for the catalog. */
  catalog: () => ServiceInfo[]
}

export interface Service {
  readonly name: string
  readonly revision: string
  /** Streams (FLOW/DATA) are accepted; otherwise they are an ABI violation. */
  readonly streams: boolean
  /** A CALL: queue exactly one reply (now or later) with `ctx.send(DOMAIN_CALL, ...)`. */
  call: (content: Uint8Array) => void
  info: (content: Uint8Array) => void
  flow: (id: number, value: number) => void
  data: (id: number, note: number, data: Uint8Array) => void
  /** True when `pump()` would queue a packet (stream data derived from input...). */
  canPump: () => boolean
  /** Queue one packet derived from external state; returns false if there was none. */
  pump: () => boolean
  /** The service's state, plain data. */
  save: () => HostStateValue
}

export interface ServiceFactory {
  readonly name: string
  readonly revision: string
  create: (ctx: ServiceContext, state?: HostStateValue) => Service
}

/** Base for services without streams or background packets. */
export abstract class CallService implements Service {
  abstract readonly name: string
  readonly revision: string = '0'
  readonly streams: boolean = false
  constructor (protected readonly ctx: ServiceContext) {}
  abstract call (content: Uint8Array): void
  info (_content: Uint8Array): void {}
  flow (_id: number, _value: number): void {}
  data (_id: number, _note: number, _data: Uint8Array): void {}
  canPump (): boolean { return false }
  pump (): boolean { return false }
  save (): HostStateValue { return {} }
  protected reply (content: Uint8Array = new Uint8Array(0)): void { this.ctx.send(0, content) }
}
