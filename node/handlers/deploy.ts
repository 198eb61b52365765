/**
 * /gate/deploy/1.0.0, node side: read one DeployRequest (bounded size and
 * time), let the policy decide, fetch/compile/launch, answer with the
 * instance ID, then serve its I/O on the same stream if asked to attach.
 */
import type { Stream } from '@libp2p/interface'
import { MessageChannel } from '../../protocols/channel.js'
import { RequestError } from '../../protocols/errors.js'
import { REQUEST_TIMEOUT_MS } from '../../protocols/ids.js'
import { streamDuplex } from '../../protocols/libp2p-duplex.js'
import { DeployRequest, DeployResponse, ErrorCode } from '../../protocols/pb/gate.js'
import type { GateNode } from '../node.js'
import { refuse } from './refuse.js'
import { StreamSink } from './serve-io.js'

export async function handleDeploy (node: GateNode, stream: Stream, remote: string): Promise<void> {
  // a request carries the module: allow the node's module limit plus headroom
  const ch = new MessageChannel(streamDuplex(stream), { maxFrame: node.maxModuleBytes + 64 * 1024 })
  let req: DeployRequest
  try {
    node.policy.checkAccess(remote)
    req = await ch.expect(DeployRequest, { what: 'deploy request', timeoutMs: REQUEST_TIMEOUT_MS })
    if (req.args.length > 256 || req.env.length > 256) throw new RequestError(ErrorCode.TOO_LARGE, 'too many arguments or environment variables')
  } catch (err) {
    await refuse(ch, err)
    return
  }
  const sink = req.attach ? new StreamSink(ch) : undefined
  let m
  try {
    m = await node.run(remote, {
      module: req.module,
      cid: req.cid,
      args: req.args.length > 0 ? req.args : ['program'],
      env: Object.fromEntries(req.env.map(e => [e.key, e.value])),
      entry: req.entry,
      transient: !req.persist,
      memoryPages: req.memoryPages,
      cpuTimeMs: req.cpuTimeMs,
      sinks: sink != null ? [sink] : [],
      signal: AbortSignal.timeout(60_000)
    })
  } catch (err) {
    await refuse(ch, err)
    return
  }
  await ch.write(DeployResponse, { code: ErrorCode.OK, error: '', instance: m.id, module: m.moduleHash })
  if (sink == null) { await ch.close(); return }
  sink.open(m)
  await sink.done
}
