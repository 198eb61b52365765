/**
 * Messages of the handover protocol, dag-cbor in frames (framing.ts):
 *
 *   source                                  target
 *   prepare {id, root, ...}            ->   (verify + compile)
 *                                      <-   prepared {leaseMs}
 *   (suspend, push the final delta)
 *   commit {root}                      ->   (decode + verify the final snapshot)
 *                                      <-   ready
 *   go                                 ->   (start it)           <- the source's point of no return
 *                                      <-   running {instance}
 *
 * A new stream may carry `resolve {id, instance}` -> `resolved {outcome}`:
 * the source asks what became of a handover after it lost the answer to
 * GO. Either side may send `working` while it is busy (a keepalive), the
 * source `abort` before GO, the target `error {code, message}` (code: an ErrorCode name) instead of
 * any answer.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { ProtocolError } from '../errors.js'
import type { WireCodec } from '../channel.js'

export type Outcome = 'running' | 'aborted'

export type HandoverMessage =
  | { type: 'prepare', id: string, root: string, clone: boolean, owner: string, instance: string, transient: boolean, leaseMs: number }
  | { type: 'prepared', leaseMs: number }
  | { type: 'commit', root: string }
  | { type: 'ready' }
  | { type: 'go' }
  | { type: 'running', instance: string }
  | { type: 'abort', reason: string }
  | { type: 'resolve', id: string, instance: string }
  | { type: 'resolved', outcome: Outcome, instance: string }
  | { type: 'working' }
  | { type: 'error', code: string, message: string }

type Fields = Record<string, 'string' | 'boolean' | 'number'>

const SHAPES: Record<HandoverMessage['type'], Fields> = {
  prepare: { id: 'string', root: 'string', clone: 'boolean', owner: 'string', instance: 'string', transient: 'boolean', leaseMs: 'number' },
  prepared: { leaseMs: 'number' },
  commit: { root: 'string' },
  ready: {},
  go: {},
  running: { instance: 'string' },
  abort: { reason: 'string' },
  resolve: { id: 'string', instance: 'string' },
  resolved: { outcome: 'string', instance: 'string' },
  working: {},
  error: { code: 'string', message: 'string' }
}

function decode (bytes: Uint8Array): HandoverMessage {
  let m: any
  try { m = dagCbor.decode(bytes) } catch (err: any) { throw new ProtocolError(`malformed handover message: ${err?.message ?? err}`) }
  const shape = SHAPES[m?.type as HandoverMessage['type']]
  if (shape == null || !Object.hasOwn(SHAPES, m.type)) throw new ProtocolError(`unknown handover message ${JSON.stringify(m?.type)}`)
  for (const [k, t] of Object.entries(shape)) {
    if (typeof m[k] !== t) throw new ProtocolError(`handover ${String(m.type)}: field ${k} is not a ${t}`)
  }
  if (m.type === 'resolved' && m.outcome !== 'running' && m.outcome !== 'aborted') throw new ProtocolError(`unknown outcome ${JSON.stringify(m.outcome)}`)
  return m as HandoverMessage
}

/** The codec for MessageChannel. */
export const HandoverCodec: WireCodec<HandoverMessage> = { encode: (m) => dagCbor.encode(m), decode }
