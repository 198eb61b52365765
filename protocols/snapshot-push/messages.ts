/**
 * Messages of the snapshot push protocol, dag-cbor encoded in frames.
 *   sender -> receiver   offer {root, blocks: [cid]}
 *   receiver -> sender   want {cids: [cid]}          (the blocks it lacks)
 *   sender -> receiver   block {cid, bytes} ...      (each verified on arrival)
 *   sender -> receiver   done
 *   receiver -> sender   ok {root} | error {message}
 */
import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
import { ProtocolError } from './errors.js'

export type Message =
  | { type: 'offer', root: CID, blocks: CID[] }
  | { type: 'want', cids: CID[] }
  | { type: 'block', cid: CID, bytes: Uint8Array }
  | { type: 'done' }
  | { type: 'ok', root: CID }
  | { type: 'error', message: string }

export function encode (m: Message): Uint8Array { return dagCbor.encode(m) }

export function decode (bytes: Uint8Array): Message {
  let m: any
  try { m = dagCbor.decode(bytes) } catch (err: any) { throw new ProtocolError(`malformed message: ${err?.message ?? err}`) }
  if (typeof m?.type !== 'string') throw new ProtocolError('message without a type')
  return m as Message
}
