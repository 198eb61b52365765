/** Binaryen could not read or instrument a module that passed validation. */
export class InstrumentError extends Error {
  static name = 'InstrumentError'
  constructor (message: string) {
    super(message)
    this.name = 'InstrumentError'
  }
}
