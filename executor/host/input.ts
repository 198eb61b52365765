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

  push (data: Uint8Array): void {
    if (this.closed) return
    this.queue.push(data.slice())
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

  save (): HostStateValue {
    return { data: this.queue.copy(), ended: this.closed }
  }

  static restore (v: HostStateValue | undefined): InputBuffer {
    const o = obj(v, 'input')
    const b = new InputBuffer()
    b.push(bytes(o.data, 'input.data'))
    b.closed = bool(o.ended, 'input.ended')
    return b
  }
}
