/**
 * Control messages of the snapshot push protocol, dag-cbor in control
 * frames (frames.ts); blocks and patches have frames of their own.
 *   sender -> receiver   offer {root, blocks: [cid], bases?: [cid | null]}
 *                        (bases[i]: an earlier version of blocks[i] the receiver may have)
 *   receiver -> sender   want {cids: [cid], patch: [cid | null]}
 *                        (the blocks it lacks; patch[j]: the base it has for cids[j])
 *   sender -> receiver   block {cid, bytes} | patch {cid, base, ranges} ...
 *                        (each verified against its CID on arrival)
 *   sender -> receiver   done
 *   receiver -> sender   ok {root} | error {message}
 */
import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
import { ProtocolError } from './errors.js'

export type Message =
  | { type: 'offer', root: CID, blocks: CID[], bases?: Array<CID | null> }
  | { type: 'want', cids: CID[], patch: Array<CID | null> }
  | { type: 'done' }
  | { type: 'ok', root: CID }
  | { type: 'error', message: string }

export function encode (m: Message): Uint8Array { return dagCbor.encode(m) }

export function decode (bytes: Uint8Array): Message {
  let m: any
  try { m = dagCbor.decode(bytes) } catch (err: any) { throw new ProtocolError(`malformed message: ${err?.message ?? err}`) }
  if (typeof m?.type !== 'string') throw new ProtocolError('message without a type')
  if (m.type === 'offer' && (!Array.isArray(m.blocks) || (m.bases != null && (!Array.isArray(m.bases) || m.bases.length !== m.blocks.length)))) throw new ProtocolError('malformed offer')
  if (m.type === 'want' && (!Array.isArray(m.cids) || !Array.isArray(m.patch) || m.patch.length !== m.cids.length)) throw new ProtocolError('malformed want')
  return m as Message
}
