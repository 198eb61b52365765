/**
 * `gate testnet up|down|status|start|stop|kill|cut|heal`: a local testnet of
 * node processes on this machine (testnet/local.ts). Each node is then
 * driven like any node, with `--node <i>` (or `--data-dir <dir>/n<i>`).
 */
import { bootstrapAddrs, LocalTestnet, type TestnetEvent, type TestnetNodeState } from '../../testnet/index.js'
import { UsageError } from '../errors.js'

export interface TestnetFlags {
  dir: string
  json: boolean
  nodes?: number
  netns: boolean
  keep: boolean
  nodeArgs: string[]
  /** Nodes that run on arm64 (`--arch arm64=I[,J...]`). */
  arm64?: number[]
}


const out = (s: string): void => { process.stdout.write(s) }

function row (tn: LocalTestnet, n: TestnetNodeState): string {
  const state = !tn.running(n.index) ? 'stopped' : n.cut === true ? 'cut off' : 'running'
  const addr = bootstrapAddrs(n)[0] ?? ''
  return `${n.name.padEnd(4)} ${n.peerId}  ${state.padEnd(8)} ${n.arch ?? process.arch}  ${addr}  control ${n.control}${n.netns != null ? `  netns ${n.netns}` : ''}\n`
}

function summary (tn: LocalTestnet, n: TestnetNodeState): object {
  return { ...n, state: !tn.running(n.index) ? 'stopped' : n.cut === true ? 'cut' : 'running' }
}

export async function testnetCommand (args: string[], f: TestnetFlags): Promise<void> {
  const [sub, ...rest] = args
  const index = (): number => {
    const i = Number(rest[0])
    if (!Number.isInteger(i) || i < 1) throw new UsageError(`testnet ${sub ?? ''} wants a node number (1, 2, ...)`)
    return i
  }
  const onEvent = (e: TestnetEvent): void => {
    if (f.json) return
    if (e.type === 'testnet:node:started') process.stderr.write(`started ${e.node.name} ${e.node.peerId} in ${e.ms.toFixed(0)} ms\n`)
    if (e.type === 'testnet:warning') process.stderr.write(`warning: ${e.message}\n`)
    if (e.type === 'testnet:setup') process.stderr.write(`setup: ${e.message}\n`)
  }
  switch (sub) {
    case 'up': {
      const n = f.nodes ?? 3
      const tn = await LocalTestnet.up({ dir: f.dir, nodes: n, netns: f.netns, nodeArgs: f.nodeArgs, arm64: f.arm64, onEvent })
      if (f.json) { out(JSON.stringify({ dir: tn.dir, nodes: tn.nodes.map(n => summary(tn, n)) }, null, 2) + '\n'); return }
      out(`local testnet of ${n} node(s) in ${tn.dir}${tn.netns ? ' (one network namespace each)' : ''}\n`)
      for (const node of tn.nodes) out(row(tn, node))
      out(`drive a node with: gate --node <i> <command>   (e.g. gate --node 2 peers)\nstop it with:      gate testnet down\n`)
      return
    }
    case 'status':
    case 'ls': {
      const tn = await LocalTestnet.open(f.dir)
      if (f.json) { out(JSON.stringify({ dir: tn.dir, nodes: tn.nodes.map(n => summary(tn, n)) }, null, 2) + '\n'); return }
      for (const node of tn.nodes) out(row(tn, node))
      return
    }
    case 'down': {
      const tn = await LocalTestnet.open(f.dir)
      await tn.down({ keepFiles: f.keep })
      if (!f.json) out(`stopped ${tn.nodes.length} node(s)${f.keep ? `; files kept in ${tn.dir}` : ''}\n`)
      return
    }
    case 'start': {
      const tn = await LocalTestnet.open(f.dir)
      const n = await tn.startNode(index(), { onEvent })
      out(f.json ? JSON.stringify(summary(tn, n)) + '\n' : row(tn, n))
      return
    }
    case 'stop':
    case 'kill': {
      const tn = await LocalTestnet.open(f.dir)
      await tn.stopNode(index(), sub === 'kill' ? 'crash' : 'graceful')
      if (!f.json) out(`${sub === 'kill' ? 'killed' : 'stopped'} n${index()}\n`)
      return
    }
    case 'cut':
    case 'heal': {
      const tn = await LocalTestnet.open(f.dir)
      if (sub === 'cut') await tn.cut(index()); else await tn.heal(index())
      if (!f.json) out(`n${index()} ${sub === 'cut' ? 'cut off the network' : 'back on the network'}\n`)
      return
    }
    default:
      throw new UsageError('testnet wants a subcommand: up [-n N] [--netns] | status | down [--keep] | start|stop|kill <i> | cut|heal <i>')
  }
}
