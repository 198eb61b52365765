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
