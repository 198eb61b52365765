/**
 * Imported first by a bench: runs the bench again in a child process with
 * the environment bin/gate gives a gate process (cli/glibc-env.ts), unless
 * this process has it already, so a bench measures what `gate` runs.
 */
import { spawnSync } from 'node:child_process'
import { gateProcessEnv } from '../cli/glibc-env.js'

const env = gateProcessEnv()
if (env !== process.env) {
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env })
  process.exit(r.status ?? 1)
}
