/**
 * Module routes:
 * - `PUT  module/sha256/<hex>` (body: wasm) stores a module, hash verified;
 * - `POST module/?action=publish` (body: wasm) adds it to IPFS -> `{cid, module}`;
 * - `POST module/sha256/<hex>|ipfs/<cid>?action=call|launch[&peer=][&arg=...][&env=K=V][&entry=]`.
 */
import { RequestError } from '../../protocols/errors.js'
import { ErrorCode } from '../../protocols/pb/gate.js'
import type { DeployInput } from '../../protocols/client.js'
import { call } from './call.js'
import { loadMounts, parseMount } from '../fs-trees.js'
import type { FsImage } from '../../executor/index.js'
import type { GateNode } from '../node.js'
import { moduleHashOf, readBody, sendJson, type ApiRequest } from './server.js'

export async function routeModules (r: ApiRequest): Promise<boolean> {
  if (r.path[0] !== 'module') return false
  const { node } = r
  const action = r.query.get('action')
  if (r.path.length === 1) {
    if (r.method === 'GET') { sendJson(r.res, 200, ['sha256', 'ipfs']); return true }
    if (r.method === 'POST' && action === 'publish') {
      const bytes = await readBody(r.req, node.maxModuleBytes)
      const cid = await node.publish(bytes)
      sendJson(r.res, 201, { cid: cid.toString(), module: moduleHashOf(bytes) })
      return true
    }
    throw new RequestError(ErrorCode.BAD_REQUEST, 'use POST module/?action=publish')
  }
  const [, source, key] = r.path
  if (r.path.length !== 3 || (source !== 'sha256' && source !== 'ipfs')) throw new RequestError(ErrorCode.NOT_FOUND, 'modules are module/sha256/<hex> or module/ipfs/<cid>')
  if (source === 'sha256' && r.method === 'PUT') {
    const bytes = await readBody(r.req, node.maxModuleBytes)
    if (moduleHashOf(bytes) !== key) throw new RequestError(ErrorCode.BAD_REQUEST, 'module content does not match its sha256')
    await node.modules.put(bytes, key)
    sendJson(r.res, 201, { module: key })
    return true
  }
  if (r.method !== 'POST') throw new RequestError(ErrorCode.BAD_REQUEST, `${r.method} is not supported here`)
  const spec: DeployInput = {
    args: r.query.getAll('arg'),
    env: Object.fromEntries(r.query.getAll('env').map(kv => { const i = kv.indexOf('='); return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)] })),
    entry: r.query.get('entry') ?? undefined,
    persist: r.query.get('persist') === 'true' || action === 'launch',
    // mount=CID::GUEST[:ro][:wb], in preopen order; :wb = report the final tree (a --dir the CLI writes back)
    mounts: r.query.getAll('mount').map(v => v.endsWith(':wb') ? { ...parseMount(v.slice(0, -3)), writeBack: true } : parseMount(v)),
    // tty=stdin,stdout,...: the client's streams that are terminals
    tty: Object.fromEntries(r.query.getAll('tty').flatMap(v => v.split(',')).filter(k => k === 'stdin' || k === 'stdout' || k === 'stderr').map(k => [k, true]))
  }
  if (spec.args?.length === 0) spec.args = ['program']
  if (source === 'sha256') {
    const bytes = await node.modules.get(key)
    if (bytes == null) throw new RequestError(ErrorCode.NOT_FOUND, `no module ${key} here; PUT it first`)
    spec.module = bytes
  } else {
    spec.cid = key
  }
  const peer = r.query.get('peer') ?? undefined
  if (action === 'call') { await call(node, r.req, r.res, spec, peer); return true }
  if (action === 'publish' && source === 'sha256') {
    const cid = await node.publish(spec.module!)
    sendJson(r.res, 201, { cid: cid.toString(), module: key })
    return true
  }
  if (action === 'launch') {
    if (peer == null) {
      const m = await node.run(node.self, { ...spec, transient: false, fs: await localMounts(node, spec) })
      sendJson(r.res, 201, { instance: m.id, module: m.moduleHash, peer: node.self })
    } else {
      const res = await node.send(peer, spec)
      sendJson(r.res, 201, { instance: res.instance, module: res.module, peer })
    }
    return true
  }
  throw new RequestError(ErrorCode.BAD_REQUEST, `unknown action ${JSON.stringify(action)} (call, launch, publish)`)
}

/** The trees of a local run's mounts, from this node's blockstore (and peers). */
export async function localMounts (node: GateNode, spec: DeployInput): Promise<FsImage | undefined> {
  if (spec.mounts == null || spec.mounts.length === 0) return undefined
  return await loadMounts(node.helia.blockstore, spec.mounts, { maxBytes: node.init.executor?.limits?.fsBytes })
}
