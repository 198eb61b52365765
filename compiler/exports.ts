/**
 * Names the instrumentation gives its exports. In a module of their own so
 * that the worker runtime can use them without loading the compiler.
 */
export const EXPORT_COUNTER = '__gate_counter'
export const EXPORT_GLOBAL_PREFIX = '__snap_g'
export const EXPORT_MEMORY = '__gate_memory'
/** The frame stack of an unwound instance: a memory of its own. */
export const EXPORT_FRAMES = '__gate_frames'
/** 0 normal, 1 unwinding, 2 rewinding (an i32 global). */
export const EXPORT_STATE = '__gate_state'
/** Top of the frame stack, a byte offset into EXPORT_FRAMES (an i32 global). */
export const EXPORT_SP = '__gate_sp'
/** What the counter is reset to when a rewind ends (an i32 global); a rewind sets the counter below zero. */
export const EXPORT_QUANTUM = '__gate_quantum'
export const EXPORT_START = '__gate_start'
/** The counter during a rewind: every entry check takes its slow path, which holds the rewind test. */
export const REWIND_COUNTER = -(2 ** 30)

export const STATE_NORMAL = 0
export const STATE_UNWINDING = 1
export const STATE_REWINDING = 2
