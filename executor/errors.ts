/** Errors of the executor. Callers match on `.name`. */

/** The operation does not fit the instance's state (e.g. suspending a halted instance). */
export class InstanceStateError extends Error {
  static name = 'InstanceStateError'
  constructor (message: string) { super(message); this.name = 'InstanceStateError' }
}

/** A snapshot could not be taken (the instance ended first, or its worker died). */
export class SnapshotFailedError extends Error {
  static name = 'SnapshotFailedError'
  constructor (message: string) { super(message); this.name = 'SnapshotFailedError' }
}

/** A snapshot cannot be resumed here: module or compiler differ. */
export class SnapshotMismatchError extends Error {
  static name = 'SnapshotMismatchError'
  constructor (message: string) { super(message); this.name = 'SnapshotMismatchError' }
}

/** The executor is not started. */
export class NotStartedError extends Error {
  static name = 'NotStartedError'
  constructor (message = 'executor is not started') { super(message); this.name = 'NotStartedError' }
}
