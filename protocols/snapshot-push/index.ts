/**
 * @packageDocumentation
 * Snapshot push: send a snapshot's blocks to a peer, which asks only for the
 * blocks it lacks and verifies each against its CID. Transport-agnostic (any
 * byte duplex); the libp2p protocol wraps a stream into one.
 */
export { pushSnapshot, receiveSnapshot, MAX_FRAME, type PushOptions, type PushProgress, type PushResult, type ReceiveResult } from './push.js'
export * from './errors.js'
