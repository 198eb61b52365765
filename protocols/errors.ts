/** Errors of the wire protocols. Callers match on `.name`. */
import { ErrorCode } from './pb/gate.js'

/** The remote side sent something that breaks the protocol. */
export class ProtocolError extends Error {
  static name = 'ProtocolError'
  constructor (message: string) { super(message); this.name = 'ProtocolError' }
}

/** The stream ended where the protocol expects more: the peer hung up (or went away). */
export class PeerClosedError extends ProtocolError {
  static name = 'PeerClosedError'
  constructor (message: string) { super(message); this.name = 'PeerClosedError' }
}

/** The remote side did not answer in time. */
export class TimeoutError extends Error {
  static name = 'TimeoutError'
  constructor (message: string) { super(message); this.name = 'TimeoutError' }
}

/**
 * The remote node refused or failed a request; `code` is the wire error
 * code (pb ErrorCode), e.g. UNAUTHORIZED or RATE_LIMITED.
 */
export class RemoteError extends Error {
  static name = 'RemoteError'
  constructor (readonly code: ErrorCode, message: string) { super(`${code}: ${message}`); this.name = 'RemoteError' }
}

/** An error raised while serving a request, with the code to send back. */
export class RequestError extends Error {
  static name = 'RequestError'
  constructor (readonly code: ErrorCode, message: string) { super(message); this.name = 'RequestError' }
}

/** The code to answer an error with: RequestError keeps its own, the rest are INTERNAL. */
export function errorCode (err: unknown): ErrorCode {
  if (err instanceof RequestError || err instanceof RemoteError) return err.code
  const name = (err as Error)?.name
  if (name === 'FrameTooLargeError') return ErrorCode.TOO_LARGE
  if (name === 'ProtocolError' || name === 'PeerClosedError' || name === 'UnexpectedEndError') return ErrorCode.BAD_REQUEST
  return ErrorCode.INTERNAL
}
