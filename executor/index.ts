/**
 * @packageDocumentation
 * Runs instrumented WebAssembly in worker threads, with limits, and captures
 * and resumes running instances.
 *
 * @example
 * ```ts
 * const ex = new Executor(); await ex.start()
 * const inst = ex.launch(await ex.compile(wasmBytes), { args: ['prog'] })
 * inst.on('stdout', d => process.stdout.write(d))
 * const { snapshot } = await inst.suspend()
 * const again = await ex.resume(snapshot, wasmBytes)
 * console.log(await again.wait())
 * ```
 */
export { Executor, DEFAULT_LIMITS, type ExecutorInit, type ExecutorStats, type LaunchOptions } from './executor.js'
export { Instance, type SnapshotResult } from './instance.js'
export { ResumeEveryInstance, type ResumeCycle } from './resume-every.js'
export { HibernatingInstance, type HibernatedStart, type HibernateOptions, type HibernatePhase } from './hibernate.js'
export type { FsImage } from './host/vfs/image.js'
export * from './errors.js'
export type * from './types.js'
export type { RuntimeLimits } from './worker/messages.js'
export { PEER_OK, PEER_ERR_INVALID, PEER_ERR_FAILED, PEER_ERR_UNREACHABLE, PEER_ERR_NOT_FOUND, PEER_ERR_TOO_LARGE, PEER_ERR_INTERRUPTED, PEER_ERR_REFUSED, PEER_MAX_PAYLOAD } from './host/services/peer.js'
