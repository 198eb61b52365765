/**
 * What this node runs on, for peers choosing where to move a program: the
 * architecture, Node and V8 versions, the compiler ID and the wasm features
 * the engine has. Peers see it as libp2p identify's agent version
 * (`gate-p2p/0.1.0 (linux arm64; node 22.23.3; v8 12.4.254.21-node.57)`);
 * `gate id` prints it; `gate peers` shows each peer's.
 */
import { compilerId } from '../compiler/compile-id.js'
import { engineHasMultiMemory } from '../compiler/engine.js'

export interface Platform {
  os: string
  arch: string
  node: string
  v8: string
  compiler: string
  /** Wasm features beyond the MVP that our output can use. */
  wasmFeatures: string[]
}

export const GATE_AGENT = 'gate-p2p/0.1.0'

let mine: Platform | undefined
/** This process's platform (the same for its whole life). */
export function platform (): Platform {
  return mine ??= {
    os: process.platform,
    arch: process.arch,
    node: process.versions.node,
    v8: process.versions.v8,
    compiler: compilerId({}),
    wasmFeatures: engineHasMultiMemory() ? ['multi-memory'] : []
  }
}

export function userAgent (p: Platform = platform()): string {
  return `${GATE_AGENT} (${p.os} ${p.arch}; node ${p.node}; v8 ${p.v8})`
}

/** Parse another gate node's agent version; undefined for other agents. */
export function parseUserAgent (ua: string): { arch: string, os: string, node: string, v8: string } | undefined {
  const m = /^gate-p2p\/\S+ \((\S+) (\S+); node (\S+); v8 (\S+)\)/.exec(ua)
  return m == null ? undefined : { os: m[1], arch: m[2], node: m[3], v8: m[4] }
}
