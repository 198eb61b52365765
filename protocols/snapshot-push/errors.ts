/** The peer broke the protocol (bad message, unexpected order, unoffered block). */
export class ProtocolError extends Error {
  static name = 'ProtocolError'
  constructor (message: string) { super(message); this.name = 'ProtocolError' }
}

/** The receiving side refused or failed the transfer; its message is carried. */
export class PushRefusedError extends Error {
  static name = 'PushRefusedError'
  constructor (message: string) { super(message); this.name = 'PushRefusedError' }
}
