// Plain V8 baseline for the benches: the ORIGINAL module in a child process
// (the same Node binary as the bench, node_modules/.bin/node) with a minimal
// JS WASI shim: args, stdin (fd_read from a buffer read whole before the
// timing), stdout/stderr writes (collected, written at exit), clocks, random,
// proc_exit. fd_fdstat_get answers as gate's host does for stdio that is not
// a terminal (and as wasmtime does for a pipe): FILETYPE_UNKNOWN, read or
// write + poll rights, no seek/tell, so wasi-libc's isatty() says no and
// stdout is fully buffered under both. node:wasi is not used: it crashes after large
// memory growth on these Node versions (bench/run.ts).
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

let script: string | undefined

/** The child script; argv: <wasm> <stdin file or '-'> <mode: time|first> args... */
function childScript (): string {
  if (script != null) return script
  const dir = mkdtempSync(join(tmpdir(), 'gate-plain-'))
  script = join(dir, 'plain-wasi.mjs')
  writeFileSync(script, `
import { readFileSync, writeSync } from 'node:fs'
import { randomFillSync } from 'node:crypto'
const [file, stdinFile, mode, ...rest] = process.argv.slice(2)
const argv = ['prog', ...rest].map(a => Buffer.from(a + '\\0'))
const stdin = stdinFile === '-' ? new Uint8Array(0) : new Uint8Array(readFileSync(stdinFile))
let inPos = 0
const outs = { 1: [], 2: [] }
const stream = mode === 'first' // write through (time to first output byte); else collect
let mem
class Exit { constructor (c) { this.code = c } }
const dv = () => new DataView(mem.buffer)
const u8 = () => new Uint8Array(mem.buffer)
const wasi = {
  args_sizes_get: (c, s) => { dv().setUint32(c, argv.length, true); dv().setUint32(s, argv.reduce((a, b) => a + b.length, 0), true); return 0 },
  args_get: (pp, bp) => { for (const a of argv) { dv().setUint32(pp, bp, true); u8().set(a, bp); pp += 4; bp += a.length } return 0 },
  environ_sizes_get: (c, s) => { dv().setUint32(c, 0, true); dv().setUint32(s, 0, true); return 0 },
  environ_get: () => 0,
  fd_write: (fd, iovs, n, nw) => {
    if (fd !== 1 && fd !== 2) return 8
    let t = 0
    for (let i = 0; i < n; i++) {
      const p = dv().getUint32(iovs + 8 * i, true), l = dv().getUint32(iovs + 8 * i + 4, true)
      if (l === 0) continue
      if (stream) writeSync(fd, new Uint8Array(mem.buffer, p, l)); else outs[fd].push(u8().slice(p, p + l))
      t += l
    }
    dv().setUint32(nw, t, true); return 0
  },
  fd_read: (fd, iovs, n, nr) => {
    if (fd !== 0) return 8
    let t = 0
    for (let i = 0; i < n && inPos < stdin.length; i++) {
      const p = dv().getUint32(iovs + 8 * i, true), l = dv().getUint32(iovs + 8 * i + 4, true)
      const k = Math.min(l, stdin.length - inPos)
      u8().set(stdin.subarray(inPos, inPos + k), p); inPos += k; t += k
    }
    dv().setUint32(nr, t, true); return 0
  },
  fd_fdstat_get: (fd, p) => {
    if (fd < 0 || fd > 2) return 8
    u8().fill(0, p, p + 24) // filetype 0 (unknown, as a pipe), flags 0
    dv().setBigUint64(p + 8, (fd === 0 ? 1n << 1n : 1n << 6n) | (1n << 27n), true); return 0
  },
  fd_fdstat_set_flags: () => 0,
  fd_close: () => 0, fd_seek: () => 70, fd_prestat_get: () => 8, fd_prestat_dir_name: () => 8,
  clock_res_get: (id, p) => { dv().setBigUint64(p, 1n, true); return 0 },
  clock_time_get: (id, pr, p) => { dv().setBigUint64(p, id === 0 ? BigInt(Date.now()) * 1000000n : process.hrtime.bigint(), true); return 0 },
  random_get: (p, l) => { randomFillSync(new Uint8Array(mem.buffer, p, l)); return 0 },
  proc_exit: (c) => { throw new Exit(c) }, sched_yield: () => 0, poll_oneoff: () => 52
}
const mod = await WebAssembly.compile(readFileSync(file))
const t0 = performance.now()
const inst = await WebAssembly.instantiate(mod, { wasi_snapshot_preview1: new Proxy(wasi, { get: (o, k) => o[k] ?? (() => 52) }) })
mem = inst.exports.memory
let code = 0
try { inst.exports._start() } catch (e) { if (e instanceof Exit) code = e.code; else { process.stderr.write('TRAP ' + e + '\\n'); code = 134 } }
const ms = performance.now() - t0
for (const fd of [1, 2]) for (const b of outs[fd]) { let o = 0; while (o < b.length) o += writeSync(fd, b, o) }
process.stderr.write('\\nTIME ' + ms + ' EXIT ' + code + '\\n')
process.exitCode = code
`)
  return script
}

export interface PlainResult { ms: number, out: Buffer, code: number, stderr: string }

/**
 * Run the original module once; `ms` is instantiate + _start, measured in the
 * child (V8's compile of the module is outside it, as gate's is).
 */
export function plainRun (file: string, args: string[], opts: { stdinFile?: string, flags?: string[] } = {}): PlainResult {
  const r = spawnSync(process.execPath, [...(opts.flags ?? []), childScript(), file, opts.stdinFile ?? '-', 'time', ...args], { maxBuffer: 1 << 30 })
  const err = r.stderr.toString()
  const m = /\nTIME ([0-9.]+) EXIT (\d+)\n$/.exec(err)
  if (m == null) throw new Error(`plain run of ${file} failed (${r.status ?? r.signal}): ${err.slice(-400)}`)
  return { ms: Number(m[1]), out: r.stdout, code: Number(m[2]), stderr: err.slice(0, m.index) }
}

/**
 * Spawn `cmd args` and time from spawn to its first stdout byte (and to exit).
 * The plain variant: pass `plainCommand(file, args)`.
 */
export async function timeToFirstOutput (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ firstMs: number, exitMs: number, code: number | null }> {
  return await new Promise((resolve, reject) => {
    const t0 = performance.now()
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let firstMs = -1
    let err = ''
    p.stdout.on('data', () => { if (firstMs < 0) firstMs = performance.now() - t0 })
    p.stderr.on('data', d => { err += String(d) })
    p.on('error', reject)
    p.on('close', code => {
      const exitMs = performance.now() - t0
      if (firstMs < 0) reject(new Error(`${cmd} ${args.join(' ')}: no output (exit ${code}): ${err.slice(-300)}`))
      else resolve({ firstMs, exitMs, code })
    })
  })
}

/** argv for the plain runner in "first output" mode (stdout written through). */
export function plainCommand (file: string, args: string[], flags: string[] = []): string[] {
  return [...flags, childScript(), file, '-', 'first', ...args]
}
