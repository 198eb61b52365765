/** Errors of the node. Callers match on `.name`. */

/** The operation needs a started (or stopped) node. */
export class NodeStateError extends Error {
  static name = 'NodeStateError'
  constructor (message: string) { super(message); this.name = 'NodeStateError' }
}
