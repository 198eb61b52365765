/**
 * A local testnet: N `gate node start` processes on this machine, node 1 the
 * bootstrap node and the others joining it. On 127.0.0.1 by default; with
 * `netns`, each node in a network namespace of its own (10.77.0.<i>),
 * bridged, so that a node can be cut off the network and plugged back in.
 * All state is in `<dir>/testnet.json`, so any process can drive it.
 */
import { mkdir, rm, rmdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { TestnetError } from './errors.js'
import { addNode, createHub, destroy, nodeIp, setLink } from './netns.js'
import { arm64Runtime } from './arm64.js'
import { spawnNode, stopProcess, isNodeProcess, waitForPeer } from './process.js'
import { readState, writeState, STATE_FILE, type TestnetNodeState, type TestnetState } from './state.js'

export interface TestnetInit {
  /** Where node data dirs, logs and the state file go. */
  dir: string
  /** How many nodes (1..250). */
  nodes: number
  /** One network namespace per node (root, Linux). */
  netns?: boolean
  /** Extra arguments for every `gate node start` (e.g. ['--allow', id]). */
  nodeArgs?: string[]
  /** Nodes stop by themselves when this process is gone (tests set their own pid). */
  exitWithPid?: number
  /** How many nodes start at once after the bootstrap node (default 4). */
  concurrency?: number
  /** Nodes (1-based) that run on arm64 Node under qemu-user (x86-64 hosts; natively on arm64). */
  arm64?: number[]
  /** Where the arm64 Node and addons are cached (default ~/.cache/gate-p2p/arm64). */
  archCacheDir?: string
  /** Per node (default 60 s; at least 180 s for an emulated node). */
  startTimeoutMs?: number
  signal?: AbortSignal
  onEvent?: (e: TestnetEvent) => void
}

export type TestnetEvent =
  | { type: 'testnet:node:started', node: TestnetNodeState, ms: number }
  | { type: 'testnet:node:stopped', node: TestnetNodeState }
  | { type: 'testnet:warning', message: string }
  /** Setting up what the testnet needs (the arm64 runtime: packages, downloads). */
  | { type: 'testnet:setup', message: string }

const DEFAULT_START_TIMEOUT = 60_000
const JOIN_TIMEOUT = 15_000
/** An emulated node starts in ~30 s on an idle 2-core machine. */
const EMULATED_START_TIMEOUT = 180_000

export class LocalTestnet {
  private constructor (private state: TestnetState) {}

  get dir (): string { return this.state.dir }
  get nodes (): readonly TestnetNodeState[] { return this.state.nodes }
  get netns (): boolean { return this.state.netnsPrefix != null }

  node (i: number): TestnetNodeState {
    const n = this.state.nodes.find(n => n.index === i)
    if (n == null) throw new TestnetError(`no node ${i} in this testnet (it has 1..${this.state.nodes.length})`)
    return n
  }

  /** Whether node i's process is alive. */
  running (i: number): boolean {
    const n = this.node(i)
    return n.pid > 0 && isNodeProcess(n.pid, n.dataDir)
  }

  /** The testnet described by `<dir>/testnet.json`. */
  static async open (dir: string): Promise<LocalTestnet> {
    return new LocalTestnet(await readState(dir))
  }

  /** Start a new testnet in `dir`; on any failure everything started is stopped again. */
  static async up (init: TestnetInit): Promise<LocalTestnet> {
    if (!Number.isInteger(init.nodes) || init.nodes < 1 || init.nodes > 250) throw new TestnetError(`a testnet has 1..250 nodes, not ${init.nodes}`)
    for (const i of init.arm64 ?? []) if (!Number.isInteger(i) || i < 1 || i > init.nodes) throw new TestnetError(`--arch arm64=${i}: no node ${i} in a testnet of ${init.nodes}`)
    // set up the emulation before any node starts: a clear error if this host cannot
    if ((init.arm64 ?? []).length > 0) await arm64Runtime({ cacheDir: init.archCacheDir, signal: init.signal, log: m => init.onEvent?.({ type: 'testnet:setup', message: m }) })
    const existing = await LocalTestnet.open(init.dir).catch(() => undefined)
    if (existing != null && existing.nodes.some(n => existing.running(n.index))) throw new TestnetError(`a testnet is already running in ${init.dir} (gate testnet down first)`)
    await mkdir(init.dir, { recursive: true })
    const state: TestnetState = {
      version: 1,
      dir: init.dir,
      createdAt: new Date().toISOString(),
      ...(init.archCacheDir != null ? { archCacheDir: init.archCacheDir } : {}),
      nodeArgs: [...(init.nodeArgs ?? []), ...(init.exitWithPid != null ? ['--exit-with', String(init.exitWithPid)] : [])],
      nodes: []
    }
    if (init.netns === true) state.netnsPrefix = `gtn${randomBytes(3).toString('hex')}`
    const tn = new LocalTestnet(state)
    try {
      if (state.netnsPrefix != null) await createHub({ prefix: state.netnsPrefix })
      for (let i = 1; i <= init.nodes; i++) {
        const dataDir = join(init.dir, `n${i}`)
        await rm(dataDir, { recursive: true, force: true })
        await mkdir(dataDir, { recursive: true })
        const n: TestnetNodeState = {
          index: i,
          name: `n${i}`,
          dataDir,
          log: join(init.dir, `n${i}.log`),
          listen: state.netnsPrefix != null
            ? [`/ip4/${nodeIp(i)}/tcp/4001`, `/ip4/${nodeIp(i)}/tcp/4002/ws`]
            : ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
          bootstrap: [],
          pid: 0,
          peerId: '',
          addresses: [],
          control: ''
        }
        if (state.netnsPrefix != null) n.netns = await addNode({ prefix: state.netnsPrefix }, i)
        if (init.arm64?.includes(i) === true) n.arch = 'arm64'
        await rm(n.log, { force: true })
        state.nodes.push(n)
      }
      await writeState(state)
      const timeout = init.startTimeoutMs ?? DEFAULT_START_TIMEOUT
      await tn.startNode(1, { timeoutMs: timeout, signal: init.signal, onEvent: init.onEvent })
      const boot = bootstrapAddrs(tn.node(1))
      for (const n of state.nodes.slice(1)) n.bootstrap = boot
      const rest = state.nodes.slice(1).map(n => n.index)
      const width = Math.max(1, init.concurrency ?? 4)
      let failed: unknown
      // on a failure the other starts already under way finish first, so
      // that down() below finds every process that was started
      await Promise.all(Array.from({ length: width }, async () => {
        for (let i = rest.shift(); i != null && failed == null; i = rest.shift()) {
          await tn.startNode(i, { timeoutMs: timeout, signal: init.signal, onEvent: init.onEvent }).catch(err => { failed ??= err })
        }
      }))
      if (failed != null) throw failed
      return tn
    } catch (err) {
      await tn.down({ keepFiles: true }).catch(() => {})
      throw err
    }
  }

  /**
   * (Re)start node i with its data dir, addresses and bootstrap list: after
   * a crash or a graceful stop it comes back with the same peer ID and
   * ports, and resumes the instances its last graceful stop suspended.
   */
  async startNode (i: number, opts: { timeoutMs?: number, signal?: AbortSignal, onEvent?: (e: TestnetEvent) => void } = {}): Promise<TestnetNodeState> {
    const n = this.node(i)
    if (this.running(i)) throw new TestnetError(`node ${i} is already running (pid ${n.pid})`)
    const t0 = performance.now()
    const from = await stat(n.log).then(s => s.size, () => 0)
    const args = ['--data-dir', n.dataDir, ...n.listen.flatMap(a => ['--listen', a]), ...n.bootstrap.flatMap(a => ['--bootstrap', a])]
    if (n.netns != null) args.push('--control-socket', join(n.dataDir, 'control.sock'))
    args.push(...this.state.nodeArgs)
    const runtime = n.arch === 'arm64' ? await arm64Runtime({ cacheDir: this.state.archCacheDir, signal: opts.signal }) : undefined
    const timeoutMs = opts.timeoutMs ?? DEFAULT_START_TIMEOUT
    const s = await spawnNode({ args, log: n.log, netns: n.netns, runtime, timeoutMs: runtime?.emulated === true ? Math.max(timeoutMs, EMULATED_START_TIMEOUT) : timeoutMs, signal: opts.signal })
    Object.assign(n, s)
    // the ports are fixed from now on, so that a restart keeps its addresses
    n.listen = [...new Set(s.addresses.map(a => a.replace(/\/p2p\/.*$/, '')))]
    await writeState(this.state)
    if (n.bootstrap.length > 0 && !(await waitForPeer(n.log, from, JOIN_TIMEOUT))) {
      opts.onEvent?.({ type: 'testnet:warning', message: `node ${i} has no peer ${JOIN_TIMEOUT / 1000} s after its start (bootstrap ${n.bootstrap.join(', ')})` })
    }
    opts.onEvent?.({ type: 'testnet:node:started', node: n, ms: performance.now() - t0 })
    return n
  }

  /** Stop node i: gracefully (SIGTERM, instances suspended) or as a crash (SIGKILL). */
  async stopNode (i: number, how: 'graceful' | 'crash' = 'graceful'): Promise<void> {
    const n = this.node(i)
    await stopProcess(n.pid, n.dataDir, how === 'crash' ? 'SIGKILL' : 'SIGTERM')
    n.pid = 0
    await writeState(this.state)
  }

  /** Pull node i's network cable (netns testnets only); `heal` plugs it back in. */
  async cut (i: number): Promise<void> { await this.setCable(i, false) }
  async heal (i: number): Promise<void> { await this.setCable(i, true) }

  private async setCable (i: number, up: boolean): Promise<void> {
    const n = this.node(i)
    if (this.state.netnsPrefix == null) throw new TestnetError('cut and heal need a testnet started with --netns')
    await setLink({ prefix: this.state.netnsPrefix }, i, up)
    n.cut = !up
    await writeState(this.state)
  }

  /** Stop every node (gracefully, in parallel), remove namespaces, and the files unless `keepFiles`. */
  async down (opts: { keepFiles?: boolean, how?: 'graceful' | 'crash' } = {}): Promise<void> {
    await Promise.all(this.state.nodes.map(async n => {
      if (n.pid > 0) await stopProcess(n.pid, n.dataDir, opts.how === 'crash' ? 'SIGKILL' : 'SIGTERM')
      n.pid = 0
    }))
    if (this.state.netnsPrefix != null) await destroy({ prefix: this.state.netnsPrefix })
    if (opts.keepFiles === true) await writeState(this.state).catch(() => {})
    else {
      // only what up made: the dir may hold other things of the user's
      for (const n of this.state.nodes) {
        await rm(n.dataDir, { recursive: true, force: true })
        await rm(n.log, { force: true })
      }
      await rm(join(this.state.dir, STATE_FILE), { force: true })
      await rmdir(this.state.dir).catch(() => {})
    }
  }
}

/** A node's TCP addresses with its peer ID: what others bootstrap from. */
export function bootstrapAddrs (n: TestnetNodeState): string[] {
  return n.addresses
    .filter(a => a.includes('/tcp/') && !a.includes('/ws'))
    .map(a => a.replace(/\/p2p\/.*$/, '') + `/p2p/${n.peerId}`)
}
