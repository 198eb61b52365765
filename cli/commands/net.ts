/**
 * Commands that talk to the local node's control API: id, peers, connect,
 * publish, send/run-by-CID, msg, messages, instances, kill/suspend/resume/io,
 * services. Results go to stdout (JSON with --json), diagnostics to stderr.
 */
import { readFile } from 'node:fs/promises'
import { sha256hex } from '../../compiler/hash.js'
import { FrameKind } from '../../node/control-api/frames.js'
import type { InstanceStatus } from '../../executor/index.js'
import { ControlClient, type Frame } from '../client.js'
import { UsageError } from '../errors.js'
import { describe, exit, exitCode } from '../io.js'
import { CarBlockIterator, CarWriter } from '@ipld/car'
import { MemoryBlockstore } from 'blockstore-core'
import { CID } from 'multiformats/cid'
import { FsBuilder, type FsImage } from '../../executor/host/vfs/image.js'
import { dagBlocks, exportImage, importUnixFs } from '../../node/fs-unixfs.js'
import { loadHostDir, parseDirSpec, writeBack, type LoadedDir } from '../host-dir.js'

export interface NetFlags {
  dataDir: string
  json: boolean
  peer?: string
  env: string[]
  entry?: string
  stdin: boolean
  persist: boolean
  progress: boolean
  /** msg: a program on the peer (name or instance ID) instead of the node. */
  to?: string
  /** send/launch: --dir HOST[::GUEST][:ro], added to the node as UnixFS and preopened there. */
  dirs?: string[]
  /** run/send/launch: --mount CID::GUEST[:ro], a UnixFS tree from IPFS. */
  mounts?: string[]
}

const out = (s: string): void => { process.stdout.write(s) }

export async function netCommand (cmd: string, args: string[], progArgs: string[], f: NetFlags): Promise<boolean> {
  const client = async (): Promise<ControlClient> => await ControlClient.open(f.dataDir)
  const print = (v: any, text: () => string): void => { out(f.json ? JSON.stringify(v, null, 2) + '\n' : text()) }
  switch (cmd) {
    case 'id': {
      const c = await client()
      const info = await c.json('GET', '')
      print(info, () => `${info.peerId as string}\n${info.platform != null ? `  ${info.platform.arch as string} ${info.platform.os as string}, Node ${info.platform.node as string}, V8 ${info.platform.v8 as string}, ${info.platform.compiler as string}\n` : ''}${(info.addresses as string[]).map(a => `  ${a}\n`).join('')}`)
      return true
    }
    case 'peers': {
      const r = await (await client()).json('GET', 'peers')
      print(r, () => r.peers.map((p: any) => `${p.peerId as string}  ${(p.platform?.arch ?? '?') as string}  ${p.address as string}${p.agent != null ? `  ${p.agent as string}` : ''}\n`).join(''))
      return true
    }
    case 'connect': {
      if (args.length !== 1) throw new UsageError('connect wants a multiaddr (with /p2p/<peer-id>)')
      const r = await (await client()).json('POST', 'peers', { action: 'connect', addr: args[0] })
      print(r, () => `connected to ${r.peerId as string}\n`)
      return true
    }
    case 'publish': {
      if (args.length !== 1) throw new UsageError('publish wants a module file')
      const bytes = await readModule(args[0])
      const r = await (await client()).json('POST', 'module/', { action: 'publish' }, bytes)
      print(r, () => `${r.cid as string}\n`)
      return true
    }
    case 'send': {
      if (args.length < 2) throw new UsageError('send wants a peer ID and a module (file or CID)')
      await callCommand(await client(), args[1], [...args.slice(2), ...progArgs], { ...f, peer: args[0] })
      return true
    }
    case 'launch': {
      if (args.length < 1) throw new UsageError('launch wants a module (file or CID)')
      const c = await client()
      const path = await modulePath(c, args[0])
      // a launched instance outlives this command: its --dir is a copy there (`gate fs` shows its tree), never written back
      const fs = await uploadDirs(c, f, false)
      const r = await c.json('POST', path, { action: 'launch', peer: f.peer, arg: ['program', ...args.slice(1), ...progArgs], env: f.env, entry: f.entry, mount: fs.mount })
      print(r, () => `${r.instance as string}\n`)
      return true
    }
    case 'fs': {
      if (args.length !== 1) throw new UsageError('fs wants an instance ID')
      if (f.peer != null) throw new UsageError('fs works on this node\'s instances (no --peer)')
      const r = await (await client()).json('POST', `instance/${args[0]}`, { action: 'fs' })
      print(r, () => (r.preopens as Array<{ name: string, cid: string }>).length === 1 ? `${r.cid as string}\n` : (r.preopens as Array<{ name: string, cid: string }>).map(p => `${p.cid}  ${p.name}\n`).join(''))
      return true
    }
    case 'msg': {
      if (args.length < 2) throw new UsageError('msg wants a peer ID and text')
      await (await client()).json('POST', 'message', { peer: args[0], to: f.to ?? '' }, new TextEncoder().encode(args.slice(1).join(' ')))
      print({ sent: true }, () => '')
      return true
    }
    case 'messages': {
      const r = await (await client()).json('GET', 'messages')
      print(r, () => r.messages.map((m: any) => `${m.at as string} ${m.from as string}: ${m.text as string}\n`).join(''))
      return true
    }
    case 'instances': {
      const r = await (await client()).json('POST', 'instance/', { peer: f.peer })
      print(r, () => r.instances.map((i: any) => `${i.instance as string}  ${describe(i.status)}  ${i.transient === true ? 'transient' : 'persistent'}  module ${String(i.module).slice(0, 12)}${i.names?.length > 0 ? '  names ' + (i.names as string[]).join(',') : ''}\n`).join(''))
      return true
    }
    case 'status': case 'kill': case 'suspend': case 'resume': case 'delete': {
      if (cmd === 'status' && args.length === 0) {
        if (f.peer != null) throw new UsageError('status without an instance shows this node (no --peer)')
        const r = await (await client()).json('GET', 'node')
        print(r, () => nodeStatusText(r))
        return true
      }
      if (args.length !== 1) throw new UsageError(`${cmd} wants an instance ID`)
      const r = await (await client()).json('POST', `instance/${args[0]}`, { action: cmd, peer: f.peer })
      print(r, () => r.status != null ? `${r.instance as string}  ${describe(r.status)}\n` : '')
      return true
    }
    case 'snapshot': {
      if (args.length !== 1) throw new UsageError('snapshot wants an instance ID')
      const r = await (await client()).json('POST', `instance/${args[0]}`, { action: 'snapshot' })
      print(r, () => `${r.cid as string}\n`)
      return true
    }
    case 'migrate': case 'clone': {
      if (args.length !== 2) throw new UsageError(`${cmd} wants an instance ID and a peer ID`)
      const r = await (await client()).json('POST', `instance/${args[0]}`, { action: cmd, to: args[1] })
      print(r, () => `${cmd === 'clone' ? 'cloned as' : 'moved:'} ${r.peer as string}/${r.instance as string}  (${cmd === 'clone' ? '' : `downtime ${(r.downtimeMs as number).toFixed(1)} ms, `}total ${(r.totalMs as number).toFixed(1)} ms, sent ${(r.precopyBytes as number) + (r.finalBytes as number)} bytes)\n`)
      return true
    }
    case 'io': case 'attach': {
      if (args.length !== 1) throw new UsageError(`${cmd} wants an instance ID`)
      const c = await client()
      await showFrames(c.frames('POST', `instance/${args[0]}`, { action: 'io', peer: f.peer }, f.stdin ? stdinChunks() : undefined), f)
      return true
    }
    case 'services': {
      const [sub, name] = args
      const c = await client()
      if (sub == null || sub === 'list') {
        const r = await c.json('GET', 'services')
        print(r, () => r.services.map((s: string) => s + '\n').join(''))
      } else if (sub === 'find' && name != null) {
        const r = await c.json('GET', 'services', { name })
        if (r.providers.length === 0 && !f.json) process.stderr.write(`gate: no provider of ${name} found\n`)
        print(r, () => r.providers.map((p: any) => `${p.peerId as string}${(p.addresses as string[]).length > 0 ? '  ' + (p.addresses as string[])[0] : ''}\n`).join(''))
      } else if (sub === 'advertise' && name != null) {
        const r = await c.json('POST', 'services', { action: 'advertise', name })
        print(r, () => `advertising ${name}\n`)
      } else {
        throw new UsageError('services [list] | services find <name> | services advertise <name>')
      }
      return true
    }
  }
  return false
}

/** Run a module (file or CID) on the local node or on `f.peer`, attached to this terminal. */
export async function callCommand (c: ControlClient, module: string, progArgs: string[], f: NetFlags): Promise<void> {
  if ((f.dirs?.length ?? 0) > 0 && f.peer == null) throw new UsageError('--dir with a CID runs on a peer only (send); locally, run the module file with --dir')
  const fs = await uploadDirs(c, f, true)
  // the program's isatty() answers as for a native program run here
  const tty = (['stdin', 'stdout', 'stderr'] as const).filter(s => process[s].isTTY === true)
  const query = { action: 'call', peer: f.peer, arg: ['program', ...progArgs], env: f.env, entry: f.entry, persist: f.persist ? 'true' : undefined, mount: fs.mount, tty }
  const path = await modulePath(c, module)
  await showFrames(c.frames('POST', path, query, f.stdin ? stdinChunks() : undefined), f, fs.dirs != null ? async st => { await writeBackDirs(c, fs.dirs!, st) } : undefined)
}

interface UploadedDirs { loaded: LoadedDir[], image: FsImage }

/**
 * --dir for a node: each host directory becomes a preopen of one image,
 * exported as UnixFS (with mtimes) into a CAR that the local node stores
 * (`PUT fs/`), so the target fetches it by CID from there; `mount` lists
 * the trees in preopen order, the --dir ones first (marked :wb for
 * write-back when `writeBack`), then the --mount ones.
 */
async function uploadDirs (c: ControlClient, f: NetFlags, writeBack: boolean): Promise<{ mount: string[], dirs?: UploadedDirs }> {
  const mount: string[] = []
  let dirs: UploadedDirs | undefined
  if ((f.dirs?.length ?? 0) > 0) {
    const b = new FsBuilder()
    const loaded: LoadedDir[] = []
    for (const [i, d] of f.dirs!.entries()) loaded.push(await loadHostDir(b, parseDirSpec(d), i))
    const image = b.build()
    const mem = new MemoryBlockstore()
    const roots = await exportImage(image, mem, { mtime: true })
    const { writer, out } = CarWriter.create(roots.map(r => r.cid))
    const parts: Uint8Array[] = []
    const collecting = (async () => { for await (const p of out) parts.push(p) })()
    const seen = new Set<string>()
    for (const r of roots) {
      for await (const blk of dagBlocks(mem, r.cid)) { if (!seen.has(blk.cid.toString())) { seen.add(blk.cid.toString()); await writer.put(blk) } }
    }
    await writer.close()
    await collecting
    await c.json('PUT', 'fs/', {}, new Uint8Array(Buffer.concat(parts)))
    for (const r of roots) mount.push(`${r.cid.toString()}::${r.name}${r.readonly ? ':ro' : ''}${writeBack && !r.readonly ? ':wb' : ''}`)
    if (writeBack) dirs = { loaded, image }
  }
  for (const m of f.mounts ?? []) { parseMountFlag(m); mount.push(m) }
  return { mount, dirs }
}

/** `CID::GUEST[:ro]`. */
function parseMountFlag (s: string): { cid: string, guest: string, readonly: boolean } {
  let rest = s
  let readonly = false
  if (rest.endsWith(':ro')) { readonly = true; rest = rest.slice(0, -3) }
  const i = rest.indexOf('::')
  const cid = i >= 0 ? rest.slice(0, i) : ''
  const guest = i >= 0 ? rest.slice(i + 2) : ''
  if (cid === '' || guest === '' || !/^[0-9A-Za-z]{20,}$/.test(cid)) throw new UsageError(`--mount wants CID::GUEST[:ro], got ${JSON.stringify(s)}`)
  return { cid, guest, readonly }
}

/** A tree from the local node (which fetches missing blocks from peers) as a new preopen of `b`. */
async function importFromNode (c: ControlClient, b: FsBuilder, cid: string, guest: string, readonly: boolean): Promise<void> {
  const it = await CarBlockIterator.fromIterable(c.bytes('GET', `fs/${cid}`))
  const mem = new MemoryBlockstore()
  for await (const blk of it) await mem.put(CID.asCID(blk.cid)!, blk.bytes)
  await importUnixFs(mem, cid, b, guest, { readonly })
}

/**
 * `gate run --mount CID::GUEST prog.wasm` (a local run): `image` (the
 * --dir preopens, if any) with the mounted trees appended as further
 * preopens, read from the local node's blockstore (and its peers).
 */
export async function withMounts (image: FsImage | undefined, mounts: string[], dataDir: string): Promise<FsImage> {
  const c = await ControlClient.open(dataDir)
  const b = new FsBuilder()
  for (const m of mounts) {
    const { cid, guest, readonly } = parseMountFlag(m)
    try { await importFromNode(c, b, cid, guest, readonly) } catch (err) { throw new UsageError(`--mount ${m}: ${(err as Error).message}`) }
  }
  return appendImage(image, b.build())
}

/** `b`'s preopens after `a`'s, b's inodes renumbered past a's. */
export function appendImage (a: FsImage | undefined, b: FsImage): FsImage {
  if (a == null) return b
  const off = a.nextIno - 1
  const nodes = b.nodes.map(n => n.type === 'dir'
    ? { ...n, ino: n.ino + off, parent: n.parent + off, entries: n.entries.map(e => ({ ...e, ino: e.ino + off })) }
    : { ...n, ino: n.ino + off })
  return { nextIno: a.nextIno + b.nextIno - 1, nodes: [...a.nodes, ...nodes], preopens: [...a.preopens, ...b.preopens.map(p => ({ ...p, ino: p.ino + off }))] }
}

/**
 * The instance ended on the peer: fetch its final trees (roots in the
 * status) through the local node and write the differences back to each
 * host directory (cli/host-dir.ts writeBack). doc/rationale.md: "Why a
 * sent --dir is written back by the client".
 */
async function writeBackDirs (c: ControlClient, dirs: UploadedDirs, st: InstanceStatus & { files?: Array<{ guest: string, cid: string }> }): Promise<void> {
  const writable = dirs.loaded.filter(d => !d.readonly)
  if (writable.length === 0) return
  if (st.state === 'suspended' || st.state === 'moved' as string) { process.stderr.write(`gate: --dir: the instance is ${st.state as string}; its files are in its snapshot, nothing written back\n`); return }
  const files = st.files ?? []
  if (files.length < dirs.loaded.length) { process.stderr.write('gate: --dir: the peer sent no final tree; nothing written back\n'); return }
  const b = new FsBuilder()
  try {
    for (const [i, d] of dirs.loaded.entries()) {
      if (files[i].guest !== d.guest) throw new Error(`preopen ${i} came back as ${JSON.stringify(files[i].guest)}, not ${JSON.stringify(d.guest)}`)
      await importFromNode(c, b, files[i].cid, d.guest, d.readonly)
    }
  } catch (err) {
    process.stderr.write(`gate: --dir: cannot fetch the final tree: ${(err as Error).message}; nothing written back\n`)
    return
  }
  const final = b.build()
  for (const d of writable) await writeBack(d, dirs.image, final)
}

/** A module file is uploaded to the node (by hash); anything else must be a CID. */
async function modulePath (c: ControlClient, module: string): Promise<string> {
  const bytes = await readModule(module).catch(() => undefined)
  if (bytes != null) {
    const hash = sha256hex(bytes)
    await c.json('PUT', `module/sha256/${hash}`, {}, bytes)
    return `module/sha256/${hash}`
  }
  if (/^[0-9A-Za-z]{20,}$/.test(module)) return `module/ipfs/${module}`
  throw new UsageError(`${module} is neither a readable module file nor a CID`)
}

async function showFrames (frames: AsyncIterable<Frame>, f: NetFlags, after?: (status: InstanceStatus) => Promise<void>): Promise<never> {
  let status: InstanceStatus | undefined
  let instance: string | undefined
  const tty = process.stderr.isTTY === true
  for await (const fr of frames) {
    switch (fr.kind) {
      case FrameKind.STDOUT: process.stdout.write(fr.payload); break
      case FrameKind.STDERR: process.stderr.write(fr.payload); break
      case FrameKind.INFO: instance = JSON.parse(Buffer.from(fr.payload).toString()).instance; if (f.json) process.stderr.write(Buffer.from(fr.payload).toString() + '\n'); break
      case FrameKind.PROGRESS: {
        if (!f.progress && !tty) break
        const p = JSON.parse(Buffer.from(fr.payload).toString())
        const pct = p.total != null && p.total > 0 ? ` ${Math.floor(100 * p.received / p.total)}%` : ''
        process.stderr.write(`${tty ? '\r' : ''}gate: ${p.phase as string} ${p.received as number}${p.total != null ? '/' + String(p.total) : ''} bytes${pct}${tty ? '' : '\n'}`)
        if (tty && p.total != null && p.received >= p.total) process.stderr.write('\n')
        break
      }
      case FrameKind.STATUS: status = JSON.parse(Buffer.from(fr.payload).toString()); break
      case FrameKind.ERROR: {
        const e = JSON.parse(Buffer.from(fr.payload).toString())
        process.stderr.write(`gate: ${e.code as string}: ${e.error as string}\n`)
        exit(1)
      }
    }
  }
  if (status == null) { process.stderr.write('gate: the node ended the stream without a status\n'); exit(1) }
  if (f.json) process.stderr.write(JSON.stringify({ instance, status }) + '\n')
  else if (status.state === 'killed') process.stderr.write(`gate: ${describe(status)}\n`)
  else if (status.state === 'suspended') process.stderr.write(`gate: instance ${instance ?? ''} suspended\n`)
  if (after != null) await after(status)
  return exit(exitCode(status))
}

async function readModule (path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path))
}

async function * stdinChunks (): AsyncGenerator<Uint8Array> {
  for await (const c of process.stdin) yield new Uint8Array(c as Buffer)
}

const MIB = 1024 * 1024
const mb = (n: number): string => String(Math.round(n / MIB))

/** `gate status` (no instance): the node-wide figures of GET node. */
export function nodeStatusText (r: any): string {
  const lines = [
    `node ${r.peerId as string}${r.full === true ? `  FULL (${r.fullReason as string})` : ''}`,
    `  instances live  ${r.live.instances as number} of ${r.live.max as number} in workers${r.hibernated != null ? `, ${r.hibernated.instances as number} of ${r.hibernated.max as number} hibernated` : ''}${r.executor != null ? ` (executor: in workers ${r.executor.live as number}, hibernated ${r.executor.hibernated as number}, waking ${r.executor.waking as number})` : ''}`,
    `  memory          ${mb(r.memory.committedBytes)} of ${mb(r.memory.budgetBytes)} MiB committed (${mb(r.memory.freeBytes)} MiB free)`,
    `  remote deploys  memory cap ${mb(r.defaults.remoteMemoryBytes)} MiB, CPU limit ${r.defaults.remoteCpuMs > 0 ? `${r.defaults.remoteCpuMs as number} ms` : 'none'}, output ${r.defaults.remoteOutputBytesPerSecond > 0 ? `${Math.round(r.defaults.remoteOutputBytesPerSecond / 1024)} KiB/s each` : 'unlimited'}; local cap ${mb(r.defaults.localMemoryBytes)} MiB`,
    `  quotas          ${r.quotas.maxInstancesPerPeer as number} instances (${String(r.quotas.maxHibernatedPerPeer)} hibernated) and ${r.quotas.deploysPerMinute as number} deploys/min per peer, ${r.quotas.maxInstancesPerRange as number} and ${r.quotas.deploysPerMinutePerRange as number} per address range; messages ${r.defaults.messagesPerSecond as number}/s per peer, ${r.defaults.messagesPerSecondPerRange as number}/s per range`
  ]
  if ((r.pausedServices ?? []).length > 0) lines.push(`  not advertised  ${(r.pausedServices as string[]).join(', ')} (full)`)
  if (r.perPeer.length > 0) {
    lines.push('  per peer')
    for (const p of r.perPeer) lines.push(`    ${p.peer as string}  ${p.instances as number} instance(s)  ${mb(p.memoryBytes)} MiB`)
  }
  if (r.perRange.length > 0) {
    lines.push('  per address range')
    for (const p of r.perRange) lines.push(`    ${p.range as string}  ${p.instances as number} instance(s)  ${mb(p.memoryBytes)} MiB`)
  }
  return lines.join('\n') + '\n'
}
