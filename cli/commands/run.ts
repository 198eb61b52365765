/**
 * `gate run prog.wasm [options] [-- args]` and `gate resume snapshot [options]`:
 * run locally like a native program; optionally suspend after a while and
 * write the snapshot to a file.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { Executor, ResumeEveryInstance, type Instance } from '../../executor/index.js'
import { snapshotFromBytes, snapshotToBytes } from '../../executor/snapshot/index.js'
import { attach, describe, exit, exitCode } from '../io.js'
import { cacheDir } from '../config.js'
import { UsageError } from '../errors.js'
import { FsBuilder, type FsImage } from '../../executor/host/vfs/image.js'
import { loadHostDir, parseDirSpec, writeBack, type LoadedDir } from '../host-dir.js'

export interface RunFlags {
  json: boolean
  suspendAfter?: number
  snapshotOut?: string
  env: string[]
  entry?: string
  memoryMb?: number
  cpuMs?: number
  outputBytes?: number
  stdin: boolean
  /** --dir HOST[::GUEST][:ro] (run only). */
  dirs?: string[]
  /** --fs-mb: bytes of file data the instance may hold, in MiB. */
  fsMb?: number
  /** --resume-every <ms>: suspend and resume in another worker every so often (a testing aid). */
  resumeEvery?: number
  /** --mount CID::GUEST[:ro]: UnixFS trees from the local node (preopened after the --dir ones). */
  mounts?: string[]
  /** The node --mount reads from. */
  dataDir?: string
}

function limitsOf (f: RunFlags): Record<string, number> {
  const l: Record<string, number> = {}
  if (f.memoryMb != null) l.memoryPages = Math.floor(f.memoryMb * 16)
  if (f.cpuMs != null) l.cpuTimeMs = f.cpuMs
  if (f.outputBytes != null) l.outputBytes = f.outputBytes
  if (f.fsMb != null) l.fsBytes = Math.floor(f.fsMb * (1 << 20))
  return l
}

function envOf (f: RunFlags): Record<string, string> {
  const env: Record<string, string> = {}
  for (const kv of f.env) {
    const i = kv.indexOf('=')
    if (i <= 0) throw new UsageError(`--env wants NAME=VALUE, got ${JSON.stringify(kv)}`)
    env[kv.slice(0, i)] = kv.slice(i + 1)
  }
  return env
}

export async function runCommand (file: string, args: string[], f: RunFlags): Promise<void> {
  const bytes = new Uint8Array(await readFile(file))
  const ex = new Executor({ cacheDir: cacheDir() })
  await ex.start()
  const cm = await ex.compile(bytes, { entry: f.entry })
  // isatty() in the program answers as for a native program run here.
  const tty = { stdin: process.stdin.isTTY === true, stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true }
  let dirs: { loaded: LoadedDir[], image: FsImage } | undefined
  if (f.dirs != null && f.dirs.length > 0) {
    const b = new FsBuilder()
    const loaded: LoadedDir[] = []
    for (const [i, d] of f.dirs.entries()) loaded.push(await loadHostDir(b, parseDirSpec(d), i))
    dirs = { loaded, image: b.build() }
  }
  if (f.mounts != null && f.mounts.length > 0) dirs = { loaded: dirs?.loaded ?? [], image: await (await import('./net.js')).withMounts(dirs?.image, f.mounts, f.dataDir ?? '') }
  const inst = ex.launch(cm, { args: [basename(file), ...args], env: envOf(f), limits: limitsOf(f), tty, fs: dirs?.image, resumeEvery: f.resumeEvery })
  await drive(ex, inst, bytes, f, dirs)
}

export async function resumeCommand (file: string, f: RunFlags): Promise<void> {
  const { snapshot, moduleBytes } = await snapshotFromBytes(new Uint8Array(await readFile(file)))
  if (moduleBytes == null) throw new UsageError(`${file} does not contain its module`)
  const ex = new Executor({ cacheDir: cacheDir() })
  await ex.start()
  if (f.dirs != null && f.dirs.length > 0) throw new UsageError('--dir is for run: a snapshot carries its own files')
  const inst = await ex.resume(snapshot, moduleBytes, { limits: limitsOf(f), resumeEvery: f.resumeEvery })
  await drive(ex, inst, moduleBytes, f)
}

async function drive (ex: Executor, inst: Instance, moduleBytes: Uint8Array, f: RunFlags, dirs?: { loaded: LoadedDir[], image: FsImage }): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  let snapshotDone: Promise<void> | undefined
  if (f.suspendAfter != null) {
    timer = setTimeout(() => {
      snapshotDone = (async () => {
        const r = await inst.suspend()
        const bytes = await snapshotToBytes(r.snapshot, { moduleBytes })
        const out = f.snapshotOut ?? `${inst.id}.snapshot`
        await writeFile(out, bytes)
        const summary = { instance: inst.id, state: 'suspended', file: out, bytes: bytes.byteLength, requestToCapturedMs: round(r.requestToCapturedMs), totalMs: round(r.totalMs) }
        process.stderr.write(f.json ? JSON.stringify(summary) + '\n' : `gate: suspended ${inst.id} -> ${out} (${bytes.byteLength} bytes, captured in ${summary.requestToCapturedMs} ms)\n`)
      })().catch(err => { process.stderr.write(`gate: snapshot failed: ${err.message}\n`) })
    }, f.suspendAfter)
  }
  const status = await attach(inst, { stdin: f.stdin })
  if (timer != null) clearTimeout(timer)
  if (snapshotDone != null) await snapshotDone
  if (f.json) process.stderr.write(JSON.stringify({ instance: inst.id, status, resumed: inst instanceof ResumeEveryInstance ? inst.cycles.length : undefined }) + '\n')
  else if (status.state === 'killed' && status.brokenPipe !== true) process.stderr.write(`gate: ${describe(status)}\n`)
  // A suspended instance's files are in its snapshot; an ended one's go back to the host dirs.
  const files = inst.files()
  if (dirs != null && status.state !== 'suspended') {
    if (files == null) process.stderr.write('gate: --dir: the instance ended without its filesystem; nothing written back\n')
    else for (const d of dirs.loaded) await writeBack(d, dirs.image, files)
  }
  await ex.stop()
  exit(exitCode(status))
}

const round = (x: number): number => Math.round(x * 100) / 100
