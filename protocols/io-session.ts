/**
 * The client side of an attached instance: stdout/stderr/status arrive as
 * IoFrames; stdin goes out as IoFrames (empty = end of input). Used after a
 * successful deploy (attach=true) or attach request.
 */
import { EventEmitter } from 'node:events'
import type { MessageChannel, WireCodec } from './channel.js'
import { framePayload } from './framing.js'
import { MAX_IO_FRAME } from './ids.js'
import { IoFrame, type Status } from './pb/gate.js'

/**
 * Most data bytes in one IoFrame: the frame (with its few bytes of
 * protobuf) stays within MAX_IO_FRAME, the limit both sides read with.
 * Data that waits while a frame is being written is sent as one frame of
 * up to this much: fewer, larger frames mean fewer muxer frames, window
 * updates, Noise messages and socket writes per byte.
 */
export const IO_DATA_MAX = MAX_IO_FRAME - 64

/** Data of one kind waiting to go out as one IoFrame. */
export interface IoData { kind: IoFrame.Kind.STDIN | IoFrame.Kind.STDOUT | IoFrame.Kind.STDERR, parts: Uint8Array[], n: number }

/** The wire numbers of the data kinds (gate.proto). */
const DATA_KIND = { [IoFrame.Kind.STDIN]: 0, [IoFrame.Kind.STDOUT]: 1, [IoFrame.Kind.STDERR]: 2 }

/**
 * IoFrame {kind, data} encoded as protons encodes it (kind omitted when 0,
 * data when empty) straight from the parts into a frame buffer: one copy,
 * not one to join the parts, one to encode and one to prefix the length.
 */
export const IoDataCodec: WireCodec<IoData> = {
  encode: ({ kind: k, parts, n }) => {
    const kind = DATA_KIND[k]
    let lenBytes = 1
    for (let v = n; v >= 0x80; v >>>= 7) lenBytes++
    const out = framePayload((kind !== 0 ? 2 : 0) + (n > 0 ? 1 + lenBytes + n : 0))
    let o = 0
    if (kind !== 0) { out[o++] = 0x08; out[o++] = kind }
    if (n > 0) {
      out[o++] = 0x12
      let v = n
      while (v >= 0x80) { out[o++] = (v & 0x7f) | 0x80; v >>>= 7 }
      out[o++] = v
      for (const p of parts) { out.set(p, o); o += p.byteLength }
    }
    return out
  },
  decode: () => { throw new Error('IoDataCodec only encodes') }
}

/** Up to `max` bytes from the front of `d` (as views), removed from it. */
export function takeData (d: IoData, max: number): IoData {
  if (d.n <= max) { const all = { ...d }; d.parts = []; d.n = 0; return all }
  const parts: Uint8Array[] = []
  let n = 0
  while (n < max) {
    const p = d.parts[0]
    const k = Math.min(p.byteLength, max - n)
    parts.push(k === p.byteLength ? p : p.subarray(0, k))
    if (k === p.byteLength) d.parts.shift(); else d.parts[0] = p.subarray(k)
    n += k
  }
  d.n -= n
  return { kind: d.kind, parts, n }
}

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

  private readonly input: IoData = { kind: IoFrame.Kind.STDIN, parts: [], n: 0 }
  private sending: Promise<void> | undefined
  private sendError: Error | undefined

  /**
   * Send `data` (kept, not copied, until it is sent) as stdin. Input that
   * arrives while a frame is being written waits and goes as one frame (up
   * to IO_DATA_MAX); the promise resolves at once unless a frame's worth
   * waits already, then when it has been written. Rejects if the stream broke.
   */
  async write (data: Uint8Array): Promise<void> {
    if (this.sendError != null) throw this.sendError
    if (data.byteLength === 0) return
    this.input.parts.push(data)
    this.input.n += data.byteLength
    this.sending ??= this.sendInput()
    if (this.input.n >= IO_DATA_MAX) await this.flushed()
  }

  /** Until no input waits; rejects if the stream broke. */
  private async flushed (): Promise<void> {
    while (this.sending != null) await this.sending
    if (this.sendError != null) throw this.sendError
  }

  private async sendInput (): Promise<void> {
    // what else arrives in this event-loop turn goes in the same frame
    await new Promise<void>(resolve => setImmediate(resolve))
    try {
      while (this.input.n > 0) await this.ch.write(IoDataCodec, takeData(this.input, IO_DATA_MAX))
    } catch (err) {
      this.sendError = err as Error
    } finally {
      this.sending = undefined
    }
  }

  async end (): Promise<void> {
    await this.flushed()
    await this.ch.write(IoFrame, { kind: IoFrame.Kind.STDIN, data: new Uint8Array(0) })
  }

  /** Stop receiving output; a persistent instance keeps running. */
  async detach (): Promise<void> {
    await this.flushed().catch(() => {})
    await this.ch.write(IoFrame, { kind: IoFrame.Kind.DETACH, data: new Uint8Array(0) }).catch(() => {})
    await this.ch.close().catch(() => {})
  }

  /** Drop the stream (a transient instance is then killed by its node). */
  abort (): void { this.ch.abort() }
}
