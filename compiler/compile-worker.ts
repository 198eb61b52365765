/**
 * Worker-thread entry of WorkerCompiler: compiles the modules it is sent,
 * one at a time, so a compile never blocks the thread that asked. Replies
 * carry the result, or the error's class name and message for the caller
 * to rebuild.
 */
import { parentPort } from 'node:worker_threads'
import { compileModule } from './compile.js'
import type { CompileReply, CompileRequest } from './worker-messages.js'

const port = parentPort
if (port == null) throw new Error('compile-worker.js runs as a worker thread')

port.on('message', (req: CompileRequest) => {
  let reply: CompileReply
  try {
    const cm = compileModule(req.bytes, req.opts)
    reply = { id: req.id, ok: true, cm }
    port.postMessage(reply, [cm.bytes.buffer as ArrayBuffer])
  } catch (err) {
    const e = err as Error
    reply = { id: req.id, ok: false, name: e?.name ?? 'Error', message: e?.message ?? String(err) }
    port.postMessage(reply)
  }
})
