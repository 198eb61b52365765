/** Protocol IDs and their limits. A new incompatible version gets a new ID. */

export const DEPLOY_PROTOCOL = '/gate/deploy/1.0.0'
export const ATTACH_PROTOCOL = '/gate/attach/1.0.0'
export const CONTROL_PROTOCOL = '/gate/control/1.0.0'
export const MESSAGE_PROTOCOL = '/gate/message/1.0.0'
/** v2: binary block frames and page patches against a base block (protocols/snapshot-push/). */
export const SNAPSHOT_PUSH_PROTOCOL = '/gate/snapshot-push/2.0.0'
export const MIGRATE_PROTOCOL = '/gate/migrate/1.0.0'

/** Small control messages (requests, responses, acks). */
export const MAX_CONTROL_FRAME = 64 * 1024
/** An I/O frame: stdin/stdout chunks. */
export const MAX_IO_FRAME = 1024 * 1024
/** A peer message payload (fits one Gate packet with its header and endpoint). */
export const MAX_MESSAGE_PAYLOAD = 60000
/** Time a peer has to send its request after opening a stream. */
export const REQUEST_TIMEOUT_MS = 10_000
/** Time we wait for an answer to a request (a deploy may include a module fetch and compile). */
export const RESPONSE_TIMEOUT_MS = 120_000
/** Streams per connection per protocol a node accepts at once. */
export const MAX_INBOUND_STREAMS = 32
