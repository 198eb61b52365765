/** A node:net socket as a ByteDuplex (used where no libp2p stream is at hand, e.g. tests). */
import type { Socket } from 'node:net'
import type { ByteDuplex } from './framing.js'

export function socketDuplex (s: Socket): ByteDuplex {
  return {
    // an early exit from reading must not destroy the socket: we may still answer
    source: (async function * () { for await (const c of s.iterator({ destroyOnReturn: false })) yield new Uint8Array(c as Buffer) })(),
    write: async (b) => {
      if (s.destroyed || s.writableEnded) throw new Error('connection closed')
      if (s.write(b)) return
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error): void => { s.off('drain', done); s.off('close', closed); err != null ? reject(err) : resolve() }
        const closed = (): void => { done(new Error('connection closed')) }
        s.once('drain', done); s.once('close', closed)
      })
    },
    abort: () => { s.destroy() },
    close: async () => {
      if (s.destroyed || s.writableEnded) return
      await new Promise<void>(resolve => { s.end(() => { resolve() }); s.once('close', () => { resolve() }) })
    }
  }
}
