/** Where the CLI keeps its files (the only place that reads the environment). */
import { homedir } from 'node:os'
import { join } from 'node:path'

export function cacheDir (): string {
  if (process.env.GATE_CACHE_DIR != null && process.env.GATE_CACHE_DIR !== '') return process.env.GATE_CACHE_DIR
  const base = process.env.XDG_CACHE_HOME != null && process.env.XDG_CACHE_HOME !== '' ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache')
  return join(base, 'gate-p2p', 'compiled')
}
