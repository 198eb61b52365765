/**
 * The state of one instance's host side, shared by the WASI and Gate import
 * implementations: argv/env, client input, random stream, packet endpoint,
 * the std fds, Gate flags, the clock offset and the pending-wait record that keeps
 * timeouts stable when a blocking import is restarted.
 */
import type { HostState, HostStateValue } from '../types.js'
import { Entropy } from './entropy.js'
import { HostStateError } from './errors.js'
import { FdTable, type TtyFlags } from './fds.js'
import { GatePackets } from './gate-packets.js'
import { InputBuffer } from './input.js'
import { MemoryView } from './memory-view.js'
import type { HostRuntime, WaitCondition } from './runtime.js'
import { big, int, obj, str, strings } from './state.js'
import { RIGHTS_DIR, RIGHTS_FILE, RIGHTS_WRITING } from './wasi-types.js'
import type { FsImage } from './vfs/image.js'
import { Vfs } from './vfs/tree.js'

/** Default bytes of file data (HostAbiInit.fsLimitBytes). */
export const DEFAULT_FS_LIMIT = 512 * 1024 * 1024

export const STATE_VERSION = 1
/** gate.io flags bit 0: started or resumed since the last call. */
export const FLAG_STARTED_OR_RESUMED = 1

export interface CoreInit {
  args: string[]
  env: string[]
  instanceId: string
  principal: string
  services: string[]
  entropy: Entropy
  /** Which std streams are a terminal on the user's side; default none. */
  tty?: Partial<TtyFlags>
  /** The preopened trees; none: no filesystem. */
  fs?: FsImage
  fsLimitBytes?: number
}

interface PendingWait { key: string, baseNs: bigint }

export class HostCore {
  readonly args: string[]
  readonly env: string[]
  readonly instanceId: string
  readonly principal: string
  readonly services: string[]
  readonly input: InputBuffer
  readonly entropy: Entropy
  readonly gate: GatePackets
  /** The fd table: client streams, the Gate fd, open files; which streams are terminals. */
  fds: FdTable
  /** The virtual filesystem (empty, no preopens, without a launch tree). */
  vfs: Vfs
  /** Gate flags not yet reported by gate.io. */
  flags = FLAG_STARTED_OR_RESUMED
  /** Highest monotonic time handed out (host clock). */
  private lastMonoNs = 0n
  /** host clock = runtime clock + offset; fixed after a restore if the runtime's clock is behind. */
  private clockOffset = 0n
  private calibrated = true
  private pendingWait: PendingWait | null = null

  constructor (readonly rt: HostRuntime, init: CoreInit, parts?: { input: InputBuffer, gate: HostStateValue }) {
    this.args = init.args
    this.env = init.env
    this.instanceId = init.instanceId
    this.principal = init.principal
    this.services = init.services
    this.entropy = init.entropy
    this.input = parts?.input ?? new InputBuffer()
    const clock = (): bigint => this.rt.realtimeNs()
    this.vfs = init.fs != null ? Vfs.load(init.fs, init.fsLimitBytes ?? DEFAULT_FS_LIMIT, clock) : new Vfs(init.fsLimitBytes ?? DEFAULT_FS_LIMIT, clock)
    this.fds = new FdTable(init.tty, this.vfs.preopens.length)
    this.vfs.preopens.forEach((p, i) => {
      const ro = p.readonly ? ~RIGHTS_WRITING : ~0n
      this.fds.set(3 + i, { kind: 'node', ino: p.ino, offset: 0, flags: 0, base: RIGHTS_DIR & ro, inheriting: (RIGHTS_DIR | RIGHTS_FILE) & ro, preopen: i, ro: p.readonly })
      this.vfs.hold(p.ino)
    })
    const env = {
      input: this.input,
      entropy: this.entropy,
      principal: this.principal,
      instanceId: this.instanceId,
      offered: this.services,
      output: (fd: 1 | 2, data: Uint8Array) => { rt.output(fd, data) },
      peer: rt.peer
    }
    this.gate = parts != null ? GatePackets.restore(parts.gate, env) : new GatePackets(env)
  }

  mem (): MemoryView { return new MemoryView(this.rt.memory()) }

  /** The filesystem as it is now (undefined: launched without one). */
  files (): FsImage | undefined { return this.vfs.preopens.length > 0 ? this.vfs.save() : undefined }

  // ------------------------------------------------------------ clocks

  private calibrate (): void {
    if (this.calibrated) return
    this.calibrated = true
    const now = this.rt.monotonicNs()
    this.clockOffset = now >= this.lastMonoNs ? 0n : this.lastMonoNs - now
  }

  /** Monotonic time as the program sees it: never goes back, also across restore. */
  monoNs (): bigint {
    this.calibrate()
    const t = this.rt.monotonicNs() + this.clockOffset
    if (t > this.lastMonoNs) this.lastMonoNs = t
    return this.lastMonoNs
  }

  realNs (): bigint { return this.rt.realtimeNs() }

  /** A program-clock deadline in the runtime's clock (WaitCondition.deadlineNs). */
  runtimeDeadline (hostNs: bigint): bigint { this.calibrate(); return hostNs - this.clockOffset }

  // ------------------------------------------------------------ waiting

  /**
   * Start time of a blocking call identified by `key`: the time it was first
   * made if it is being restarted after a wait, else now.
   */
  waitBase (key: string): bigint {
    return this.pendingWait?.key === key ? this.pendingWait.baseNs : this.monoNs()
  }

  /** Wait (the caller must return right after). */
  wait (cond: WaitCondition, key?: string, baseNs?: bigint): void {
    if (key != null && baseNs != null) this.pendingWait = { key, baseNs }
    const c: WaitCondition = {}
    if (cond.input === true) c.input = true
    if (cond.packets === true) c.packets = true
    if (cond.deadlineNs != null) c.deadlineNs = this.runtimeDeadline(cond.deadlineNs)
    this.rt.wait(c)
  }

  /** A blocking call completes. */
  done (): void { this.pendingWait = null }

  ready (cond: WaitCondition, nowNs: bigint): boolean {
    if (cond.input === true && this.input.readable) return true
    if (cond.packets === true && this.gate.readable) return true
    if (cond.deadlineNs != null && nowNs >= cond.deadlineNs) return true
    return false
  }

  resumed (): void {
    this.flags |= FLAG_STARTED_OR_RESUMED
    this.calibrate()
    this.gate.resumed()
  }

  // ------------------------------------------------------------ state

  save (): HostState {
    return {
      version: STATE_VERSION,
      args: [...this.args],
      env: [...this.env],
      instanceId: this.instanceId,
      principal: this.principal,
      services: [...this.services],
      input: this.input.save(),
      random: this.entropy.save(),
      gate: this.gate.save(),
      flags: this.flags,
      fds: this.fds.save(),
      fs: this.vfs.preopens.length > 0 || this.vfs.nodes.size > 0 ? this.vfs.save() as unknown as HostStateValue : null,
      fsLimit: this.vfs.limit,
      monotonicNs: this.monoNs(),
      wait: this.pendingWait == null ? null : { key: this.pendingWait.key, baseNs: this.pendingWait.baseNs }
    }
  }

  static restore (state: HostState, rt: HostRuntime): HostCore {
    const s = obj(state, 'host state')
    if (int(s.version, 'version') !== STATE_VERSION) throw new HostStateError(`unsupported host state version ${String(s.version)}`)
    const core = new HostCore(rt, {
      args: strings(s.args, 'args'),
      env: strings(s.env, 'env'),
      instanceId: str(s.instanceId, 'instanceId'),
      principal: str(s.principal, 'principal'),
      services: strings(s.services, 'services'),
      entropy: Entropy.restore(s.random)
    }, { input: InputBuffer.restore(s.input), gate: s.gate })
    core.flags = int(s.flags, 'flags')
    core.fds = FdTable.restore(s.fds, s.stdio)
    const limit = s.fsLimit != null ? int(s.fsLimit, 'fsLimit') : DEFAULT_FS_LIMIT
    const clock = (): bigint => rt.realtimeNs()
    core.vfs = s.fs != null ? Vfs.load(obj(s.fs, 'fs') as unknown as FsImage, limit, clock) : new Vfs(limit, clock)
    for (const [, e] of core.fds.entries()) {
      if (e.kind !== 'node') continue
      if (!core.vfs.nodes.has(e.ino)) throw new HostStateError(`fds: inode ${e.ino} is missing`)
      core.vfs.hold(e.ino)
    }
    core.lastMonoNs = big(s.monotonicNs, 'monotonicNs')
    core.calibrated = false
    if (s.wait != null) {
      const w = obj(s.wait, 'wait')
      core.pendingWait = { key: str(w.key, 'wait.key'), baseNs: big(w.baseNs, 'wait.baseNs') }
    }
    return core
  }
}
