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
import type { Instance, InstanceStatus } from '../../executor/index.js'
import type { IoSink, Managed } from '../instances.js'
import { loadMounts, MOUNT_FETCH_MS, putTrees } from '../fs-trees.js'
import { ttyFlags } from '../../protocols/client.js'
import type { PutStore } from '../fs-unixfs.js'
import type { StatusWithFiles } from './wire.js'

export async function handleDeploy (node: GateNode, stream: Stream, remote: string, remoteAddr?: string): Promise<void> {
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
  const inner = req.attach ? new StreamSink(ch) : undefined
  const writeBack = req.mounts.some(x => x.writeBack)
  // with write-back mounts the final status waits for the final tree (exported into the blockstore)
  const sink = inner != null && writeBack ? new FilesSink(inner, node.helia.blockstore) : inner
  let m
  let fs
  try {
    if (req.mounts.length > 0) {
      fs = await loadMounts(node.helia.blockstore, req.mounts, { maxBytes: node.init.executor?.limits?.fsBytes, signal: AbortSignal.timeout(MOUNT_FETCH_MS) })
    }
    m = await node.run(remote, {
      fs,
      module: req.module,
      cid: req.cid,
      args: req.args.length > 0 ? req.args : ['program'],
      env: Object.fromEntries(req.env.map(e => [e.key, e.value])),
      entry: req.entry,
      transient: !req.persist,
      memoryPages: req.memoryPages,
      cpuTimeMs: req.cpuTimeMs,
      tty: ttyFlags(req.tty),
      sinks: sink != null ? [sink] : [],
      signal: AbortSignal.timeout(60_000),
      remoteAddr
    })
  } catch (err) {
    await refuse(ch, err)
    return
  }
  if (sink instanceof FilesSink) sink.bind(m) // now: the instance may end any moment after
  await ch.write(DeployResponse, { code: ErrorCode.OK, error: '', instance: m.id, module: m.moduleHash })
  if (sink == null || inner == null) { await ch.close(); return }
  if (sink instanceof FilesSink) inner.open(sink.view(m)); else inner.open(m)
  await inner.done
}

/**
 * Between the instance and its StreamSink: when the instance ends with a
 * filesystem, its tree is exported as UnixFS (with mtimes) into the node's
 * blockstore first, and the status goes out with the roots in `files`.
 */
class FilesSink implements IoSink {
  private inst?: Instance
  private pending = false
  constructor (private readonly inner: StreamSink, private readonly store: PutStore) {}
  bind (m: Managed): void { this.inst = m.instance }
  stdout (d: Uint8Array): void { this.inner.stdout(d) }
  stderr (d: Uint8Array): void { this.inner.stderr(d) }
  moved (e: string): void { this.inner.moved(e) }
  status (s: InstanceStatus): void {
    const files = s.state !== 'suspended' ? this.inst?.files() : undefined
    if (files == null) { this.inner.status(s); return }
    this.pending = true
    void putTrees(this.store, files).then(
      roots => { this.inner.status({ ...s, files: roots } as StatusWithFiles) },
      err => { this.inner.status({ ...s, error: [s.error, `could not export the final tree: ${(err as Error).message}`].filter(x => x != null && x !== '').join('; ') }) }
    ).finally(() => { this.pending = false })
  }

  /** What the StreamSink serves input for: the instance, which counts as running while its tree is exported. */
  view (m: Managed): Managed {
    const self = this // eslint-disable-line @typescript-eslint/no-this-alias
    return new Proxy(m, {
      get (target, key, receiver) {
        if (key === 'instance') return target.instance ?? (self.pending ? self.inst : undefined)
        if (key === 'sinks') return { delete: () => target.sinks.delete(self) }
        return Reflect.get(target, key, receiver)
      }
    })
  }
}
