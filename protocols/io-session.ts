/**
 * The client side of an attached instance: stdout/stderr/status arrive as
 * IoFrames; stdin goes out as IoFrames (empty = end of input). Used after a
 * successful deploy (attach=true) or attach request.
 */
import { EventEmitter } from 'node:events'
import { bytes, type MessageChannel } from './channel.js'
import { IoFrame, type Status } from './pb/gate.js'

export interface IoSessionEvents {
  stdout: [Uint8Array]
  stderr: [Uint8Array]
  /** The instance moved to another node: re-attach at "<peer-id>/<instance>". */
  moved: [string]
}

export class IoSession extends EventEmitter<IoSessionEvents> {
  /** Resolves with the final status; rejects if the stream breaks first. */
  readonly done: Promise<Status>

  constructor (private readonly ch: MessageChannel, readonly instance: string) {
    super()
    this.done = this.pump()
    this.done.catch(() => {})
  }

  /**
   * The final status; `state: 'moved'` (with the new "<peer-id>/<instance>"
   * in `error`) when the instance migrated: re-attach there to follow it.
   */
  private async pump (): Promise<Status> {
    let moved: string | undefined
    for (;;) {
      const f = await this.ch.read(IoFrame, { what: 'I/O frame' })
      if (f == null) {
        if (moved != null) return { state: 'moved', cause: '', result: 0, error: moved, files: [] }
        throw new Error('the node closed the stream before the instance ended')
      }
      switch (f.kind) {
        case IoFrame.Kind.STDOUT: this.emit('stdout', f.data); break
        case IoFrame.Kind.STDERR: this.emit('stderr', f.data); break
        case IoFrame.Kind.MOVED: moved = new TextDecoder().decode(f.data); this.emit('moved', moved); break
        case IoFrame.Kind.STATUS:
          await this.ch.close().catch(() => {})
          return f.status ?? { state: 'killed', cause: 'INTERNAL', result: 0, error: 'no status', files: [] }
      }
    }
  }

  async write (data: Uint8Array): Promise<void> {
    if (data.byteLength === 0) return
    for (let o = 0; o < data.byteLength; o += 65536) {
      await this.ch.write(IoFrame, { kind: IoFrame.Kind.STDIN, data: bytes(data.subarray(o, o + 65536)) })
    }
  }

  async end (): Promise<void> { await this.ch.write(IoFrame, { kind: IoFrame.Kind.STDIN, data: new Uint8Array(0) }) }

  /** Stop receiving output; a persistent instance keeps running. */
  async detach (): Promise<void> {
    await this.ch.write(IoFrame, { kind: IoFrame.Kind.DETACH, data: new Uint8Array(0) }).catch(() => {})
    await this.ch.close().catch(() => {})
  }

  /** Drop the stream (a transient instance is then killed by its node). */
  abort (): void { this.ch.abort() }
}
