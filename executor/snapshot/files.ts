/**
 * An instance's files in a snapshot: the host state carries the virtual
 * filesystem (executor/host/vfs/image.ts) with each file as a list of
 * 256 KiB chunks. In the stored snapshot each chunk is a raw block (CIDv1,
 * sha2-256, as memory chunks and as the UnixFS importer's default leaves)
 * and the host state links to it, so an unchanged file chunk is stored and
 * sent once, and a second snapshot of the same instance adds only the file
 * chunks that changed. Older snapshots (no filesystem) pass through as they are.
 */
import { CID } from 'multiformats/cid'
import { SnapshotCorruptError } from './errors.js'
import { FILE_CHUNK } from '../host/vfs/image.js'

type Put = (cid: CID, bytes: Uint8Array) => Promise<CID>
type Get = (cid: CID) => Promise<Uint8Array>
type Chunk = Uint8Array | CID | null

/** The file nodes of a saved host state ({abi: {fs: {nodes}}}), if it has a filesystem. */
function fileNodes (host: any): Array<{ chunks: Chunk[], size: unknown }> {
  const nodes = host?.abi?.fs?.nodes
  if (!Array.isArray(nodes)) return []
  return nodes.filter((n: any) => n?.type === 'file' && Array.isArray(n.chunks))
}

/**
 * A copy of `host` whose file chunks are CIDs (each chunk put with `put`);
 * the caller's state is not changed.
 */
export async function linkFiles (host: any, put: Put, rawCid: (b: Uint8Array) => CID): Promise<any> {
  if (fileNodes(host).length === 0) return host
  const out = { ...host, abi: { ...host.abi, fs: { ...host.abi.fs, nodes: [...host.abi.fs.nodes] } } }
  const nodes = out.abi.fs.nodes as any[]
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]
    if (n?.type !== 'file' || !Array.isArray(n.chunks)) continue
    const chunks: Array<CID | null> = []
    for (const c of n.chunks as Chunk[]) {
      if (c == null) chunks.push(null)
      else if (c instanceof Uint8Array) chunks.push(await put(rawCid(c), c.slice()))
      else chunks.push(c)
    }
    nodes[i] = { ...n, chunks }
  }
  return out
}

/** The other way: fetch each linked chunk (in place: `host` is a freshly decoded value). */
export async function loadFiles (host: any, get: Get): Promise<void> {
  for (const n of fileNodes(host)) {
    for (let i = 0; i < n.chunks.length; i++) {
      const c = CID.asCID(n.chunks[i])
      if (c == null) continue
      const b = await get(c)
      if (b.byteLength > FILE_CHUNK) throw new SnapshotCorruptError(`file chunk ${c.toString()} is larger than ${FILE_CHUNK} bytes`)
      n.chunks[i] = b
    }
  }
}

/** Every file chunk CID the host state links to. */
export function fileBlocks (host: any): CID[] {
  const out: CID[] = []
  for (const n of fileNodes(host)) for (const c of n.chunks) { const cid = CID.asCID(c); if (cid != null) out.push(cid) }
  return out
}
