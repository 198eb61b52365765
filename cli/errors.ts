/** Bad command line: printed with usage, exit code 2. */
export class UsageError extends Error {
  static name = 'UsageError'
  constructor (message: string) { super(message); this.name = 'UsageError' }
}
