/**
 * Names the instrumentation gives its exports. In a module of their own so
 * that the worker runtime can use them without loading Binaryen (~76 MiB and
 * ~1.6 s of start-up per worker thread).
 */
export const EXPORT_COUNTER = '__gate_counter'
export const EXPORT_GLOBAL_PREFIX = '__snap_g'
export const EXPORT_MEMORY = '__gate_memory'
export const EXPORT_ASYNCIFY_MEMORY = '__asyncify_memory'
export const EXPORT_START = '__gate_start'
