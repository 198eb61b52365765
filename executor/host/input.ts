/**
 * Client input (stdin of `gate run`, and the origin service's stream): bytes
 * pushed by the runtime, consumed by fd 0 reads or origin DATA packets.
 */
import type { HostStateValue } from '../types.js'
import { bool, bytes, obj } from './state.js'
import { ByteQueue } from '../byte-queue.js'

export class InputBuffer {
  private readonly queue = new ByteQueue()
  private closed = false

  /** Queue `data`: kept, not copied (the caller gives it up: the worker's input messages are transferred buffers). */
  push (data: Uint8Array): void {
    if (this.closed) return
    this.queue.push(data)
  }

  end (): void { this.closed = true }

  /** Bytes buffered and not yet consumed. */
  get available (): number { return this.queue.size }
  /** True when input has ended (there may still be buffered bytes). */
  get ended (): boolean { return this.closed }
  /** True when a read would not block: data buffered, or end of input. */
  get readable (): boolean { return this.queue.size > 0 || this.closed }

  /** Remove and return up to `max` bytes (may be a view of the buffer's own copy). */
  take (max: number): Uint8Array { return this.queue.take(max) }

  /** Move buffered bytes straight into `dst` (a program's read buffer); returns the count. */
  takeInto (dst: Uint8Array): number { return this.queue.takeInto(dst) }

  save (): HostStateValue {
    return { data: this.queue.copy(), ended: this.closed }
  }

  static restore (v: HostStateValue | undefined): InputBuffer {
    const o = obj(v, 'input')
    const b = new InputBuffer()
    b.push(bytes(o.data, 'input.data').slice())
    b.closed = bool(o.ended, 'input.ended')
    return b
  }
}
