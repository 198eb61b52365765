/**
 * Write-behind for the snapshot blockstore: a put is in memory (readable,
 * counted as present, its hash trusted like the cache's) at once and goes
 * to disk in the background, a few writes at a time, once puts pause. Migration encodes,
 * pushes and receives hundreds of 256 KiB blocks within moments; waiting
 * for one file per block made disk latency the larger part of a push.
 * Whoever needs the blocks on disk calls flush(): before writing a
 * suspended-instance record, before announcing a snapshot, on stop.
 */
import type { CID } from 'multiformats/cid'
import type { Blockstore } from '../executor/snapshot/index.js'

/** Disk writes in flight at once. */
export const WRITE_BEHIND_CONCURRENCY = 8
/** Bytes waiting for the disk before put() waits too (backpressure). */
export const WRITE_BEHIND_MAX_BYTES = 256 * 1024 * 1024
/**
 * Writes start once puts pause for this long (or a flush asks, or half the
 * budget is used): a migration's blocks go to disk after its downtime, not
 * on the CPU it needs.
 */
export const WRITE_BEHIND_QUIET_MS = 250

export interface FlushableBlockstore extends Blockstore {
  flush: () => Promise<void>
}

export function writeBehind (inner: Blockstore, onError: (cid: CID, err: Error) => void = () => {}): FlushableBlockstore {
  const pending = new Map<string, { cid: CID, bytes: Uint8Array }>()
  const queue: string[] = []
  let pendingBytes = 0
  let writing = 0
  let failure: Error | undefined
  let waiters: Array<() => void> = []
  const wake = (): void => { const w = waiters; waiters = []; for (const f of w) f() }
  let urgent = false
  let quiet: NodeJS.Timeout | undefined
  const later = (): void => {
    if (quiet != null) clearTimeout(quiet)
    quiet = setTimeout(() => { quiet = undefined; urgent = true; pump() }, WRITE_BEHIND_QUIET_MS)
    quiet.unref()
  }
  const pump = (): void => {
    if (!urgent && pendingBytes < WRITE_BEHIND_MAX_BYTES / 2) { later(); return }
    while (writing < WRITE_BEHIND_CONCURRENCY && queue.length > 0) {
      const k = queue.shift()!
      const p = pending.get(k)
      if (p == null) continue
      writing++
      // no has() first: a put of a block the store holds is a no-op there (Helia's put asks has() itself), and one more stat per block was the main thread's
      void (async () => { await inner.put(p.cid, p.bytes) })().catch((err: Error) => { failure ??= err; onError(p.cid, err) }).finally(() => {
        writing--
        pending.delete(k)
        pendingBytes -= p.bytes.byteLength
        if (queue.length === 0 && writing === 0) urgent = false
        pump()
        wake()
      })
    }
  }
  const idle = async (cond: () => boolean): Promise<void> => {
    while (!cond()) await new Promise<void>(resolve => { waiters.push(resolve) })
  }
  return {
    has: async (cid) => pending.has(cid.toString()) || await inner.has(cid),
    get: async (cid, opts) => pending.get(cid.toString())?.bytes ?? await inner.get(cid, opts),
    peekVerified: (cid) => pending.get(cid.toString())?.bytes ?? inner.peekVerified?.(cid),
    put: async (cid, bytes) => {
      const k = cid.toString()
      if (pending.has(k)) return
      await idle(() => pendingBytes < WRITE_BEHIND_MAX_BYTES)
      pending.set(k, { cid, bytes })
      pendingBytes += bytes.byteLength
      queue.push(k)
      pump()
    },
    flush: async () => {
      urgent = true
      pump()
      await idle(() => pending.size === 0)
      const err = failure
      failure = undefined
      if (err != null) throw err
    }
  }
}
