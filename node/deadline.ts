/**
 * A deadline for one call that ends with it. Not AbortSignal.timeout:
 * libp2p keeps a dial's signal on the stream it opens, and a timer firing
 * later would abort a stream that works fine (an attached send, a long push).
 */
export async function withDeadline<T> (ms: number, reason: () => Error, outer: AbortSignal | undefined, f: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const deadline = new AbortController()
  const timer = setTimeout(() => { deadline.abort(reason()) }, ms)
  const signal = outer != null ? AbortSignal.any([outer, deadline.signal]) : deadline.signal
  try {
    return await f(signal)
  } finally {
    clearTimeout(timer)
  }
}
