/**
 * An instance's output rate (RuntimeLimits.outputBytesPerSecond): a token
 * bucket of bytes that refills at the rate, holds at most one second's worth
 * (at least 64 KiB) and starts full. A write always goes ahead (it is never
 * split or refused) and may take the bucket below zero; below zero the
 * program's next check calls interrupt, which waits (a timed wait, as a
 * writer waits on a full pipe) until the bucket is back above zero. No
 * compiler change: fd_write stays a non-blocking import.
 * The bucket lives in the worker and is not part of a snapshot: a resumed
 * instance starts with a full one (at most one burst more).
 */
const MIN_BURST = 64 * 1024

export class OutputRate {
  private tokens: number
  private at: bigint
  private readonly burst: number

  constructor (private readonly bytesPerSecond: number, now: bigint) {
    this.burst = Math.max(MIN_BURST, bytesPerSecond)
    this.tokens = this.burst
    this.at = now
  }

  private refill (now: bigint): void {
    if (now <= this.at) return
    this.tokens = Math.min(this.burst, this.tokens + Number(now - this.at) / 1e9 * this.bytesPerSecond)
    this.at = now
  }

  /** 0n when a write may go ahead now, else the nanoseconds to wait first. */
  delayNs (now: bigint): bigint {
    this.refill(now)
    if (this.tokens > 0) return 0n
    return BigInt(Math.ceil((1 - this.tokens) / this.bytesPerSecond * 1e9))
  }

  /** Count a write of `bytes`; true when it took the bucket past the rate (the writer must wait). */
  spend (bytes: number, now: bigint): boolean {
    this.refill(now)
    this.tokens -= bytes
    return this.tokens <= 0
  }
}
