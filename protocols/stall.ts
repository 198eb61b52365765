/**
 * Stall deadlines for a byte duplex. A link that is cut silently (packets
 * vanish, no RST) leaves a read waiting forever and, once the windows are
 * full, a write too. The guard measures only time spent waiting on the
 * peer (a read or write in progress): when nothing moves for `stallMs`
 * while we wait, the duplex is aborted and the waiting call rejects with
 * StallError. Time we spend on our own work does not count.
 */
import type { ByteDuplex } from './framing.js'

/** No progress on a stream for longer than its stall deadline. */
export class StallError extends Error {
  static name = 'StallError'
  constructor (readonly what: string, readonly stallMs: number) {
    super(`${what}: no progress for ${stallMs} ms (link cut or peer stuck)`)
    this.name = 'StallError'
  }
}

export interface StallGuardInit {
  stallMs: number
  /** What the stream is for, in the error message ("snapshot push to <peer>"). */
  what: string
  /** Aborting it aborts the duplex too; its reason is what waiting calls reject with. */
  signal?: AbortSignal
}

export interface GuardedDuplex extends ByteDuplex {
  /** Aborted on a stall (reason: StallError) or when the caller's signal aborts. */
  readonly signal: AbortSignal
  /** Stop the clock (call when done with the stream). */
  dispose: () => void
}

/** Wrap `d` so that waiting on the peer for longer than `stallMs` fails. */
export function guardDuplex (d: ByteDuplex, init: StallGuardInit): GuardedDuplex {
  const ctl = new AbortController()
  let pending = 0
  let last = performance.now()
  const tick = Math.max(10, Math.floor(init.stallMs / 5))
  const timer = setInterval(() => {
    if (pending > 0 && performance.now() - last > init.stallMs) stop(new StallError(init.what, init.stallMs))
  }, tick)
  timer.unref()
  const stop = (reason: unknown): void => {
    clearInterval(timer)
    if (ctl.signal.aborted) return
    ctl.abort(reason)
    d.abort?.()
  }
  const onParent = (): void => { stop(init.signal?.reason) }
  if (init.signal?.aborted === true) onParent(); else init.signal?.addEventListener('abort', onParent, { once: true })
  const failed = new Promise<never>((_resolve, reject) => {
    ctl.signal.addEventListener('abort', () => { reject(ctl.signal.reason instanceof Error ? ctl.signal.reason : new Error('aborted')) }, { once: true })
  })
  failed.catch(() => {})
  const waiting = async <T>(p: Promise<T>): Promise<T> => {
    if (pending++ === 0) last = performance.now()
    try {
      return await Promise.race([p, failed])
    } finally {
      pending--
      last = performance.now()
    }
  }
  const it = d.source[Symbol.asyncIterator]()
  return {
    signal: ctl.signal,
    source: (async function * () {
      for (;;) {
        ctl.signal.throwIfAborted()
        const r = await waiting(it.next())
        if (r.done === true) return
        yield r.value
      }
    })(),
    write: async (bytes) => { ctl.signal.throwIfAborted(); await waiting(d.write(bytes)) },
    close: async () => { await waiting(d.close()) },
    abort: () => { stop(new Error('aborted by local side')) },
    dispose: () => {
      clearInterval(timer)
      init.signal?.removeEventListener('abort', onParent)
    }
  }
}
