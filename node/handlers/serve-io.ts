/**
 * The node side of an attached instance: output and the final status go
 * out as IoFrames, stdin comes in. A StreamSink is added to the instance
 * before it starts (so no output is missed) and holds frames until the
 * response has gone out (`open()`). When the stream ends or breaks before
 * the instance does, the client is gone: a transient instance is killed, a
 * persistent one keeps running. DETACH leaves it running either way.
 */
import type { InstanceStatus } from '../../executor/index.js'
import type { MessageChannel } from '../../protocols/channel.js'
import { IO_DATA_MAX, IoDataCodec, takeData, type IoData } from '../../protocols/io-session.js'
import { IoFrame } from '../../protocols/pb/gate.js'
import type { IoSink, Managed } from '../instances.js'
import { statusToWire } from './wire.js'

/** An output frame waiting to be written: data (merged while it waits) or a control frame. */
type Out = { data: IoData } | { frame: IoFrame }

export class StreamSink implements IoSink {
  private held: Out[] | undefined = []
  /** Frames not yet handed to the channel, in order; written one at a time. */
  private readonly out: Out[] = []
  private writing: Promise<void> | undefined
  private finished = false
  private resolveDone!: () => void
  /** Resolves when the session is over (status sent, or client gone). */
  readonly done = new Promise<void>(resolve => { this.resolveDone = resolve })

  constructor (private readonly ch: MessageChannel) {}

  stdout (data: Uint8Array): void { this.data(IoFrame.Kind.STDOUT, data) }
  stderr (data: Uint8Array): void { this.data(IoFrame.Kind.STDERR, data) }

  status (s: InstanceStatus): void {
    if (this.finished) return
    this.finished = true
    this.frame({ frame: { kind: IoFrame.Kind.STATUS, data: new Uint8Array(0), status: statusToWire(s) } })
    if (this.held == null) void this.closeAfterWrites()
  }

  moved (endpoint: string): void {
    if (this.finished) return
    this.finished = true
    this.frame({ frame: { kind: IoFrame.Kind.MOVED, data: new TextEncoder().encode(endpoint) } })
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

  private frame (f: Out): void {
    if (this.held != null) this.held.push(f); else this.send(f)
  }

  /**
   * Output data (kept, not copied, until it is written): appended to the
   * data frame that waits last if it is of the same kind and has room, so
   * output that arrives while a frame is being written goes as one frame.
   */
  private data (kind: IoData['kind'], d: Uint8Array): void {
    if (d.byteLength === 0) return
    const q = this.held ?? this.out
    const last = q[q.length - 1]
    if (last != null && 'data' in last && last.data.kind === kind && last.data.n + d.byteLength <= IO_DATA_MAX) {
      last.data.parts.push(d)
      last.data.n += d.byteLength
      return
    }
    this.frame({ data: { kind, parts: [d], n: d.byteLength } })
  }

  private send (f: Out): void {
    this.out.push(f)
    this.writing ??= this.writeOut()
  }

  /** Write the waiting frames in order; what arrives in this event-loop turn joins them first. */
  private async writeOut (): Promise<void> {
    await new Promise<void>(resolve => setImmediate(resolve))
    for (let f = this.out.shift(); f != null; f = this.out.shift()) {
      if ('frame' in f) { await this.ch.write(IoFrame, f.frame).catch(() => {}); continue }
      while (f.data.n > 0) await this.ch.write(IoDataCodec, takeData(f.data, IO_DATA_MAX)).catch(() => {})
    }
    this.writing = undefined
  }

  private async closeAfterWrites (): Promise<void> {
    while (this.writing != null) await this.writing
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
