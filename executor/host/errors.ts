/**
 * Errors of the host ABI. Callers match on `.name`.
 *
 * `WasiError`, `MemoryFault`, `AbiViolation` and `AbiDeficiency` are thrown
 * inside import implementations and mapped by the import wrapper
 * (host-abi.ts): a WASI errno return, EFAULT, or `runtime.trap(...)`.
 */

/** Base class of the host ABI's errors. */
export class HostAbiError extends Error {
  static name = 'HostAbiError'
  constructor (message: string) { super(message); this.name = 'HostAbiError' }
}

/** A WASI call fails with this errno (returned to the program, not fatal). */
export class WasiError extends HostAbiError {
  static name = 'WasiError'
  constructor (readonly errno: number, message = `errno ${errno}`) { super(message); this.name = 'WasiError' }
}

/** The program passed a pointer/length outside its linear memory. */
export class MemoryFault extends HostAbiError {
  static name = 'MemoryFault'
  constructor (readonly ptr: number, readonly length: number) {
    super(`memory access out of bounds: ${ptr}+${length}`); this.name = 'MemoryFault'
  }
}

/** The program broke the packet protocol (gate-reference §1.9): fatal, ABI_VIOLATION. */
export class AbiViolation extends HostAbiError {
  static name = 'AbiViolation'
  constructor (message: string) { super(message); this.name = 'AbiViolation' }
}

/** The program used the ABI in a way Gate does not support (trap 27): fatal, ABI_DEFICIENCY. */
export class AbiDeficiency extends HostAbiError {
  static name = 'AbiDeficiency'
  constructor (message: string) { super(message); this.name = 'AbiDeficiency' }
}

/** `HostAbi.restore()` was given state it cannot read. */
export class HostStateError extends HostAbiError {
  static name = 'HostStateError'
  constructor (message: string) { super(message); this.name = 'HostStateError' }
}

/** A `HostAbiInit` value is invalid (bad env name, unknown service...). */
export class HostConfigError extends HostAbiError {
  static name = 'HostConfigError'
  constructor (message: string) { super(message); this.name = 'HostConfigError' }
}
