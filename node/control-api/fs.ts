/**
 * Filesystem routes (UnixFS trees in the node's blockstore, node/fs-trees.ts):
 * - `PUT fs/` (body: a CAR) stores its blocks, each hash checked -> `{roots}`;
 *   the CLI adds a `--dir` this way before a send;
 * - `GET fs/<cid>` -> a CAR of the tree under `cid`, fetched from peers
 *   (bitswap) as needed: `--mount` of a local run, and the write-back of a
 *   sent instance's final tree.
 */
import { CID } from 'multiformats/cid'
import { RequestError } from '../../protocols/errors.js'
import { ErrorCode } from '../../protocols/pb/gate.js'
import { carOf, putCar } from '../fs-trees.js'
import { NotUnixFsError, UnixFsError } from '../fs-unixfs.js'
import { sendJson, type ApiRequest } from './server.js'

/** At most this many bytes of blocks in one CAR (either way). */
export const MAX_CAR_BYTES = 1 << 30

export async function routeFs (r: ApiRequest): Promise<boolean> {
  if (r.path[0] !== 'fs') return false
  const { node } = r
  if (r.path.length === 1 && (r.method === 'PUT' || r.method === 'POST')) {
    const roots = await putCar(node.helia.blockstore, r.req as AsyncIterable<Uint8Array>, MAX_CAR_BYTES)
    for (const root of roots) void node.helia.routing.provide(root, { signal: AbortSignal.timeout(30_000) }).catch(() => {})
    sendJson(r.res, 201, { roots: roots.map(c => c.toString()) })
    return true
  }
  if (r.path.length === 2 && r.method === 'GET') {
    let root: CID
    try { root = CID.parse(r.path[1]) } catch { throw new RequestError(ErrorCode.BAD_REQUEST, `not a CID: ${JSON.stringify(r.path[1])}`) }
    const signal = AbortSignal.timeout(Number(r.query.get('timeout-ms') ?? 60_000))
    const it = carOf(node.helia.blockstore, root, { signal, maxBytes: MAX_CAR_BYTES })
    // the first piece (the header and the root block) decides the status: a bad root is an error reply, not a broken CAR
    let first: IteratorResult<Uint8Array>
    try {
      first = await it.next()
      if (!first.done) {
        const second = await it.next()
        r.res.writeHead(200, { 'Content-Type': 'application/vnd.ipld.car' })
        r.res.write(first.value)
        if (!second.done) r.res.write(second.value)
        if (second.done === true) { r.res.end(); return true }
      }
    } catch (err) {
      if (err instanceof NotUnixFsError) throw new RequestError(ErrorCode.BAD_REQUEST, err.message)
      if (err instanceof UnixFsError) throw new RequestError(ErrorCode.UNAVAILABLE, err.message)
      throw err
    }
    if (first.done === true) { r.res.writeHead(200, { 'Content-Type': 'application/vnd.ipld.car' }); r.res.end(); return true }
    try {
      for (;;) {
        const n = await it.next()
        if (n.done === true) break
        if (!r.res.write(n.value)) await new Promise(resolve => r.res.once('drain', resolve))
      }
      r.res.end()
    } catch (err) {
      node.log('fs %s: %s', root.toString(), (err as Error).message)
      r.res.destroy(err as Error) // the client sees a truncated CAR
    }
    return true
  }
  throw new RequestError(ErrorCode.BAD_REQUEST, 'use PUT fs/ (body: CAR) or GET fs/<cid>')
}
