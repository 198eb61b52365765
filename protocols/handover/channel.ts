/**
 * A handover stream: framed messages over a stall-guarded duplex. Reads
 * skip keepalives, turn the peer's `error` into RemoteError and fail with
 * StallError when the peer goes silent; `keepAlive()` sends `working`
 * while this side is busy.
 */
import { MessageChannel } from '../channel.js'
import { PeerClosedError, RemoteError, ProtocolError } from '../errors.js'
import type { ByteDuplex } from '../framing.js'
import { MAX_CONTROL_FRAME } from '../ids.js'
import { ErrorCode } from '../pb/gate.js'
import { guardDuplex, type GuardedDuplex } from '../stall.js'
import { KEEPALIVE_MS } from './constants.js'
import { HandoverCodec, type HandoverMessage } from './messages.js'

export type Of<T extends HandoverMessage['type']> = Extract<HandoverMessage, { type: T }>

export interface ReadOptions {
  /** Overall deadline for this message, on top of the stall deadline. */
  timeoutMs?: number
  signal?: AbortSignal
}

export class HandoverChannel {
  private readonly guard: GuardedDuplex
  private readonly ch: MessageChannel

  constructor (d: ByteDuplex, init: { stallMs: number, what: string, signal?: AbortSignal }) {
    this.guard = guardDuplex(d, init)
    this.ch = new MessageChannel(this.guard, { maxFrame: MAX_CONTROL_FRAME })
  }

  get signal (): AbortSignal { return this.guard.signal }

  async send (m: HandoverMessage): Promise<void> { await this.ch.write(HandoverCodec, m) }

  /** The next message that is not a keepalive; undefined at a clean end. */
  async next (opts: ReadOptions = {}): Promise<HandoverMessage | undefined> {
    const deadline = opts.timeoutMs != null ? performance.now() + opts.timeoutMs : undefined
    for (;;) {
      const timeoutMs = deadline != null ? Math.max(1, deadline - performance.now()) : undefined
      const m = await this.ch.read(HandoverCodec, { what: 'handover message', timeoutMs, signal: opts.signal })
      if (m?.type !== 'working') return m
    }
  }

  /** The next message, which must be `type` (or the peer's error). */
  async expect<T extends HandoverMessage['type']> (type: T, opts: ReadOptions = {}): Promise<Of<T>> {
    const m = await this.next(opts)
    if (m == null) throw new PeerClosedError(`handover stream ended before ${type}`)
    if (m.type === 'error') throw new RemoteError(Object.values(ErrorCode).includes(m.code as ErrorCode) ? m.code as ErrorCode : ErrorCode.INTERNAL, m.message)
    if (m.type !== type) throw new ProtocolError(`expected ${type}, got ${m.type}`)
    return m as Of<T>
  }

  /** Send `working` every KEEPALIVE_MS until the returned function is called. */
  keepAlive (): () => void {
    const t = setInterval(() => { void this.send({ type: 'working' }).catch(() => {}) }, KEEPALIVE_MS)
    t.unref()
    return () => { clearInterval(t) }
  }

  async close (): Promise<void> {
    try { await this.ch.close() } finally { this.guard.dispose() }
  }

  abort (): void { this.guard.abort?.(); this.guard.dispose() }
}
