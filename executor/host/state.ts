/**
 * Readers for saved host state. Saved state may have been through dag-cbor
 * (small bigints come back as numbers) or structuredClone, so readers accept
 * either form and throw HostStateError on anything else.
 */
import type { HostStateValue } from '../types.js'
import { HostStateError } from './errors.js'

export type Obj = { [key: string]: HostStateValue }

export function obj (v: HostStateValue | undefined, what: string): Obj {
  if (v == null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) throw new HostStateError(`${what}: expected an object`)
  return v
}

export function arr (v: HostStateValue | undefined, what: string): HostStateValue[] {
  if (!Array.isArray(v)) throw new HostStateError(`${what}: expected an array`)
  return v
}

export function str (v: HostStateValue | undefined, what: string): string {
  if (typeof v !== 'string') throw new HostStateError(`${what}: expected a string`)
  return v
}

export function bool (v: HostStateValue | undefined, what: string): boolean {
  if (typeof v !== 'boolean') throw new HostStateError(`${what}: expected a boolean`)
  return v
}

export function int (v: HostStateValue | undefined, what: string): number {
  if (typeof v === 'bigint') v = Number(v)
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new HostStateError(`${what}: expected an integer`)
  return v
}

export function big (v: HostStateValue | undefined, what: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v)
  if (typeof v !== 'bigint') throw new HostStateError(`${what}: expected an integer`)
  return v
}

export function bytes (v: HostStateValue | undefined, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new HostStateError(`${what}: expected bytes`)
  return v
}

export function strings (v: HostStateValue | undefined, what: string): string[] {
  return arr(v, what).map((x, i) => str(x, `${what}[${i}]`))
}
