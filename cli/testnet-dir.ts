/** Where the local testnet lives: `$GATE_TESTNET_DIR`, else `<tmp>/gate-testnet-<uid>`. */
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function defaultTestnetDir (env: NodeJS.ProcessEnv = process.env): string {
  if (env.GATE_TESTNET_DIR != null && env.GATE_TESTNET_DIR !== '') return env.GATE_TESTNET_DIR
  return join(tmpdir(), `gate-testnet-${process.getuid?.() ?? 'user'}`)
}
