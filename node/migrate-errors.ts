/** Errors of migration and cloning (node/migrate.ts). Callers match on `.name`. */

/**
 * The source sent GO (its point of no return) but could not learn whether
 * the target started the instance. The original stays suspended here (not
 * resumed: the target may run it) and is resolved in the background: it is
 * forgotten once the target says it runs it, resumed once it says it never
 * will. Nothing is lost; until then possibly no copy runs.
 */
export class MigrationInDoubtError extends Error {
  static name = 'MigrationInDoubtError'
  constructor (readonly instance: string, readonly peer: string, cause: Error) {
    super(`migration of ${instance} to ${peer} is in doubt (${cause.message}); kept suspended here until the target answers`, { cause })
    this.name = 'MigrationInDoubtError'
  }
}

/** The target did not start the instance after GO (it had fenced it, or starting failed); the original resumed here. */
export class HandoverAbortedError extends Error {
  static name = 'HandoverAbortedError'
  constructor (message: string) { super(message); this.name = 'HandoverAbortedError' }
}

/**
 * The connection to the target broke during a migration or clone: closed
 * or reset by the peer, or aborted by libp2p (a connection whose pings go
 * unanswered is closed with a bare 'The operation was aborted due to
 * timeout'). Before GO the original resumed here; the cause is kept.
 */
export class MigrationLinkError extends Error {
  static name = 'MigrationLinkError'
  constructor (readonly peer: string, readonly step: string, cause: Error) {
    super(`connection to ${peer} lost during ${step}: ${linkReason(cause)}`, { cause })
    this.name = 'MigrationLinkError'
  }
}

/** Errors of a stream or connection that ended under it (libp2p's, and a peer that hung up). */
const LINK_ERRORS = new Set([
  'StreamResetError', 'StreamAbortedError', 'StreamStateError', 'ConnectionClosedError', 'ConnectionClosingError',
  'MuxerClosedError', 'UnexpectedEOFError', 'PeerClosedError'
])

function linkReason (cause: Error): string {
  if (cause instanceof DOMException && cause.name === 'TimeoutError') return 'libp2p closed the connection (the peer did not answer its pings in time)'
  return cause.message
}

/**
 * What a network step of a migration throws: link failures become a
 * MigrationLinkError naming the peer and step; anything else (the target's
 * refusals, stall deadlines, the caller's own abort) is passed on as is.
 */
export function asLinkError (err: unknown, peer: string, step: string, signal?: AbortSignal): unknown {
  if (signal?.aborted === true || !(err instanceof Error)) return err
  const domTimeout = err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError')
  if (domTimeout || LINK_ERRORS.has(err.name)) return new MigrationLinkError(peer, step, err)
  return err
}
