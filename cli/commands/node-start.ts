/**
 * `gate node start`: run this host's node in the foreground until SIGINT or
 * SIGTERM, then stop gracefully (running persistent instances are
 * suspended to disk and resumed by the next start).
 */
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { GateNode } from '../../node/node.js'
import { ControlServer } from '../../node/control-api/server.js'
import type { GateNodeInit } from '../../node/config.js'
import { CONTROL_FILE, type ControlInfo } from '../client.js'
import { describeJoin, dialBootstrap, type Join } from './join.js'

const JOIN_RETRY_MS = 60_000

export interface NodeStartFlags {
  init: GateNodeInit
  controlPort?: number
  /** Serve the control API on this unix socket instead of 127.0.0.1. */
  controlSocket?: string
  /** Joining a testnet: its bootstrap peers are dialed once after the start and the outcome printed. */
  join?: Join
  /** Stop (gracefully) when this process is gone: test testnets do not outlive their test. */
  exitWith?: number
  json: boolean
}

export async function nodeStart (f: NodeStartFlags): Promise<void> {
  const node = new GateNode(f.init)
  await node.start()
  const api = new ControlServer(node, { port: f.controlPort, socket: f.controlSocket })
  const url = await api.start()
  const info: ControlInfo = { url, peerId: node.self, pid: process.pid }
  const controlFile = join(f.init.dataDir, CONTROL_FILE)
  await writeFile(controlFile, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 })
  const addrs = node.libp2p.getMultiaddrs().map(String)
  if (f.json) {
    process.stdout.write(JSON.stringify({ event: 'started', peerId: node.self, addresses: addrs, control: url, dataDir: f.init.dataDir }) + '\n')
  } else {
    process.stdout.write(`gate node ${node.self}\n${addrs.map(a => `  listening on ${a}\n`).join('')}  control API ${url}\n  data dir ${f.init.dataDir}\n`)
    const resumed = node.table.live()
    if (resumed.length > 0) process.stdout.write(`  resumed ${resumed.length} instance(s) suspended at the last stop\n`)
  }
  if (f.json) {
    node.libp2p.addEventListener('peer:connect', e => { process.stdout.write(JSON.stringify({ event: 'peer:connect', peer: e.detail.toString() }) + '\n') })
    node.libp2p.addEventListener('peer:disconnect', e => { process.stdout.write(JSON.stringify({ event: 'peer:disconnect', peer: e.detail.toString() }) + '\n') })
    // bootstrap peers may have connected while the node was starting
    for (const p of node.libp2p.getPeers()) process.stdout.write(JSON.stringify({ event: 'peer:connect', peer: p.toString() }) + '\n')
  }
  if (f.join != null) {
    const join = f.join
    // dial the bootstrap peers now, and again every minute while none answers
    const attempt = (first: boolean): void => {
      void dialBootstrap(node, join.bootstrap).then(r => {
        if (f.json) process.stdout.write(JSON.stringify({ event: 'testnet:join', testnet: join.name, ...r }) + '\n')
        if (first || r.reached > 0) process.stderr.write(describeJoin(join.name, r))
        if (r.reached === 0 && node.libp2p.getPeers().length === 0) setTimeout(() => { attempt(false) }, JOIN_RETRY_MS).unref()
      })
    }
    attempt(true)
  }
  node.on('message', m => {
    const text = Buffer.from(m.payload).toString('utf8')
    process.stdout.write(f.json ? JSON.stringify({ event: 'message', from: m.from, text }) + '\n' : `message from ${m.from}: ${text}\n`)
  })
  await new Promise<void>(resolve => {
    const stop = (): void => { resolve() }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    const parent = f.exitWith
    if (parent != null) {
      setInterval(() => {
        try { process.kill(parent, 0) } catch { process.stderr.write(`gate: process ${parent} is gone\n`); stop() }
      }, 1000).unref()
    }
  })
  process.stderr.write('gate: stopping (suspending running instances)\n')
  await api.stop()
  await node.stop()
  await rm(controlFile, { force: true })
  process.exit(0)
}
