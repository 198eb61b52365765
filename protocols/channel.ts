/**
 * A request/response channel of protobuf messages over a byte duplex: each
 * message is one length-prefixed frame (framing.ts). Reads have a size
 * limit (checked before buffering) and a deadline; a malformed message is a
 * ProtocolError naming what was expected.
 */
import { readFrames, writeFrame, type ByteDuplex } from './framing.js'
import { PeerClosedError, ProtocolError, TimeoutError } from './errors.js'

/** A generated protons message namespace (encode/decode). */
export interface WireCodec<T> {
  encode: (obj: T) => Uint8Array
  decode: (buf: Uint8Array) => T
}

/** Bytes as the generated message types want them. */
export function bytes (b: Uint8Array): Uint8Array<ArrayBuffer> { return b as Uint8Array<ArrayBuffer> }

export interface ChannelInit {
  /** Largest frame accepted from the remote side. */
  maxFrame: number
}

export class MessageChannel {
  private readonly frames: AsyncGenerator<Uint8Array>
  private writing: Promise<void> = Promise.resolve()

  constructor (readonly duplex: ByteDuplex, init: ChannelInit) {
    this.frames = readFrames(duplex.source, init.maxFrame)
  }

  /**
   * The next message, or undefined at a clean end of stream. Rejects with
   * TimeoutError after `timeoutMs` (the stream is aborted then), with
   * FrameTooLargeError, UnexpectedEndError or ProtocolError on bad input.
   */
  async read<T> (codec: WireCodec<T>, opts: { timeoutMs?: number, signal?: AbortSignal, what?: string } = {}): Promise<T | undefined> {
    const next = this.frames.next()
    let timer: NodeJS.Timeout | undefined
    let onAbort: (() => void) | undefined
    const guards: Array<Promise<never>> = []
    if (opts.timeoutMs != null && opts.timeoutMs > 0) {
      guards.push(new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => { reject(new TimeoutError(`no ${opts.what ?? 'message'} within ${opts.timeoutMs} ms`)) }, opts.timeoutMs)
      }))
    }
    if (opts.signal != null) {
      const signal = opts.signal
      guards.push(new Promise<never>((_resolve, reject) => {
        onAbort = () => { reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')) }
        if (signal.aborted) onAbort(); else signal.addEventListener('abort', onAbort, { once: true })
      }))
    }
    try {
      const r = await Promise.race([next, ...guards])
      if (r.done === true) return undefined
      try {
        return codec.decode(r.value)
      } catch (err) {
        throw new ProtocolError(`malformed ${opts.what ?? 'message'}: ${(err as Error).message}`)
      }
    } catch (err) {
      if (err instanceof TimeoutError || opts.signal?.aborted === true) this.duplex.abort?.()
      throw err
    } finally {
      if (timer != null) clearTimeout(timer)
      if (onAbort != null) opts.signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Like read(), but the end of the stream is an error too. */
  async expect<T> (codec: WireCodec<T>, opts: { timeoutMs?: number, signal?: AbortSignal, what?: string } = {}): Promise<T> {
    const m = await this.read(codec, opts)
    if (m === undefined) throw new PeerClosedError(`stream ended before the ${opts.what ?? 'message'}`)
    return m
  }

  /** Send one message; writes are serialized. */
  async write<T> (codec: WireCodec<T>, msg: T): Promise<void> {
    const bytes = codec.encode(msg)
    const w = this.writing.then(async () => { await writeFrame(this.duplex, bytes) })
    this.writing = w.catch(() => {})
    await w
  }

  async close (): Promise<void> {
    await this.writing
    await this.duplex.close()
  }

  abort (): void { this.duplex.abort?.() }
}
