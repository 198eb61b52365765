/**
 * The node side of an attached instance: output and the final status go
 * out as IoFrames, stdin comes in. A StreamSink is added to the instance
 * before it starts (so no output is missed) and holds frames until the
 * response has gone out (`open()`). When the stream ends or breaks before
 * the instance does, the client is gone: a transient instance is killed, a
 * persistent one keeps running. DETACH leaves it running either way.
 */
import type { InstanceStatus } from '../../executor/index.js'
import { bytes, type MessageChannel } from '../../protocols/channel.js'
import { IoFrame } from '../../protocols/pb/gate.js'
import type { IoSink, Managed } from '../instances.js'
import { statusToWire } from './wire.js'

export class StreamSink implements IoSink {
  private held: IoFrame[] | undefined = []
  private finished = false
  private resolveDone!: () => void
  /** Resolves when the session is over (status sent, or client gone). */
  readonly done = new Promise<void>(resolve => { this.resolveDone = resolve })

  constructor (private readonly ch: MessageChannel) {}

  stdout (data: Uint8Array): void { this.frame({ kind: IoFrame.Kind.STDOUT, data: bytes(data) }) }
  stderr (data: Uint8Array): void { this.frame({ kind: IoFrame.Kind.STDERR, data: bytes(data) }) }

  status (s: InstanceStatus): void {
    if (this.finished) return
    this.finished = true
    this.frame({ kind: IoFrame.Kind.STATUS, data: new Uint8Array(0), status: statusToWire(s) })
    if (this.held == null) void this.closeAfterWrites()
  }

  moved (endpoint: string): void {
    if (this.finished) return
    this.finished = true
    this.frame({ kind: IoFrame.Kind.MOVED, data: new TextEncoder().encode(endpoint) })
    if (this.held == null) void this.closeAfterWrites()
  }

  /** The response is out: send what was held, then stream; serve input for `m`. */
  open (m: Managed): void {
    const held = this.held ?? []
    this.held = undefined
    for (const f of held) this.send(f)
    if (this.finished) { void this.closeAfterWrites(); return }
    if (m.instance == null) { this.status(m.status); return }
    void this.readInput(m)
  }

  private frame (f: IoFrame): void {
    if (this.held != null) this.held.push(f); else this.send(f)
  }

  private send (f: IoFrame): void { void this.ch.write(IoFrame, f).catch(() => {}) }

  private async closeAfterWrites (): Promise<void> {
    await this.ch.close().catch(() => {})
    this.resolveDone()
  }

  private async readInput (m: Managed): Promise<void> {
    let detached = false
    try {
      for (;;) {
        const f = await this.ch.read(IoFrame, { what: 'I/O frame' })
        if (f == null) break
        if (f.kind === IoFrame.Kind.DETACH) { detached = true; break }
        if (f.kind !== IoFrame.Kind.STDIN) continue
        if (f.data.byteLength === 0) m.instance?.end(); else m.instance?.write(f.data)
      }
    } catch {}
    if (this.finished) return
    // the client went away (or detached) while the instance runs
    m.sinks.delete(this)
    this.finished = true
    if (!detached && m.transient) await m.instance?.kill()
    if (detached) await this.ch.close().catch(() => {}); else this.ch.abort()
    this.resolveDone()
  }
}
