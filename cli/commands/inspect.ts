/** `gate inspect snapshot-file [--json]`: what a snapshot holds. */
import { readFile } from 'node:fs/promises'
import { snapshotFromBytes } from '../../executor/snapshot/index.js'

export async function inspectCommand (file: string, json: boolean): Promise<void> {
  const bytes = new Uint8Array(await readFile(file))
  const { snapshot: s, moduleBytes, root } = await snapshotFromBytes(bytes) as any
  const nonzeroPages = countNonzeroPages(s.memory)
  const info = {
    file,
    root: root?.toString(),
    bytes: bytes.byteLength,
    instance: s.instanceId,
    status: s.status,
    entry: s.entry,
    module: s.moduleHash,
    moduleIncluded: moduleBytes != null,
    compiled: s.compiledHash,
    compiler: s.compilerId,
    memoryBytes: s.memory.byteLength,
    memoryPages: s.memory.byteLength / 65536,
    nonzeroPages,
    globals: s.globals.map((g: any) => ({ name: g.name, type: g.type, value: String(g.value) })),
    stackBytes: s.stack.byteLength,
    started: s.started,
    cpuTimeMs: Number(s.cpuTimeNs) / 1e6,
    outputBytes: s.outputBytes
  }
  if (json) {
    process.stdout.write(JSON.stringify(info, null, 2) + '\n')
    return
  }
  const lines = [
    `snapshot   ${file} (${info.bytes} bytes)${info.root != null ? ` root ${info.root}` : ''}`,
    `instance   ${info.instance}`,
    `state      ${[s.status.state, s.status.cause, s.status.error].filter(Boolean).join(' ')}`,
    `module     sha256:${info.module}${info.moduleIncluded ? ' (included)' : ''}`,
    `compiled   sha256:${info.compiled} by ${info.compiler}`,
    `entry      ${info.entry}${info.started ? ' (started)' : ''}`,
    `memory     ${info.memoryPages} pages, ${nonzeroPages} non-zero`,
    `stack      ${info.stackBytes} bytes`,
    `globals    ${info.globals.map((g: any) => `${g.name}=${g.value}`).join(' ')}`,
    `cpu time   ${info.cpuTimeMs.toFixed(1)} ms, output ${info.outputBytes} bytes`
  ]
  process.stdout.write(lines.join('\n') + '\n')
}

function countNonzeroPages (m: Uint8Array): number {
  const zero = Buffer.alloc(65536)
  let n = 0
  for (let off = 0; off < m.byteLength; off += 65536) {
    const page = Buffer.from(m.buffer, m.byteOffset + off, Math.min(65536, m.byteLength - off))
    if (!page.equals(zero.subarray(0, page.byteLength))) n++
  }
  return n
}
