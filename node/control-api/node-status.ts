/**
 * `GET node`: the node-wide figures (node/admission.ts): instances live and
 * the cap, memory committed / budget, the defaults remote deploys run
 * under, the quotas, per-peer and per-range usage, and whether the node is
 * full (its executor records paused).
 */
import { sendJson, type ApiRequest } from './server.js'

export async function routeNodeStatus (r: ApiRequest): Promise<boolean> {
  if (r.path[0] !== 'node' || r.path.length !== 1 || r.method !== 'GET') return false
  const { node } = r
  sendJson(r.res, 200, {
    peerId: node.self,
    ...node.admission.figures(),
    // in workers / hibernated in the blockstore / on their way back (executor/hibernate.ts)
    executor: node.executor.stats(),
    services: node.directory.names(),
    pausedServices: node.directory.pausedNames()
  })
  return true
}
