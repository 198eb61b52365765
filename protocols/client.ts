/**
 * Client halves of the request protocols, over an opened stream (a
 * ByteDuplex). Each sends one request and reads one response with a
 * deadline; a refusal becomes a RemoteError carrying the wire code.
 */
import type { ByteDuplex } from './framing.js'
import { bytes, MessageChannel } from './channel.js'
import { RemoteError } from './errors.js'
import { IoSession } from './io-session.js'
import { MAX_CONTROL_FRAME, MAX_IO_FRAME, RESPONSE_TIMEOUT_MS } from './ids.js'
import { AttachRequest, AttachResponse, ControlRequest, ControlResponse, DeployRequest, DeployResponse, ErrorCode, MessageAck, PeerMessage, type Mount } from './pb/gate.js'

export interface RequestOptions { signal?: AbortSignal, timeoutMs?: number }

export interface DeployResult {
  instance: string
  module: string
  /** Present when the request asked to attach. */
  io?: IoSession
}

/** What to deploy: module bytes or a CID, and how to run it. */
export interface DeployInput {
  module?: Uint8Array
  cid?: string
  args?: string[]
  env?: Record<string, string>
  entry?: string
  attach?: boolean
  persist?: boolean
  memoryPages?: number
  cpuTimeMs?: number
  /** UnixFS trees to preopen, in order (the target fetches them by CID). */
  mounts?: Mount[]
  /** Which of the client's streams are terminals (the program's isatty()). */
  tty?: TtyFlags
}

export interface TtyFlags { stdin?: boolean, stdout?: boolean, stderr?: boolean }

/** TtyFlags as DeployRequest.tty's bits, and back. */
export function ttyBits (t: TtyFlags | undefined): number {
  return (t?.stdin === true ? 1 : 0) | (t?.stdout === true ? 2 : 0) | (t?.stderr === true ? 4 : 0)
}
export function ttyFlags (bits: number): TtyFlags {
  return { stdin: (bits & 1) !== 0, stdout: (bits & 2) !== 0, stderr: (bits & 4) !== 0 }
}

export async function requestDeploy (d: ByteDuplex, req: DeployInput, opts: RequestOptions = {}): Promise<DeployResult> {
  const ch = new MessageChannel(d, { maxFrame: MAX_IO_FRAME })
  try {
    await ch.write(DeployRequest, {
      module: bytes(req.module ?? new Uint8Array(0)),
      cid: req.cid ?? '',
      args: req.args ?? [],
      env: Object.entries(req.env ?? {}).map(([key, value]) => ({ key, value })),
      entry: req.entry ?? '',
      attach: req.attach ?? false,
      persist: req.persist ?? false,
      memoryPages: req.memoryPages ?? 0,
      cpuTimeMs: req.cpuTimeMs ?? 0,
      mounts: req.mounts ?? [],
      tty: ttyBits(req.tty)
    })
    const res = await ch.expect(DeployResponse, { what: 'deploy response', timeoutMs: opts.timeoutMs ?? RESPONSE_TIMEOUT_MS, signal: opts.signal })
    if (res.code !== ErrorCode.OK) throw new RemoteError(res.code, res.error)
    if (req.attach !== true) { await ch.close(); return { instance: res.instance, module: res.module } }
    return { instance: res.instance, module: res.module, io: new IoSession(ch, res.instance) }
  } catch (err) {
    if (req.attach !== true || !(err instanceof RemoteError)) ch.abort()
    throw err
  }
}

export async function requestAttach (d: ByteDuplex, instance: string, opts: RequestOptions = {}): Promise<IoSession> {
  const ch = new MessageChannel(d, { maxFrame: MAX_IO_FRAME })
  try {
    await ch.write(AttachRequest, { instance })
    const res = await ch.expect(AttachResponse, { what: 'attach response', timeoutMs: opts.timeoutMs ?? RESPONSE_TIMEOUT_MS, signal: opts.signal })
    if (res.code !== ErrorCode.OK) throw new RemoteError(res.code, res.error)
    return new IoSession(ch, instance)
  } catch (err) {
    ch.abort()
    throw err
  }
}

export async function requestControl (d: ByteDuplex, req: Partial<ControlRequest>, opts: RequestOptions = {}): Promise<ControlResponse> {
  const ch = new MessageChannel(d, { maxFrame: MAX_CONTROL_FRAME * 16 })
  try {
    await ch.write(ControlRequest, { op: ControlRequest.Op.LIST, instance: '', ...req })
    const res = await ch.expect(ControlResponse, { what: 'control response', timeoutMs: opts.timeoutMs ?? RESPONSE_TIMEOUT_MS, signal: opts.signal })
    await ch.close()
    if (res.code !== ErrorCode.OK) throw new RemoteError(res.code, res.error)
    return res
  } catch (err) {
    ch.abort()
    throw err
  }
}

export async function sendMessage (d: ByteDuplex, msg: PeerMessage, opts: RequestOptions = {}): Promise<void> {
  const ch = new MessageChannel(d, { maxFrame: MAX_CONTROL_FRAME })
  try {
    await ch.write(PeerMessage, msg)
    const ack = await ch.expect(MessageAck, { what: 'message ack', timeoutMs: opts.timeoutMs ?? 30_000, signal: opts.signal })
    await ch.close()
    if (ack.code !== ErrorCode.OK) throw new RemoteError(ack.code, ack.error)
  } catch (err) {
    ch.abort()
    throw err
  }
}
