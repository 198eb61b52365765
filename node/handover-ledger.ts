/**
 * The target's memory of handovers (node/handlers/migrate.ts), by the
 * source's handover ID: what state each is in, so that a RESOLVE gets a
 * true answer and a late GO is refused once the answer was "aborted".
 * In memory only: a target that restarts answers from its instance table.
 */
import { LEDGER_KEEP_MS } from '../protocols/handover/index.js'

export type HandoverState =
  /** PREPARE received, verifying and compiling; then waiting for COMMIT. */
  | 'prepared'
  /** READY sent: the final snapshot is verified and waits for GO. */
  | 'ready'
  /** GO received, the instance is starting. */
  | 'starting'
  /** Started: this node runs it. */
  | 'running'
  /** Will never run here (refused, failed, aborted, resolved as aborted). */
  | 'aborted'
  /** No GO within the lease: kept here as a suspended instance, never started. */
  | 'fenced'

export interface LedgerEntry {
  id: string
  peer: string
  instance: string
  state: HandoverState
  /** Settles when the entry leaves 'starting'. */
  started?: Promise<void>
}

export class HandoverLedger {
  private readonly entries = new Map<string, LedgerEntry>()

  get (id: string): LedgerEntry | undefined { return this.entries.get(id) }

  /** A new handover; false if the ID is taken (a replayed PREPARE). */
  open (id: string, peer: string, instance: string): LedgerEntry | undefined {
    if (this.entries.has(id)) return undefined
    const e: LedgerEntry = { id, peer, instance, state: 'prepared' }
    this.entries.set(id, e)
    setTimeout(() => { this.entries.delete(id) }, LEDGER_KEEP_MS).unref()
    return e
  }

  /**
   * Move from `from` to `to`; false (and no change) if the entry is in
   * another state, e.g. a RESOLVE aborted it first.
   */
  move (e: LedgerEntry, from: HandoverState, to: HandoverState): boolean {
    if (e.state !== from) return false
    e.state = to
    return true
  }
}

const ledgers = new WeakMap<object, HandoverLedger>()

/** The ledger of a node. */
export function ledgerOf (node: object): HandoverLedger {
  let l = ledgers.get(node)
  if (l == null) { l = new HandoverLedger(); ledgers.set(node, l) }
  return l
}
