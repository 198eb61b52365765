/** The instrumenter (compiler/instrument/): re-exported under its old path. */
export { instrument, type InstrumentOptions, type InstrumentResult } from './instrument/index.js'
export { EXPORT_COUNTER, EXPORT_FRAMES, EXPORT_GLOBAL_PREFIX, EXPORT_MEMORY, EXPORT_SP, EXPORT_START, EXPORT_STATE } from './exports.js'
