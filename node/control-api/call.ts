/**
 * `action=call`: run a program here or on a peer and stream its output back
 * as frames while the request body streams in as its stdin. The response
 * starts at once (so progress shows during a module fetch); errors after
 * that arrive as an ERROR frame. A client that goes away kills a transient
 * instance, local or remote.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { InstanceStatus } from '../../executor/index.js'
import type { DeployInput } from '../../protocols/client.js'
import { statusFromWire } from '../handlers/wire.js'
import type { IoSink } from '../instances.js'
import type { GateNode } from '../node.js'
import { FRAMES_TYPE, FrameKind, frame } from './frames.js'
import { errorBody } from './server.js'
import { localMounts } from './modules.js'

class HttpSink implements IoSink {
  private held: Uint8Array[] | undefined = []
  done = false
  constructor (private readonly res: ServerResponse) {}
  stdout (d: Uint8Array): void { this.put(frame(FrameKind.STDOUT, d)) }
  stderr (d: Uint8Array): void { this.put(frame(FrameKind.STDERR, d)) }
  status (s: InstanceStatus): void { this.done = true; this.put(frame(FrameKind.STATUS, s)); if (this.held == null) this.res.end() }
  /** Set by the caller: the instance moved; follow it. */
  onMoved?: (endpoint: string) => void
  moved (endpoint: string): void { this.onMoved?.(endpoint) }
  open (): void {
    const h = this.held ?? []
    this.held = undefined
    for (const f of h) this.res.write(f)
    if (this.done) this.res.end()
  }

  put (f: Uint8Array): void { if (this.held != null) this.held.push(f); else if (!this.res.writableEnded) this.res.write(f) }
}

export async function call (node: GateNode, req: IncomingMessage, res: ServerResponse, spec: DeployInput, peer: string | undefined): Promise<void> {
  res.writeHead(200, { 'Content-Type': FRAMES_TYPE, 'Cache-Control': 'no-store' })
  res.flushHeaders()
  const sink = new HttpSink(res)
  try {
    if (peer == null) await callLocal(node, req, res, spec, sink)
    else await callRemote(node, req, res, spec, peer, sink)
  } catch (err) {
    const b = errorBody(err)
    sink.open()
    if (!res.writableEnded) res.end(frame(FrameKind.ERROR, { code: b.code, error: b.error }))
  }
}

async function callLocal (node: GateNode, req: IncomingMessage, res: ServerResponse, spec: DeployInput, sink: HttpSink): Promise<void> {
  const m = await node.run(node.self, {
    ...spec,
    fs: await localMounts(node, spec),
    transient: spec.persist !== true,
    sinks: [sink],
    onProgress: p => { if (!res.writableEnded) res.write(frame(FrameKind.PROGRESS, { phase: 'fetch', ...p })) }
  })
  res.write(frame(FrameKind.INFO, { instance: m.id, module: m.moduleHash, peer: node.self }))
  sink.onMoved = (endpoint) => { void follow(node, res, sink, endpoint) }
  sink.open()
  res.on('close', () => {
    if (!sink.done) { m.sinks.delete(sink); if (m.transient) void m.instance?.kill() }
  })
  void (async () => {
    try {
      for await (const c of req) m.instance?.write(new Uint8Array(c as Buffer))
      m.instance?.end()
    } catch {}
  })()
}

async function callRemote (node: GateNode, req: IncomingMessage, res: ServerResponse, spec: DeployInput, peer: string, sink: HttpSink): Promise<void> {
  if (spec.module != null) res.write(frame(FrameKind.PROGRESS, { phase: 'upload', received: 0, total: spec.module.byteLength }))
  const r = await node.send(peer, { ...spec, attach: true })
  const io = r.io!
  if (spec.module != null) res.write(frame(FrameKind.PROGRESS, { phase: 'upload', received: spec.module.byteLength, total: spec.module.byteLength }))
  res.write(frame(FrameKind.INFO, { instance: r.instance, module: r.module, peer }))
  sink.open()
  io.on('stdout', d => { sink.stdout(d) })
  io.on('stderr', d => { sink.stderr(d) })
  res.on('close', () => { if (!sink.done) io.abort() })
  void (async () => {
    try {
      for await (const c of req) await io.write(new Uint8Array(c as Buffer))
      await io.end()
    } catch {}
  })()
  try {
    const st = await io.done
    if (st.state === 'moved') { await follow(node, res, sink, st.error); return }
    sink.status(statusFromWire(st))
  } catch (err) {
    sink.done = true
    if (!res.writableEnded) res.end(frame(FrameKind.ERROR, { code: 'UNAVAILABLE', error: `lost the connection to ${peer}: ${(err as Error).message}` }))
  }
}

/**
 * The instance migrated: attach to it at its new node and keep streaming
 * its output to the same client, across as many moves as it makes.
 */
async function follow (node: GateNode, res: ServerResponse, sink: HttpSink, endpoint: string): Promise<void> {
  for (;;) {
    res.write(frame(FrameKind.PROGRESS, { phase: 'moved', to: endpoint, received: 0 }))
    const i = endpoint.indexOf('/')
    const [peer, id] = [endpoint.slice(0, i), endpoint.slice(i + 1)]
    try {
      if (peer === node.self) {
        const m = node.table.get(id)
        if (m == null) throw new Error(`instance ${id} is not here`)
        sink.onMoved = (e) => { void follow(node, res, sink, e) }
        if (m.instance == null) { sink.status(m.status); return }
        m.sinks.add(sink)
        return
      }
      const io = await node.attach(peer, id)
      io.on('stdout', d => { sink.stdout(d) })
      io.on('stderr', d => { sink.stderr(d) })
      res.on('close', () => { if (!sink.done) void io.detach() })
      const st = await io.done
      if (st.state === 'moved') { endpoint = st.error; continue }
      sink.status(statusFromWire(st))
      return
    } catch (err) {
      sink.done = true
      if (!res.writableEnded) res.end(frame(FrameKind.ERROR, { code: 'UNAVAILABLE', error: `lost the instance after it moved to ${endpoint}: ${(err as Error).message}` }))
      return
    }
  }
}
