/**
 * Instance routes: `POST instance/[?peer=]` lists, `POST instance/<id>?action=
 * status|kill|suspend|resume|delete|io[&peer=]` acts (`io` streams output
 * frames, like call). Without `peer` they act on this node's instances.
 */
import type { InstanceStatus } from '../../executor/index.js'
import { RequestError } from '../../protocols/errors.js'
import { ControlRequest, ErrorCode, type InstanceInfo } from '../../protocols/pb/gate.js'
import { control } from '../handlers/control.js'
import { instanceInfo, statusFromWire } from '../handlers/wire.js'
import type { IoSink } from '../instances.js'
import { FRAMES_TYPE, FrameKind, frame } from './frames.js'
import { sendJson, type ApiRequest } from './server.js'
import { CID } from 'multiformats/cid'
import { instanceTrees } from '../fs-trees.js'

const OPS: Record<string, ControlRequest.Op> = {
  status: ControlRequest.Op.STATUS,
  kill: ControlRequest.Op.KILL,
  suspend: ControlRequest.Op.SUSPEND,
  resume: ControlRequest.Op.RESUME
}

export async function routeInstances (r: ApiRequest): Promise<boolean> {
  if (r.path[0] !== 'instance') return false
  const { node } = r
  const peer = r.query.get('peer') ?? undefined
  const id = r.path[1]
  const action = r.query.get('action') ?? (id == null ? 'list' : 'status')
  if (id == null) {
    const list: InstanceInfo[] = peer == null
      ? (await control(node, node.self, { op: ControlRequest.Op.LIST, instance: '' })).map(instanceInfo)
      : (await node.control(peer, { op: ControlRequest.Op.LIST })).instances
    sendJson(r.res, 200, { instances: list.map(jsonInfo) })
    return true
  }
  if (action === 'io') { await io(r, id, peer); return true }
  if (action === 'snapshot' && peer == null) {
    const root = await node.snapshotInstance(id)
    sendJson(r.res, 201, { cid: root.toString() })
    return true
  }
  if (action === 'fs' && peer == null) {
    const m = node.table.get(id)
    if (m == null) throw new RequestError(ErrorCode.NOT_FOUND, `no instance ${id}`)
    const preopens = await instanceTrees(m, node.snapshots, node.helia.blockstore)
    for (const p of preopens) void node.helia.routing.provide(CID.parse(p.cid), { signal: AbortSignal.timeout(30_000) }).catch(() => {})
    sendJson(r.res, 200, { instance: id, cid: preopens[0].cid, preopens: preopens.map(p => ({ name: p.guest, cid: p.cid })) })
    return true
  }
  if (action === 'migrate' || action === 'clone') {
    const to = r.query.get('to')
    if (to == null || to === '') throw new RequestError(ErrorCode.BAD_REQUEST, `${action} needs to=<peer-id>`)
    const res = await node.migrate(id, to, { clone: action === 'clone', precopy: r.query.get('precopy') !== 'false' })
    sendJson(r.res, 200, res)
    return true
  }
  if (action === 'delete' && peer == null) { await node.delete(id); sendJson(r.res, 200, {}); return true }
  const op = OPS[action]
  if (op == null) throw new RequestError(ErrorCode.BAD_REQUEST, `unknown action ${JSON.stringify(action)} (status, kill, suspend, resume, delete, io, snapshot, fs, migrate, clone)`)
  const infos = peer == null
    ? (await control(node, node.self, { op, instance: id })).map(instanceInfo)
    : (await node.control(peer, { op, instance: id })).instances
  sendJson(r.res, 200, jsonInfo(infos[0]))
  return true
}

function jsonInfo (i: InstanceInfo): object {
  return { instance: i.instance, module: i.module, status: i.status != null ? statusFromWire(i.status) : undefined, owner: i.owner, transient: i.transient, names: i.names }
}

async function io (r: ApiRequest, id: string, peer: string | undefined): Promise<void> {
  const { node, res } = r
  if (peer != null) {
    const s = await node.attach(peer, id)
    res.writeHead(200, { 'Content-Type': FRAMES_TYPE })
    res.flushHeaders()
    s.on('stdout', d => res.write(frame(FrameKind.STDOUT, d)))
    s.on('stderr', d => res.write(frame(FrameKind.STDERR, d)))
    res.on('close', () => { void s.detach() })
    void (async () => { for await (const c of r.req) await s.write(new Uint8Array(c as Buffer)) })().catch(() => {})
    const st = await s.done.catch(err => ({ state: 'killed', cause: 'INTERNAL', result: 0, error: `connection lost: ${(err as Error).message}`, files: [] }))
    res.end(frame(FrameKind.STATUS, statusFromWire(st)))
    return
  }
  const m = node.table.get(id)
  if (m == null) throw new RequestError(ErrorCode.NOT_FOUND, `no instance ${id}`)
  res.writeHead(200, { 'Content-Type': FRAMES_TYPE })
  res.flushHeaders()
  if (m.instance == null) { res.end(frame(FrameKind.STATUS, m.status)); return }
  const sink: IoSink = {
    stdout: d => res.write(frame(FrameKind.STDOUT, d)),
    stderr: d => res.write(frame(FrameKind.STDERR, d)),
    status: (s: InstanceStatus) => { res.end(frame(FrameKind.STATUS, s)) }
  }
  m.sinks.add(sink)
  res.on('close', () => { m.sinks.delete(sink) })
  void (async () => { for await (const c of r.req) m.instance?.write(new Uint8Array(c as Buffer)) })().catch(() => {})
}
