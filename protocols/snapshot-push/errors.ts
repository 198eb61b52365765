/** Errors of the snapshot push protocol (ProtocolError is shared by all protocols). */
export { PeerClosedError, ProtocolError } from '../errors.js'

/** The receiving side refused or failed the transfer; its message is carried. */
export class PushRefusedError extends Error {
  static name = 'PushRefusedError'
  constructor (message: string) { super(message); this.name = 'PushRefusedError' }
}
