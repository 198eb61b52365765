/**
 * @packageDocumentation
 * Content-addressed snapshots: encode to / decode from a block store,
 * incremental by construction, and a single-file (CAR) form.
 */
export { CHUNK_SIZE, FORMAT_VERSION, hibernationChunkSize, PUT_CONCURRENCY, PutQueue, encodeSnapshot, decodeSnapshot, decodeSparseSnapshot, listBlocks, rawCid, verifyBlock, type EncodeOptions, type EncodeResult, type Decoded, type DecodeOptions } from './format.js'
export { exportCar, importCar, snapshotToBytes, snapshotFromBytes } from './car.js'
export { MemoryBlockstore, FsBlockstore, type Blockstore } from './blockstore.js'
export * from './errors.js'
