/** Node options and their documented defaults. */
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { ComponentLogger } from '@libp2p/interface'
import type { ExecutorInit } from '../executor/index.js'
import type { PolicyInit } from './policy.js'
import type { BudgetInit } from './budget.js'

export interface GateNodeInit {
  /** Identity, blocks, persisted instances, compile cache. */
  dataDir: string
  /** Multiaddrs to listen on (default: TCP and WebSockets on all interfaces, random ports). */
  listen?: string[]
  /** Multiaddrs (with /p2p/<id>) to join. */
  bootstrap?: string[]
  /** 'gate' (our own Kademlia, /gate/kad/1.0.0) or 'amino' (the public IPFS DHT, /ipfs/kad/1.0.0). */
  dht?: 'gate' | 'amino'
  /** Discover peers on the LAN with mDNS (multicast; off by default). */
  mdns?: boolean
  /** Keep loopback/private addresses in DHT records (needed on a one-machine testnet). */
  privateAddresses?: boolean
  /**
   * On the public internet (the public testnet): AutoNAT finds out whether
   * this node can be dialed, the DHT serves only then (client mode behind
   * NAT), circuit relay v2 lets peers behind NAT be reached through a relay
   * and DCUtR upgrades such connections to direct ones; private addresses
   * are left out of DHT records.
   */
  publicNetwork?: boolean
  /** Use a Kubo daemon's RPC API (e.g. http://127.0.0.1:5001) for modules instead of the embedded Helia. */
  ipfsApi?: string
  executor?: ExecutorInit
  policy?: Partial<PolicyInit>
  /**
   * Node-wide budgets (node/budget.ts): memory all running instances may
   * reserve (default half the RAM), remote deploys' memory cap (256 MiB)
   * and CPU limit (60 s), inbound message rates.
   */
  budget?: Partial<BudgetInit>
  /** Largest module accepted or fetched (default 64 MiB). */
  maxModuleBytes?: number
  /** Re-advertise service names this often (default 10 min). */
  reprovideMs?: number
  /**
   * Hibernate an instance that has waited (for input, a message, a timer)
   * this long: suspended into the node's blockstore, its memory and worker
   * slot released, woken by input, a message or its deadline
   * (executor/hibernate.ts). Default 30 s; 0 = never.
   */
  hibernateAfterMs?: number
  logger?: ComponentLogger
}

export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws']
export const DEFAULT_MAX_MODULE_BYTES = 64 * 1024 * 1024
export const DEFAULT_REPROVIDE_MS = 10 * 60 * 1000
export const DEFAULT_HIBERNATE_AFTER_MS = 30_000

/** `$GATE_DATA_DIR`, else `$XDG_DATA_HOME/gate-p2p`, else `~/.local/share/gate-p2p`. */
export function defaultDataDir (env: NodeJS.ProcessEnv = process.env): string {
  if (env.GATE_DATA_DIR != null && env.GATE_DATA_DIR !== '') return env.GATE_DATA_DIR
  const base = env.XDG_DATA_HOME != null && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share')
  return join(base, 'gate-p2p')
}
