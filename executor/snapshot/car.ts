/**
 * The single-file form of a snapshot: a CARv1 file (IPFS's content archive)
 * whose root is the snapshot root, holding every block it links to.
 */
import { CarReader, CarWriter } from '@ipld/car'
import type { CID } from 'multiformats/cid'
import { MemoryBlockstore, type Blockstore } from './blockstore.js'
import { decodeSnapshot, encodeSnapshot, listBlocks, verifyBlock, type Decoded, type EncodeOptions } from './format.js'
import { SnapshotCorruptError } from './errors.js'
import type { InstanceSnapshot } from '../types.js'

/** All blocks of a snapshot as CAR bytes. */
export async function exportCar (root: CID, store: Blockstore): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create([root])
  const parts: Uint8Array[] = []
  const collected = (async () => { for await (const p of out) parts.push(p) })()
  for (const cid of await listBlocks(root, store)) await writer.put({ cid: cid as any, bytes: await store.get(cid) })
  await writer.close()
  await collected
  const total = parts.reduce((a, p) => a + p.byteLength, 0)
  const bytes = new Uint8Array(total)
  let o = 0
  for (const p of parts) { bytes.set(p, o); o += p.byteLength }
  return bytes
}

/** Put a CAR's blocks into a store (each verified against its CID); returns the root. */
export async function importCar (bytes: Uint8Array, store: Blockstore): Promise<CID> {
  let reader: CarReader
  try {
    reader = await CarReader.fromBytes(bytes)
  } catch (err: any) {
    throw new SnapshotCorruptError(`not a snapshot file (CAR): ${err?.message ?? err}`)
  }
  const roots = await reader.getRoots()
  if (roots.length !== 1) throw new SnapshotCorruptError(`a snapshot file has one root, this has ${roots.length}`)
  for await (const { cid, bytes: b } of reader.blocks()) {
    if (!verifyBlock(cid as any, b)) throw new SnapshotCorruptError(`block ${cid.toString()} does not match its hash`)
    await store.put(cid as any, b)
  }
  return roots[0] as any
}

/** Snapshot -> single-file bytes. */
export async function snapshotToBytes (s: InstanceSnapshot, opts: EncodeOptions = {}): Promise<Uint8Array> {
  const store = new MemoryBlockstore()
  const { root } = await encodeSnapshot(s, store, opts)
  return await exportCar(root, store)
}

/** Single-file bytes -> snapshot (every block verified). */
export async function snapshotFromBytes (bytes: Uint8Array): Promise<Decoded> {
  const store = new MemoryBlockstore()
  const root = await importCar(bytes, store)
  return await decodeSnapshot(root, store)
}
