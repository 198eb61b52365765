/**
 * Deterministic random stream for random_get and the random service:
 * block i = sha256(seed || u64le(i)). The position is part of saved state,
 * so a restored instance continues the same stream.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { HostStateValue } from '../types.js'
import { big, bytes, obj } from './state.js'

const BLOCK = 32

export class Entropy {
  private pos: bigint

  constructor (readonly seed: Uint8Array = randomBytes(32), pos = 0n) {
    this.seed = seed.slice()
    this.pos = pos
  }

  private block (i: bigint): Uint8Array {
    const ctr = new Uint8Array(8)
    new DataView(ctr.buffer).setBigUint64(0, i, true)
    return createHash('sha256').update(this.seed).update(ctr).digest()
  }

  /** The next `n` bytes of the stream. */
  take (n: number): Uint8Array {
    const out = new Uint8Array(n)
    let off = 0
    while (off < n) {
      const b = this.pos / BigInt(BLOCK)
      const skip = Number(this.pos % BigInt(BLOCK))
      const k = Math.min(BLOCK - skip, n - off)
      out.set(this.block(b).subarray(skip, skip + k), off)
      off += k
      this.pos += BigInt(k)
    }
    return out
  }

  save (): HostStateValue { return { seed: this.seed.slice(), pos: this.pos } }

  static restore (v: HostStateValue | undefined): Entropy {
    const o = obj(v, 'random')
    return new Entropy(bytes(o.seed, 'random.seed'), big(o.pos, 'random.pos'))
  }
}
