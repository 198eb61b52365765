// node/fs-unixfs.ts: an FsImage preopen exported as UnixFS reads back with
// real Helia (@helia/unixfs over a MemoryBlockstore), a file's CID is the
// default importer's, import(export(x)) == x, bad input is a typed error.
import t from 'tap'
import { MemoryBlockstore } from 'blockstore-core'
import { unixfs } from '@helia/unixfs'
import * as dagCbor from '@ipld/dag-cbor'
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import * as raw from 'multiformats/codecs/raw'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { FILE_CHUNK, FsBuilder, fileBytes, walkImage, type FsImage } from '../../executor/host/vfs/image.js'
import { NotUnixFsError, UnixFsMissingBlockError, UnixFsTooLargeError, dagBlocks, exportPreopen, importUnixFs } from '../../node/fs-unixfs.js'

const enc = new TextEncoder()
const T = (s: number): [bigint, bigint, bigint] => { const ns = BigInt(s) * 1_000_000_000n + 123_456_789n; return [ns, ns, ns] }

function pattern (n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24 }
  return b
}

const big = pattern(3 * FILE_CHUNK + 1000, 7)
const sparse = new Uint8Array(2 * FILE_CHUNK + 10); sparse[2 * FILE_CHUNK + 5] = 9 // first two chunks null

function sample (): FsImage {
  const b = new FsBuilder()
  const root = b.preopen('/data', { times: T(1000) })
  b.file(root, 'hello.txt', enc.encode('hello, world\n'), T(1001))
  b.file(root, 'empty', new Uint8Array(0), T(1002))
  b.file(root, 'big.bin', big, T(1003))
  b.file(root, 'sparse.bin', sparse, T(1004))
  const sub = b.mkdir(root, 'sub', T(1005))
  b.file(sub, 'a.txt', enc.encode('A'), T(1006))
  b.symlink(sub, 'link', '../hello.txt', T(1007))
  b.mkdir(sub, 'emptydir', T(1008))
  const h = b.file(root, 'ü-名前', enc.encode('unicode'), T(1009))
  b.hardlink(sub, 'hard', h)
  return b.build()
}

async function collect (it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of it) parts.push(c)
  return new Uint8Array(Buffer.concat(parts))
}

type Flat = Record<string, { type: string, bytes?: string, target?: string, mtime?: string }>
function flat (img: FsImage, index = 0, mtimes = false): Flat {
  const out: Flat = {}
  for (const e of walkImage(img, index)) {
    if (e.type === 'file') out[e.path] = { type: 'file', bytes: Buffer.from(fileBytes(e)).toString('base64'), ...(mtimes ? { mtime: String(e.times[1]) } : {}) }
    else if (e.type === 'symlink') out[e.path] = { type: 'symlink', target: e.target, ...(mtimes ? { mtime: String(e.times[1]) } : {}) }
    else out[e.path] = { type: 'dir', ...(mtimes ? { mtime: String(e.times[1]) } : {}) }
  }
  return out
}

t.test('export reads back with @helia/unixfs; file CIDs are the importer\'s', async t => {
  const bs = new MemoryBlockstore()
  const img = sample()
  const root = await exportPreopen(img, 0, bs)
  const fs = unixfs({ blockstore: bs as any })
  const names: string[] = []
  for await (const e of fs.ls(root)) names.push(e.name)
  t.same(names.sort(), ['big.bin', 'empty', 'hello.txt', 'sparse.bin', 'sub', 'ü-名前'].sort(), 'ls names')
  const sub: string[] = []
  for await (const e of fs.ls(root, { path: 'sub' })) sub.push(e.name)
  t.same(sub.sort(), ['a.txt', 'emptydir', 'hard', 'link'])
  t.same(Buffer.from(await collect(fs.cat(root, { path: 'hello.txt' }))).toString(), 'hello, world\n', 'cat small file')
  t.same(await collect(fs.cat(root, { path: 'big.bin' })), big, 'cat 3-chunk file')
  t.same(await collect(fs.cat(root, { path: 'sparse.bin' })), sparse, 'cat sparse file (null chunks as zero leaves)')
  t.equal((await collect(fs.cat(root, { path: 'empty' }))).byteLength, 0, 'cat empty file')
  t.same(Buffer.from(await collect(fs.cat(root, { path: 'sub/hard' }))).toString(), 'unicode', 'a hard link reads as a file')
  // @helia/unixfs's stat does not name symlinks; the exporter's entry does
  const { exporter } = await import('ipfs-unixfs-exporter')
  const link = await exporter(`${root.toString()}/sub/link`, bs as any)
  t.equal(link.type === 'file' ? link.unixfs.type : link.type, 'symlink', 'symlink node')
  t.equal(link.type === 'file' ? new TextDecoder().decode(link.unixfs.data) : '', '../hello.txt', 'its target')

  // Compared with @helia/unixfs addBytes with no options: the CIDs MATCH
  // for files of up to 256 KiB (both one raw leaf; the empty file is an
  // empty raw leaf in both) and DIFFER for larger files, because
  // @helia/unixfs 8 defaults to 1 MiB chunks and 1024 links per node
  // ("match Filecoin"), while the image's chunks (and ipfs-unixfs-importer's
  // own defaults) are 256 KiB with 174 links. With those two settings
  // given to addBytes, every file's CID matches, sparse ones included.
  const other = unixfs({ blockstore: new MemoryBlockstore() as any })
  const v0layout = { chunker: fixedSize({ chunkSize: FILE_CHUNK }), layout: balanced({ maxChildrenPerNode: 174 }) }
  for (const [path, bytes] of [['hello.txt', enc.encode('hello, world\n')], ['empty', new Uint8Array(0)], ['big.bin', big], ['sparse.bin', sparse]] as const) {
    const mine = (await fs.stat(root, { path })).cid
    const theirs = await other.addBytes(bytes)
    if (bytes.byteLength <= FILE_CHUNK) t.equal(mine.toString(), theirs.toString(), `${path}: same CID as addBytes with its defaults`)
    else t.not(mine.toString(), theirs.toString(), `${path}: not the CID of addBytes with its defaults (1 MiB chunks)`)
    t.equal(mine.toString(), (await other.addBytes(bytes, v0layout)).toString(), `${path}: same CID as addBytes with 256 KiB chunks, 174 links`)
  }
  // a file's leaves are raw sha2-256 CIDv1 blocks of the image's chunks (as the snapshot stores them)
  const c0 = CID.createV1(raw.code, await sha256.digest(big.subarray(0, FILE_CHUNK)))
  t.ok(await bs.has(c0), 'chunk 0 of big.bin is stored under its raw CID')
})

t.test('a file of more than 174 chunks gets the importer\'s balanced layout and CID', async t => {
  const b = new FsBuilder()
  const r = b.preopen('/')
  const bytes = pattern(175 * FILE_CHUNK + 3, 3)
  b.file(r, 'huge', bytes)
  const bs = new MemoryBlockstore()
  const root = await exportPreopen(b.build(), 0, bs)
  const fs = unixfs({ blockstore: bs as any })
  const theirs = await unixfs({ blockstore: new MemoryBlockstore() as any }).addBytes(bytes, { chunker: fixedSize({ chunkSize: FILE_CHUNK }), layout: balanced({ maxChildrenPerNode: 174 }) })
  t.equal((await fs.stat(root, { path: 'huge' })).cid.toString(), theirs.toString(), 'same CID as addBytes with 256 KiB chunks, 174 links (two levels)')
  t.ok(Buffer.from(await collect(fs.cat(root, { path: 'huge' }))).equals(bytes), 'cat: same bytes')
})

t.test('import(export(x)) == x', async t => {
  const img = sample()
  for (const mtime of [false, true]) {
    const bs = new MemoryBlockstore()
    const root = await exportPreopen(img, 0, bs, { mtime })
    const b = new FsBuilder()
    await importUnixFs(bs, root, b, '/data')
    const back = b.build()
    t.same(flat(back, 0, mtime), flat(img, 0, mtime), `names, types, bytes, targets${mtime ? ', mtimes' : ''}`)
    t.equal(back.preopens[0].name, '/data')
    // exporting the imported tree gives the same root: a stable form
    t.equal((await exportPreopen(back, 0, new MemoryBlockstore(), { mtime })).toString(), root.toString(), 'same root again')
  }
  // dagBlocks walks every block once; they suffice to import
  const bs = new MemoryBlockstore()
  const root = await exportPreopen(img, 0, bs)
  const copy = new MemoryBlockstore()
  for await (const { cid, bytes } of dagBlocks(bs, root)) await copy.put(cid, bytes)
  const b = new FsBuilder()
  await importUnixFs(copy, root, b, '/x')
  t.same(flat(b.build()), flat(img), 'the blocks dagBlocks lists are the whole tree')
})

t.test('import reads what @helia/unixfs wrote, HAMT-sharded directories included', async t => {
  const bs = new MemoryBlockstore()
  const fs = unixfs({ blockstore: bs as any })
  const files = Array.from({ length: 300 }, (_, i) => ({ path: `d/f${i}.txt`, content: enc.encode(`file ${i}\n`) }))
  let root: CID | undefined
  for await (const r of fs.addAll([...files, { path: 'd/big', content: big }], { wrapWithDirectory: false, shardSplitThresholdBytes: 1024 } as any)) root = r.cid
  const top = dagPb.decode(await collect(bs.get(root!) as any))
  t.equal(UnixFS.unmarshal(top.Data!).type, 'hamt-sharded-directory', 'the directory is sharded')
  const b = new FsBuilder()
  await importUnixFs(bs, root!, b, '/')
  const got = flat(b.build())
  t.equal(Object.keys(got).length, 301, 'all entries of the sharded directory')
  t.equal(Buffer.from(got['f7.txt'].bytes!, 'base64').toString(), 'file 7\n')
  t.same(Buffer.from(got.big.bytes!, 'base64'), Buffer.from(big))
})

const fails = async (p: Promise<unknown>): Promise<any> => await p.then(() => undefined, err => err)
const isErr = (err: any, cls: new (...a: any[]) => any, cid: CID): boolean => err instanceof cls && err.cid === cid.toString() && String(err.message).includes(cid.toString())

t.test('bad input is a typed error naming the CID', async t => {
  const bs = new MemoryBlockstore()
  const cbor = dagCbor.encode({ not: 'unixfs' })
  const cborCid = CID.createV1(dagCbor.code, await sha256.digest(cbor))
  await bs.put(cborCid, cbor)
  t.ok(isErr(await fails(importUnixFs(bs, cborCid, new FsBuilder(), '/')), NotUnixFsError, cborCid), 'dag-cbor: NotUnixFsError naming it')
  const rawBytes = enc.encode('just bytes')
  const rawC = CID.createV1(raw.code, await sha256.digest(rawBytes))
  await bs.put(rawC, rawBytes)
  await t.rejects(importUnixFs(bs, rawC, new FsBuilder(), '/'), { name: 'NotUnixFsError', message: /not a directory/ }, 'a file is not a tree')
  await t.rejects(importUnixFs(bs, 'nonsense', new FsBuilder(), '/'), { name: 'NotUnixFsError' })

  // a missing block inside the tree
  const img = sample()
  const full = new MemoryBlockstore()
  const root = await exportPreopen(img, 0, full)
  const c1 = CID.createV1(raw.code, await sha256.digest(big.subarray(FILE_CHUNK, 2 * FILE_CHUNK)))
  const partial = new MemoryBlockstore()
  for await (const p of full.getAll()) if (!p.cid.equals(c1)) await partial.put(p.cid, await collect(full.get(p.cid) as any))
  t.ok(isErr(await fails(importUnixFs(partial, root, new FsBuilder(), '/')), UnixFsMissingBlockError, c1), 'missing chunk: UnixFsMissingBlockError naming it')
  // a block that does not match its CID
  const liar = { get: async (cid: CID) => cid.equals(c1) ? new Uint8Array(10) : await collect(full.get(cid) as any) }
  await t.rejects(importUnixFs(liar, root, new FsBuilder(), '/'), { name: 'UnixFsError', message: /does not match its hash/ })
  // bounds
  t.ok((await fails(importUnixFs(full, root, new FsBuilder(), '/', { maxBytes: 1000 }))) instanceof UnixFsTooLargeError, 'byte bound')
  t.ok((await fails(importUnixFs(full, root, new FsBuilder(), '/', { maxEntries: 3 }))) instanceof UnixFsTooLargeError, 'entry bound')
})
