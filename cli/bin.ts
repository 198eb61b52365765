#!/usr/bin/env node
/**
 * The `gate` command line. stdout carries results, stderr diagnostics.
 */
import { parseArgs } from 'node:util'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { UsageError } from './errors.js'
import type { RunFlags } from './commands/run.js'
import type { NetFlags } from './commands/net.js'
import { defaultDataDir } from '../node/config.js'
import { defaultTestnetDir } from './testnet-dir.js'
// Commands are imported when used: the node stack (Helia, libp2p) and the
// compiler (Binaryen) take seconds to load, which a client command never needs.
const run = async (): Promise<typeof import('./commands/run.js')> => await import('./commands/run.js')
const net = async (): Promise<typeof import('./commands/net.js')> => await import('./commands/net.js')

const USAGE = `usage: gate <command> [options]

local programs (no node needed):
  run <prog.wasm> [options] [-- args...]   run a program locally, like a native one
  resume <snapshot-file> [options]         continue a suspended snapshot file
  inspect <snapshot> [--json]              show what a snapshot holds

the node (one per host; the other commands talk to it):
  node start [node options]                run this host's node in the foreground
  status | node status                     the node: instances live, memory committed / budget, limits, usage
  id                                       this node's peer ID and addresses
  peers                                    connected peers
  connect <multiaddr>                      connect to a peer
  publish <prog.wasm>                      add a module to IPFS, print its CID
  run <cid> [-- args...]                   fetch a module by CID and run it here
  send <peer-id> <prog.wasm|cid> [-- args...]  run a program on a peer, output here
  launch <prog.wasm|cid> [--peer <id>]     start a persistent instance, print its ID
  msg <peer-id> <text...> [--to <name|id>] message a node (or a program on it)
  messages                                 messages this node received
  instances [--peer <id>]                  instances here (or yours on a peer)
  status|kill|suspend|resume|delete <instance> [--peer <id>]
  io <instance> [--peer <id>]              attach to an instance's I/O
  snapshot <instance>                      snapshot into IPFS, print the root CID (run <cid> resumes it anywhere)
  fs <instance>                            its files now as a UnixFS tree in IPFS, print the root CID
  send|launch ... --dir HOST[::GUEST][:ro]  the dir travels by IPFS; send writes the changes back at exit
  migrate <instance> <peer-id>             move a running instance of this node there (live, pre-copy)
  clone <instance> <peer-id>               start a copy there (new ID, new randomness)
  services [list] | find <name> | advertise <name>

a local testnet (node processes on this machine; see testnet/):
  testnet up [-n N] [--netns] [--arch arm64=I[,J]]
                                           start N nodes (default 3), node 1 the bootstrap node;
                                           nodes I, J on arm64 Node (qemu-user on x86-64)
  testnet status | down [--keep]           show them | stop them all (and delete their files)
  testnet start|stop|kill <i>              restart node i | stop it gracefully | crash it (SIGKILL)
  testnet cut|heal <i>                     pull node i's network cable | plug it back (--netns only)
  --node <i>                               with any command above: talk to node i of the local testnet
  --testnet-dir <dir>                      where the testnet lives (default $GATE_TESTNET_DIR or <tmp>/gate-testnet-<uid>)

node options:
  --data-dir <dir>        identity, blocks, instances (default $GATE_DATA_DIR or ~/.local/share/gate-p2p)
  --listen <multiaddr>    listen address (repeatable; default TCP and WS on all interfaces)
  --bootstrap <multiaddr> peer to join (repeatable)
  --control-port <n>      control API port on 127.0.0.1 (default random, see <data-dir>/control.json)
  --control-socket <path> serve the control API on a unix socket instead
  --exit-with <pid>       stop when that process is gone
  --testnet public|local  join the public testnet (testnet/public.json, or $GATE_TESTNET_FILE) or the local one
  --allow <peer-id>       accept deploys only from these peers (repeatable; default open with quotas)
  --dht amino             use the public IPFS DHT instead of the Gate one
  --mdns                  find peers on the LAN
  --ipfs-api <url>        fetch/publish modules through a Kubo daemon instead of the embedded Helia
  --memory-budget-mb <n>  linear memory all running instances may reserve (default half the RAM)
  --remote-memory-mb <n>  memory cap of each deploy from another peer (default 256)
  --peer-memory-mb <n>    memory one other peer's instances may hold together (default an eighth of the budget)
  --range-memory-mb <n>   ... one address range's (/24, /48; default half the budget)
  --remote-cpu-ms <n>     CPU time limit of each deploy from another peer (default 60000; 0 = none)
  --remote-output-kbps <n>  output (stdout+stderr) KiB/s of each instance of another peer; past it
                          its writes wait (default 1024; 0 = none)
  --max-instances <n>     instances in workers on this node (default 256; hibernated ones count below)
  --max-hibernated <n>    hibernated instances on this node (default 1000000)
  --peer-hibernated <n>   hibernated instances one other peer may have (default 1024)
  --hibernate-after-ms <n>  an instance waiting this long is hibernated into the blockstore (default 30000; 0 = never)
  --peer-instances <n>    instances one peer may run (default 8); --peer-deploys-per-min <n> (default 60)
  --range-instances <n>   instances one address range (/24, /48) may run (default 32)
  --range-deploys-per-min <n>  deploys from one address range per minute (default 240)
  --message-rate <n>      inbound messages per second per peer (default 200; 4x per range)

run/resume options:
  --suspend-after <ms>    suspend after this long and write a snapshot
  --snapshot-out <file>   where to write it (default <instance-id>.snapshot)
  --env NAME=VALUE        environment variable (repeatable)
  --entry <function>      entry function (default _start)
  --memory-mb <n>         memory limit (default 1024)
  --cpu-ms <n>            CPU time limit (default none)
  --output-bytes <n>      output limit
  --dir HOST[::GUEST][:ro]  preopen a host directory (repeatable; GUEST defaults to HOST as given);
                          run only: loaded into memory, changes written back when the program ends
                          (never through a symlink; :ro dirs never)
  --mount CID::GUEST[:ro] preopen a UnixFS tree from IPFS (repeatable; run, send, launch; after the --dir ones)
  --fs-mb <n>             file data the program may hold (default 512)
  --resume-every <ms>     testing aid: suspend and resume in another worker this often
  --no-stdin              do not forward stdin
  --json                  structured output
`

async function main (argv: string[]): Promise<void> {
  const dd = argv.indexOf('--')
  const progArgs = dd >= 0 ? argv.slice(dd + 1) : []
  const { values, positionals } = parseArgs({
    args: dd >= 0 ? argv.slice(0, dd) : argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'suspend-after': { type: 'string' },
      'snapshot-out': { type: 'string' },
      env: { type: 'string', multiple: true, default: [] },
      entry: { type: 'string' },
      'memory-mb': { type: 'string' },
      'cpu-ms': { type: 'string' },
      'output-bytes': { type: 'string' },
      'no-stdin': { type: 'boolean', default: false },
      dir: { type: 'string', multiple: true, default: [] },
      mount: { type: 'string', multiple: true, default: [] },
      'fs-mb': { type: 'string' },
      'resume-every': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      'data-dir': { type: 'string' },
      peer: { type: 'string' },
      to: { type: 'string' },
      persist: { type: 'boolean', default: false },
      progress: { type: 'boolean', default: false },
      listen: { type: 'string', multiple: true, default: [] },
      bootstrap: { type: 'string', multiple: true, default: [] },
      'control-port': { type: 'string' },
      allow: { type: 'string', multiple: true, default: [] },
      dht: { type: 'string' },
      mdns: { type: 'boolean', default: false },
      'ipfs-api': { type: 'string' },
      'control-socket': { type: 'string' },
      testnet: { type: 'string' },
      'testnet-dir': { type: 'string' },
      node: { type: 'string' },
      n: { type: 'string', short: 'n' },
      netns: { type: 'boolean', default: false },
      arch: { type: 'string', multiple: true, default: [] },
      keep: { type: 'boolean', default: false },
      'exit-with': { type: 'string' },
      'memory-budget-mb': { type: 'string' },
      'remote-memory-mb': { type: 'string' },
      'peer-memory-mb': { type: 'string' },
      'range-memory-mb': { type: 'string' },
      'remote-cpu-ms': { type: 'string' },
      'remote-output-kbps': { type: 'string' },
      'max-instances': { type: 'string' },
      'max-hibernated': { type: 'string' },
      'peer-hibernated': { type: 'string' },
      'hibernate-after-ms': { type: 'string' },
      'peer-instances': { type: 'string' },
      'peer-deploys-per-min': { type: 'string' },
      'range-instances': { type: 'string' },
      'range-deploys-per-min': { type: 'string' },
      'message-rate': { type: 'string' }
    }
  })
  const [cmd, ...rest] = positionals
  if (values.help || cmd == null) { process.stdout.write(USAGE); return }
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v == null) return undefined
    const n = Number(v)
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} wants a non-negative number, got ${JSON.stringify(v)}`)
    return n
  }
  const flags: RunFlags = {
    json: values.json,
    suspendAfter: num('suspend-after', values['suspend-after']),
    snapshotOut: values['snapshot-out'],
    env: values.env,
    entry: values.entry,
    memoryMb: num('memory-mb', values['memory-mb']),
    cpuMs: num('cpu-ms', values['cpu-ms']),
    outputBytes: num('output-bytes', values['output-bytes']),
    stdin: !values['no-stdin'],
    dirs: values.dir,
    fsMb: num('fs-mb', values['fs-mb']),
    resumeEvery: num('resume-every', values['resume-every'])
  }
  const testnetDir = values['testnet-dir'] ?? defaultTestnetDir()
  if (values.node != null && values['data-dir'] != null) throw new UsageError('--node and --data-dir both name a node: give one')
  if (values.node != null && !/^[1-9][0-9]*$/.test(values.node)) throw new UsageError(`--node wants a node number of the local testnet, got ${JSON.stringify(values.node)}`)
  const dataDir = values.node != null ? join(testnetDir, `n${values.node}`) : values['data-dir'] ?? defaultDataDir()
  flags.mounts = values.mount
  flags.dataDir = dataDir
  const netFlags: NetFlags = { dirs: values.dir, mounts: values.mount, dataDir, json: values.json, peer: values.peer, to: values.to, env: values.env, entry: values.entry, stdin: !values['no-stdin'], persist: values.persist, progress: values.progress }
  switch (cmd) {
    case 'run':
      if (rest.length < 1) throw new UsageError('run wants a module file or CID')
      if (!existsSync(rest[0]) && /^[0-9A-Za-z]{20,}$/.test(rest[0])) {
        const { ControlClient } = await import('./client.js')
        await (await net()).callCommand(await ControlClient.open(dataDir), rest[0], [...rest.slice(1), ...progArgs], netFlags)
        return
      }
      await (await run()).runCommand(rest[0], [...rest.slice(1), ...progArgs], flags)
      return
    case 'testnet':
      await (await import('./commands/testnet.js')).testnetCommand(rest, { dir: testnetDir, json: values.json, nodes: num('n', values.n), netns: values.netns, arm64: archNodes(values.arch as string[]), keep: values.keep, nodeArgs: progArgs })
      return
    case 'node': {
      if (rest[0] === 'status' && rest.length === 1) { await (await net()).netCommand('status', [], [], netFlags); return }
      if (rest[0] !== 'start') throw new UsageError('node wants a subcommand: start or status')
      if (values.dht != null && values.dht !== 'amino' && values.dht !== 'gate') throw new UsageError('--dht is gate or amino')
      const joining = values.testnet != null ? await (await import('./commands/join.js')).resolveTestnet(values.testnet, testnetDir) : undefined
      await (await import('./commands/node-start.js')).nodeStart({
        json: values.json,
        controlPort: num('control-port', values['control-port']),
        controlSocket: values['control-socket'],
        join: joining,
        exitWith: num('exit-with', values['exit-with']),
        init: {
          ...joining?.init,
          dataDir,
          listen: values.listen.length > 0 ? values.listen : undefined,
          bootstrap: [...(joining?.bootstrap ?? []), ...values.bootstrap],
          dht: (values.dht ?? joining?.init.dht) as 'gate' | 'amino' | undefined,
          mdns: values.mdns,
          ipfsApi: values['ipfs-api'],
          hibernateAfterMs: num('hibernate-after-ms', values['hibernate-after-ms']),
          policy: defined({
            ...(values.allow.length > 0 ? { mode: 'allow-list' as const, allow: values.allow } : {}),
            maxInstances: num('max-instances', values['max-instances']),
            maxHibernated: num('max-hibernated', values['max-hibernated']),
            maxHibernatedPerPeer: num('peer-hibernated', values['peer-hibernated']),
            maxInstancesPerPeer: num('peer-instances', values['peer-instances']),
            deploysPerMinute: num('peer-deploys-per-min', values['peer-deploys-per-min']),
            maxInstancesPerRange: num('range-instances', values['range-instances']),
            deploysPerMinutePerRange: num('range-deploys-per-min', values['range-deploys-per-min'])
          }),
          budget: defined({
            memoryBytes: mib(num('memory-budget-mb', values['memory-budget-mb'])),
            remoteMemoryBytes: mib(num('remote-memory-mb', values['remote-memory-mb'])),
            peerMemoryBytes: mib(num('peer-memory-mb', values['peer-memory-mb'])),
            rangeMemoryBytes: mib(num('range-memory-mb', values['range-memory-mb'])),
            remoteCpuMs: num('remote-cpu-ms', values['remote-cpu-ms']),
            remoteOutputBytesPerSecond: kib(num('remote-output-kbps', values['remote-output-kbps'])),
            messagesPerSecond: num('message-rate', values['message-rate']),
            messagesPerSecondPerRange: ((n?: number) => n != null ? n * 4 : undefined)(num('message-rate', values['message-rate']))
          })
        }
      })
      return
    }
    case 'resume':
      if (rest.length !== 1) throw new UsageError('resume wants one snapshot file')
      if (!existsSync(rest[0]) && /^[0-9a-f-]{36}$/.test(rest[0])) { await (await net()).netCommand('resume', rest, progArgs, netFlags); return }
      await (await run()).resumeCommand(rest[0], flags)
      return
    case 'inspect':
      if (rest.length !== 1) throw new UsageError('inspect wants one snapshot file')
      await (await import('./commands/inspect.js')).inspectCommand(rest[0], flags.json)
      return
    default:
      if (await (await net()).netCommand(cmd, rest, progArgs, netFlags)) return
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}`)
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  if (err.name === 'UsageError' || (err as any).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    process.stderr.write(`gate: ${err.message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (err.name === 'ApiError') process.stderr.write(`gate: ${(err as any).code as string}: ${err.message}\n`)
  else if (err.name === 'NodeNotRunningError' || err.name === 'TestnetError') process.stderr.write(`gate: ${err.message}\n`)
  else process.stderr.write(`gate: ${err.name !== 'Error' ? err.name + ': ' : ''}${err.message}\n`)
  process.exit(1)
})

/** The keys with a value; undefined when there is none (the node's defaults apply). */
function defined<T extends object> (o: T): Partial<T> | undefined {
  const e = Object.entries(o).filter(([, v]) => v != null)
  return e.length > 0 ? Object.fromEntries(e) as Partial<T> : undefined
}

const mib = (n: number | undefined): number | undefined => n != null ? Math.floor(n * 1024 * 1024) : undefined
const kib = (n: number | undefined): number | undefined => n != null ? Math.floor(n * 1024) : undefined

/** `--arch arm64=1,3` (repeatable) -> [1, 3]. */
function archNodes (specs: string[]): number[] {
  const out: number[] = []
  for (const spec of specs) {
    const m = /^([a-z0-9_]+)=(\d+(?:,\d+)*)$/.exec(spec)
    if (m == null) throw new UsageError(`--arch wants arm64=I[,J...] (node numbers), got ${JSON.stringify(spec)}`)
    if (m[1] !== 'arm64') throw new UsageError(`--arch: only arm64 nodes can be emulated here, not ${m[1]}`)
    out.push(...m[2].split(',').map(Number))
  }
  return out
}
