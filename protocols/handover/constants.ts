/** The handover protocol and its documented defaults (doc/node.md, Migration). */

/** v2: PREPARE/PREPARED, COMMIT/READY, GO/RUNNING, RESOLVE (v1 started the copy on COMMIT). */
export const HANDOVER_PROTOCOL = '/gate/migrate/2.0.0'

/**
 * No progress for this long while waiting on the peer fails a push or a
 * handover step with StallError (the original then resumes).
 */
export const STALL_MS = 10_000

/** A side that is busy (verifying, compiling, suspending) says so this often, so the other's stall clock keeps running only on a dead link. */
export const KEEPALIVE_MS = 2_000

/**
 * How long a target holds a READY copy for the source's GO. Without GO by
 * then it fences the copy: refuses a late GO and keeps the snapshot as a
 * suspended instance (nothing is lost if the source died).
 */
export const LEASE_MS = 10_000
export const MIN_LEASE_MS = 500
export const MAX_LEASE_MS = 120_000

/** Answers to RESOLVE the source tries for in the foreground, on new streams, before it reports the outcome as in doubt. */
export const RESOLVE_ATTEMPTS = 4
/** Pause before resolve attempt n (n = 1, 2, ...): n times this. */
export const RESOLVE_BACKOFF_MS = 500
/** An in-doubt handover is resolved in the background every so often, for this long. */
export const BACKGROUND_RESOLVE_EVERY_MS = 5_000
export const BACKGROUND_RESOLVE_FOR_MS = 10 * 60_000

/** How long a target remembers a handover's outcome (answers RESOLVE, refuses a late GO). Longer than the background resolution. */
export const LEDGER_KEEP_MS = 15 * 60_000

/** Time the source has between PREPARED and COMMIT (it suspends and pushes the final delta meanwhile, with keepalives). */
export const COMMIT_WAIT_MS = 5 * 60_000
