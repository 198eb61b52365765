/**
 * The memory chunk CIDs of the last snapshot of each instance a node took
 * or resumed, so the next snapshot of it hashes only the chunks whose
 * bytes changed (compared against the cached blocks) and a push can offer
 * the earlier versions as patch bases. A migration back to where an
 * instance came from then sends its changed pages, not its memory.
 */
import type { CID } from 'multiformats/cid'

/** Instances remembered per node (oldest forgotten first). */
const KEEP = 1024

const histories = new WeakMap<object, Map<string, Array<CID | null>>>()

function of (node: object): Map<string, Array<CID | null>> {
  let h = histories.get(node)
  if (h == null) { h = new Map(); histories.set(node, h) }
  return h
}

export function lastChunks (node: object, instance: string): Array<CID | null> | undefined {
  return of(node).get(instance)
}

export function rememberChunks (node: object, instance: string, chunks: Array<CID | null>): void {
  const h = of(node)
  h.delete(instance)
  h.set(instance, chunks)
  if (h.size > KEEP) h.delete(h.keys().next().value as string)
}

/** Earlier versions of changed chunks: new chunk CID -> the CID at the same index before. */
export function patchBases (before: Array<CID | null> | undefined, after: Array<CID | null>): Map<string, CID> {
  const m = new Map<string, CID>()
  if (before == null) return m
  for (let i = 0; i < after.length && i < before.length; i++) {
    const a = after[i]; const b = before[i]
    if (a != null && b != null && !a.equals(b)) m.set(a.toString(), b)
  }
  return m
}
