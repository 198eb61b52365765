/**
 * The host ABI a program may import: WASI preview1 and Gate's packet I/O
 * (gate-reference §1.1-1.3). Import names are normalised to a canonical key:
 *
 * - `wasi_snapshot_preview1.X`, `wasi_unstable.X` and `env.__wasi_X` -> `wasi.X`
 * - `gate.fd_N`, `env.__gate_fd_N` -> `gate.fd`; `gate.io_N`, `env.__gate_io_N` -> `gate.io`
 *   (N: decimal receive limit >= 65536 without a leading zero)
 */

export type ValType = 'i32' | 'i64' | 'f32' | 'f64'

export interface AbiFunction {
  params: ValType[]
  results: ValType[]
  /** May wait for input or time: must be an Asyncify import so the host can unwind while it waits. */
  blocking?: boolean
}

const I = 'i32' as const
const L = 'i64' as const
const errno = (...params: ValType[]): AbiFunction => ({ params, results: [I] })

/** Canonical key -> signature. */
export const ABI_FUNCTIONS: Readonly<Record<string, AbiFunction>> = {
  'wasi.args_get': errno(I, I),
  'wasi.args_sizes_get': errno(I, I),
  'wasi.environ_get': errno(I, I),
  'wasi.environ_sizes_get': errno(I, I),
  'wasi.clock_res_get': errno(I, I),
  'wasi.clock_time_get': errno(I, L, I),
  'wasi.fd_advise': errno(I, L, L, I),
  'wasi.fd_allocate': errno(I, L, L),
  'wasi.fd_close': errno(I),
  'wasi.fd_datasync': errno(I),
  'wasi.fd_fdstat_get': errno(I, I),
  'wasi.fd_fdstat_set_flags': errno(I, I),
  'wasi.fd_fdstat_set_rights': errno(I, L, L),
  'wasi.fd_filestat_get': errno(I, I),
  'wasi.fd_filestat_set_size': errno(I, L),
  'wasi.fd_filestat_set_times': errno(I, L, L, I),
  'wasi.fd_pread': errno(I, I, I, L, I),
  'wasi.fd_prestat_get': errno(I, I),
  'wasi.fd_prestat_dir_name': errno(I, I, I),
  'wasi.fd_pwrite': errno(I, I, I, L, I),
  'wasi.fd_read': { ...errno(I, I, I, I), blocking: true },
  'wasi.fd_readdir': errno(I, I, I, L, I),
  'wasi.fd_renumber': errno(I, I),
  'wasi.fd_seek': errno(I, L, I, I),
  'wasi.fd_sync': errno(I),
  'wasi.fd_tell': errno(I, I),
  'wasi.fd_write': errno(I, I, I, I),
  'wasi.path_create_directory': errno(I, I, I),
  'wasi.path_filestat_get': errno(I, I, I, I, I),
  'wasi.path_filestat_set_times': errno(I, I, I, I, L, L, I),
  'wasi.path_link': errno(I, I, I, I, I, I, I),
  'wasi.path_open': errno(I, I, I, I, I, L, L, I, I),
  'wasi.path_readlink': errno(I, I, I, I, I, I),
  'wasi.path_remove_directory': errno(I, I, I),
  'wasi.path_rename': errno(I, I, I, I, I, I),
  'wasi.path_symlink': errno(I, I, I, I, I),
  'wasi.path_unlink_file': errno(I, I, I),
  'wasi.poll_oneoff': { ...errno(I, I, I, I), blocking: true },
  'wasi.proc_exit': { params: [I], results: [] },
  'wasi.proc_raise': errno(I),
  'wasi.sched_yield': errno(),
  'wasi.random_get': errno(I, I),
  'wasi.sock_accept': errno(I, I, I),
  'wasi.sock_recv': errno(I, I, I, I, I, I),
  'wasi.sock_send': errno(I, I, I, I, I),
  'wasi.sock_shutdown': errno(I, I),
  'gate.fd': { params: [], results: [I] },
  'gate.io': { params: [I, I, I, I, I, I, L, I], results: [], blocking: true }
}

/** Module and field of the interrupt import the compiler adds (not importable by programs). */
export const INTERRUPT_MODULE = 'gate_rt'
export const INTERRUPT_NAME = 'interrupt'
/** Module and field of the linear memory the compiler turns into an import, so the host sets its limit. */
export const MEMORY_MODULE = 'gate_rt'
export const MEMORY_NAME = 'memory'
/** ... and of the frame memory, which the host shares between the instances of a worker (compiler/instrument/out-module.ts importFrames). */
export const FRAMES_NAME = 'frames'

const WASI_MODULES = new Set(['wasi_snapshot_preview1', 'wasi_unstable'])
const GATE_SUFFIX = /^(fd|io)_([1-9][0-9]*)$/

/**
 * Canonical key of an import, or undefined when the program may not import it.
 * Signatures are checked separately against ABI_FUNCTIONS.
 */
export function canonicalImport (module: string, name: string): string | undefined {
  if (WASI_MODULES.has(module)) return ABI_FUNCTIONS[`wasi.${name}`] != null ? `wasi.${name}` : undefined
  if (module === 'env' && name.startsWith('__wasi_')) return canonicalImport('wasi_snapshot_preview1', name.slice(7))
  if (module === 'env' && name.startsWith('__gate_')) return canonicalImport('gate', name.slice(7))
  if (module === 'gate') {
    const m = GATE_SUFFIX.exec(name)
    if (m == null || Number(m[2]) < 65536) return undefined
    return `gate.${m[1]}`
  }
  return undefined
}
