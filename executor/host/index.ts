/** The host ABI: WASI preview1 + Gate packet I/O + services for one instance. */
export { HostAbi, GATE_ENV, type HostAbiInit } from './host-abi.js'
export { ExitSignal, TrapSignal, type HostRuntime, type WaitCondition } from './runtime.js'
export { AbiDeficiency, AbiViolation, HostAbiError, HostConfigError, HostStateError, MemoryFault, WasiError } from './errors.js'
export { DEFAULT_SERVICES } from './services/registry.js'
export { ORIGIN_BUF_SIZE, ORIGIN_STREAM_ID } from './services/origin.js'
export { IDENTITY_INSTANCE, IDENTITY_PRINCIPAL } from './services/identity.js'
export {
  CODE_SERVICES, DOMAIN_CALL, DOMAIN_DATA, DOMAIN_FLOW, DOMAIN_INFO, MAX_PACKET_SIZE, SERVICE_STATE_AVAIL,
  decodePacket, encodePacket
} from './packets.js'
export { MAX_SERVICES } from './gate-packets.js'
