/**
 * HostAbi: the import functions one instance gets (WASI preview1 + Gate
 * packet I/O + services), keyed by canonical import key (compiler/abi.ts),
 * with all of their state in save()/restore().
 */
import { randomBytes } from 'node:crypto'
import type { HostState } from '../types.js'
import { HostCore } from './core.js'
import { Entropy } from './entropy.js'
import { AbiDeficiency, AbiViolation, HostConfigError, MemoryFault, WasiError } from './errors.js'
import { gateFunctions } from './gate-io.js'
import type { HostRuntime, WaitCondition } from './runtime.js'
import { DEFAULT_SERVICES } from './services/registry.js'
import type { PeerService } from './services/peer.js'
import { ERRNO } from './wasi-types.js'
import { wasiFunctions } from './wasi.js'
import type { FsImage } from './vfs/image.js'

export interface HostAbiInit {
  /** argv, argv[0] included by the caller. */
  args?: string[]
  /** Extra environment; GATE_ABI_VERSION=0, GATE_FD=4 and GATE_MAX_SEND_SIZE=65536 are set too, unless gateEnv is false. */
  env?: Record<string, string>
  /** Instance UUID. */
  instanceId: string
  /** What the identity service answers for the principal; default 'local'. */
  principal?: string
  /** Seed of the random stream (random_get, random service); default 32 bytes from node:crypto. */
  randomSeed?: Uint8Array
  /** Names of the services the program may discover; default origin, catalog, identity, random. */
  services?: string[]
  /**
   * Which standard streams are a terminal on the user's side (isatty() in the
   * program); default all false: stdio is reported as a pipe. Kept in the
   * saved state.
   */
  tty?: { stdin?: boolean, stdout?: boolean, stderr?: boolean }
  /** Preopened trees (vfs/image.ts): preopen i is fd 3 + i. */
  fs?: FsImage
  /** Bytes of file data and inodes allowed (ENOSPC past it); default 512 MiB. */
  fsLimitBytes?: number
  /**
   * Set Gate's fixed variables (GATE_ABI_VERSION, GATE_FD, GATE_MAX_SEND_SIZE)
   * in the environment; default true. The runtime sets it only for modules that
   * import Gate's functions: a plain WASI program sees exactly the environment
   * it was given, as under any other WASI runtime.
   */
  gateEnv?: boolean
}

export const GATE_ENV: ReadonlyArray<readonly [string, string]> = [
  ['GATE_ABI_VERSION', '0'],
  ['GATE_FD', '4'],
  ['GATE_MAX_SEND_SIZE', '65536']
]

type ImportFn = (...args: any[]) => any

export class HostAbi {
  readonly functions: Record<string, ImportFn>
  private readonly core: HostCore

  constructor (init: HostAbiInit, runtime: HostRuntime)
  constructor (init: HostCore, runtime: HostRuntime)
  constructor (init: HostAbiInit | HostCore, runtime: HostRuntime) {
    this.core = init instanceof HostCore ? init : new HostCore(runtime, coreInit(init))
    this.functions = wrapAll(this.core, { ...wasiFunctions(this.core), ...gateFunctions(this.core) })
  }

  /** Client input: stdin of `gate run`, and the origin service's stream. `data` is kept, not copied. */
  pushInput (data: Uint8Array): void { this.core.input.push(data) }
  endInput (): void { this.core.input.end() }

  /** The instance's `peer` service, once the program has discovered it. */
  peerService (): PeerService | undefined { return this.core.gate.service('peer') as PeerService | undefined }

  /** True when a WaitCondition given earlier could now be satisfied. */
  ready (cond: WaitCondition, nowNs: bigint): boolean { return this.core.ready(cond, nowNs) }

  /** The instance's filesystem as it is now; undefined when launched without one. */
  files (): FsImage | undefined { return this.core.files() }

  /** All state, plain data (structured-clone and dag-cbor safe). */
  save (): HostState { return this.core.save() }

  static restore (state: HostState, runtime: HostRuntime): HostAbi {
    return new HostAbi(HostCore.restore(state, runtime), runtime)
  }

  /** After restore/resume: sets the "resumed" flag and queues the INFO services packet. */
  resumed (): void { this.core.resumed() }
}

function coreInit (init: HostAbiInit): ConstructorParameters<typeof HostCore>[1] {
  if (typeof init.instanceId !== 'string' || init.instanceId === '') throw new HostConfigError('instanceId is required')
  const fixed = new Set(GATE_ENV.map(([k]) => k))
  // the Gate fd follows the preopens (fds.ts)
  const preopens = init.fs?.preopens.length ?? 0
  const gateFd = preopens <= 1 ? 4 : 3 + preopens
  const env = init.gateEnv === false ? [] : GATE_ENV.map(([k, v]) => `${k}=${k === 'GATE_FD' ? String(gateFd) : v}`)
  for (const [k, v] of Object.entries(init.env ?? {})) {
    if (k === '' || k.includes('=') || k.includes('\0') || v.includes('\0')) throw new HostConfigError(`invalid environment variable ${JSON.stringify(k)}`)
    if (!fixed.has(k) || init.gateEnv === false) env.push(`${k}=${v}`)
  }
  for (const a of init.args ?? []) if (a.includes('\0')) throw new HostConfigError('argument contains NUL')
  return {
    args: [...(init.args ?? [])],
    env,
    instanceId: init.instanceId,
    principal: init.principal ?? 'local',
    services: [...(init.services ?? DEFAULT_SERVICES)],
    entropy: new Entropy(init.randomSeed ?? randomBytes(32)),
    tty: { ...init.tty },
    fs: init.fs,
    fsLimitBytes: init.fsLimitBytes
  }
}

/** Map the host's internal errors to errnos and traps. */
function wrapAll (core: HostCore, fns: Record<string, ImportFn>): Record<string, ImportFn> {
  const out: Record<string, ImportFn> = {}
  for (const [key, fn] of Object.entries(fns)) {
    const wasi = key.startsWith('wasi.')
    out[key] = (...args: any[]) => {
      try {
        return fn(...args)
      } catch (err) {
        if (err instanceof WasiError && wasi) return err.errno
        if (err instanceof MemoryFault) {
          if (wasi) return ERRNO.FAULT
          core.rt.trap('MEMORY_ACCESS_OUT_OF_BOUNDS', `${key}: ${err.message}`)
        }
        if (err instanceof AbiViolation) core.rt.trap('ABI_VIOLATION', `${key}: ${err.message}`)
        if (err instanceof AbiDeficiency) core.rt.trap('ABI_DEFICIENCY', `${key}: ${err.message}`)
        throw err
      }
    }
  }
  return out
}
