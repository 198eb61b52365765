#!/usr/bin/env node
/**
 * The `gate` command line. stdout carries results, stderr diagnostics.
 */
import { parseArgs } from 'node:util'
import { runCommand, resumeCommand, type RunFlags } from './commands/run.js'
import { inspectCommand } from './commands/inspect.js'
import { UsageError } from './errors.js'

const USAGE = `usage: gate <command> [options]

commands:
  run <prog.wasm> [options] [-- args...]   run a program locally, like a native one
  resume <snapshot> [options]              continue a suspended snapshot file
  inspect <snapshot> [--json]              show what a snapshot holds

run/resume options:
  --suspend-after <ms>    suspend after this long and write a snapshot
  --snapshot-out <file>   where to write it (default <instance-id>.snapshot)
  --env NAME=VALUE        environment variable (repeatable)
  --entry <function>      entry function (default _start)
  --memory-mb <n>         memory limit (default 1024)
  --cpu-ms <n>            CPU time limit (default none)
  --output-bytes <n>      output limit
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
      help: { type: 'boolean', short: 'h', default: false }
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
    stdin: !values['no-stdin']
  }
  switch (cmd) {
    case 'run':
      if (rest.length < 1) throw new UsageError('run wants a module file')
      await runCommand(rest[0], [...rest.slice(1), ...progArgs], flags)
      return
    case 'resume':
      if (rest.length !== 1) throw new UsageError('resume wants one snapshot file')
      await resumeCommand(rest[0], flags)
      return
    case 'inspect':
      if (rest.length !== 1) throw new UsageError('inspect wants one snapshot file')
      await inspectCommand(rest[0], flags.json)
      return
    default:
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}`)
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  if (err.name === 'UsageError' || (err as any).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    process.stderr.write(`gate: ${err.message}\n\n${USAGE}`)
    process.exit(2)
  }
  process.stderr.write(`gate: ${err.name !== 'Error' ? err.name + ': ' : ''}${err.message}\n`)
  process.exit(1)
})
