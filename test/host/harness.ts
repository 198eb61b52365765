// Host ABI test harness: compiles C test programs with clang and runs them
// uninstrumented against HostAbi with a minimal HostRuntime. Blocking imports
// are driven like the real runtime does with Asyncify: when an import calls
// wait(), the condition is satisfied (or the run is declared deadlocked) and
// the SAME import is called again with the same arguments.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ABI_FUNCTIONS, canonicalImport } from '../../compiler/abi.js'
import { ExitSignal, HostAbi, TrapSignal, type HostAbiInit, type HostRuntime, type WaitCondition } from '../../executor/host/index.js'
import type { InstanceCause } from '../../executor/types.js'

export const ROOT = resolve(import.meta.dirname, '../../..')
const PROGS = join(ROOT, 'test/host/progs')
/** gate.h, the programs' header for Gate's I/O ABI, is the test programs' one. */
const INCLUDE = join(ROOT, 'testprogs/include')
const CACHE = join(tmpdir(), 'gate-host-test-wasm')

/** Compile test/host/progs/<name>.c to wasm (cached by source hash). */
export function compileC (name: string): Uint8Array {
  const src = readFileSync(join(PROGS, `${name}.c`))
  const hdr = readFileSync(join(INCLUDE, 'gate.h'))
  const hash = createHash('sha256').update(src).update(hdr).digest('hex').slice(0, 16)
  mkdirSync(CACHE, { recursive: true })
  const out = join(CACHE, `${name}-${hash}.wasm`)
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`
    execFileSync('clang', ['--target=wasm32-wasi', '-O2', '-Wl,--strip-debug', `-I${INCLUDE}`, '-o', tmp, join(PROGS, `${name}.c`)], { stdio: 'pipe' })
    renameSync(tmp, out)
  }
  return new Uint8Array(readFileSync(out))
}

/** A HostRuntime for tests: manual monotonic clock, collected output. */
export class TestRuntime implements HostRuntime {
  mem: WebAssembly.Memory | undefined
  /** Monotonic clock; every read advances it by `tick`. */
  now: bigint
  tick = 1000n
  realBase = 1_700_000_000_000_000_000n
  waited: WaitCondition | undefined
  readonly stdout: Uint8Array[]
  readonly stderr: Uint8Array[]

  constructor (startNs = 1_000_000n, sinks?: { stdout: Uint8Array[], stderr: Uint8Array[] }) {
    this.now = startNs
    this.stdout = sinks?.stdout ?? []
    this.stderr = sinks?.stderr ?? []
  }

  memory (): WebAssembly.Memory {
    if (this.mem == null) throw new Error('no memory')
    return this.mem
  }

  wait (cond: WaitCondition): void { this.waited = cond }
  output (fd: 1 | 2, data: Uint8Array): void { (fd === 1 ? this.stdout : this.stderr).push(data.slice()) }
  monotonicNs (): bigint { this.now += this.tick; return this.now }
  realtimeNs (): bigint { return this.realBase + this.now }
  exit (code: number): never { throw new ExitSignal(code) }
  trap (cause: InstanceCause, message: string): never { throw new TrapSignal(cause, message) }
}

export class Deadlock extends Error {
  constructor (readonly cond: WaitCondition) { super(`deadlock waiting for ${JSON.stringify(cond, (_k, v) => typeof v === 'bigint' ? v.toString() : v)}`) }
}

export interface Run {
  host: HostAbi
  rt: TestRuntime
  waits: WaitCondition[]
  /** Replace the host by one restored from a structuredClone of its saved state, on a new runtime. */
  migrate: (startNs?: bigint) => void
}

export interface RunOptions {
  init?: Partial<HostAbiInit>
  /** Input pushed before the program starts. */
  input?: string | Uint8Array
  /** End input before the program starts (default: true when input is given). */
  endInput?: boolean
  /**
   * Called when a blocking import waits and its condition is not ready yet;
   * make it ready (push input, advance the clock...) or throw Deadlock.
   * Default: advance the clock to a deadline, else Deadlock.
   */
  onWait?: (cond: WaitCondition, run: Run) => void
  /** Save, structuredClone and restore the host (on a new runtime) at every wait. */
  migrateOnWait?: boolean
}

export interface Result {
  stdout: string
  stderr: string
  exitCode?: number
  trap?: { cause: InstanceCause, message: string }
  deadlock?: WaitCondition
  waits: WaitCondition[]
  host: HostAbi
  rt: TestRuntime
}

const te = new TextEncoder()
const text = (parts: Uint8Array[]): string => Buffer.concat(parts).toString()

export function advanceToDeadline (cond: WaitCondition, run: Run): void {
  if (cond.deadlineNs == null) throw new Deadlock(cond)
  if (run.rt.now < cond.deadlineNs) run.rt.now = cond.deadlineNs
}

export function runWasm (wasm: Uint8Array, opts: RunOptions = {}): Result {
  const module = new WebAssembly.Module(wasm as BufferSource)
  const rt = new TestRuntime()
  const host = new HostAbi({ instanceId: '00000000-0000-4000-8000-000000000001', args: ['prog'], randomSeed: new Uint8Array(32).fill(7), ...opts.init }, rt)
  if (opts.input !== undefined) host.pushInput(typeof opts.input === 'string' ? te.encode(opts.input) : opts.input)
  if (opts.endInput ?? opts.input !== undefined) host.endInput()
  const run: Run = {
    host,
    rt,
    waits: [],
    migrate: (startNs = 0n) => {
      const state = structuredClone(run.host.save())
      const next = new TestRuntime(startNs, { stdout: run.rt.stdout, stderr: run.rt.stderr })
      next.mem = run.rt.mem
      run.rt = next
      run.host = HostAbi.restore(state, next)
      run.host.resumed()
    }
  }
  const onWait = opts.onWait ?? advanceToDeadline
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {}
  for (const imp of WebAssembly.Module.imports(module)) {
    const key = canonicalImport(imp.module, imp.name)
    if (key == null) throw new Error(`unresolved import ${imp.module}.${imp.name}`)
    imports[imp.module] ??= {}
    imports[imp.module][imp.name] = (...args: unknown[]) => {
      for (let i = 0; i < 1000; i++) {
        run.rt.waited = undefined
        const r = run.host.functions[key](...args)
        const cond = run.rt.waited as WaitCondition | undefined
        if (cond == null) return r
        if (ABI_FUNCTIONS[key].blocking !== true) throw new Error(`non-blocking import ${key} waited`)
        run.waits.push(cond)
        if (!run.host.ready(cond, run.rt.now)) onWait(cond, run)
        if (opts.migrateOnWait === true) run.migrate()
      }
      throw new Error(`${key}: too many waits`)
    }
  }
  const instance = new WebAssembly.Instance(module, imports)
  rt.mem = instance.exports.memory as WebAssembly.Memory
  const res: Partial<Result> = {}
  try {
    (instance.exports._start as () => void)()
    res.exitCode = 0
  } catch (err) {
    if (err instanceof ExitSignal) res.exitCode = err.code
    else if (err instanceof TrapSignal) res.trap = { cause: err.cause, message: err.message }
    else if (err instanceof Deadlock) res.deadlock = err.cond
    else throw err
  }
  return { ...res, stdout: text(run.rt.stdout), stderr: text(run.rt.stderr), waits: run.waits, host: run.host, rt: run.rt }
}
