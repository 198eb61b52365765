import { CompileError } from './errors.js'

/** Binaryen could not read or instrument a module that passed validation. */
export class InstrumentError extends CompileError {
  static name = 'InstrumentError'
  constructor (message: string) {
    super(message)
    this.name = 'InstrumentError'
  }
}
