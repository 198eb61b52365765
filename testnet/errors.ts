/** Typed errors of the testnet tools. */

/** A testnet operation that cannot be done as asked (bad index, none running, ...). */
export class TestnetError extends Error {
  static name = 'TestnetError'
  constructor (message: string) { super(message); this.name = 'TestnetError' }
}

/** A node process did not come up: its log tail is in the message. */
export class NodeStartError extends TestnetError {
  static name = 'NodeStartError'
  constructor (message: string) { super(message); this.name = 'NodeStartError' }
}

/** Network namespaces need root on Linux with iproute2; `cause` says what failed. */
export class NetnsError extends TestnetError {
  static name = 'NetnsError'
  constructor (message: string) { super(message); this.name = 'NetnsError' }
}
