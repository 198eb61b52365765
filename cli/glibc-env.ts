/**
 * The environment a gate process runs best in, as bin/gate sets it: glibc's
 * large allocations marked for transparent huge pages (a snapshot's copy of
 * a large memory faults in 2 MiB pages, not 4 KiB ones). glibc reads its
 * tunables at process start, so this is for processes about to be spawned.
 * doc/rationale.md: "Why glibc.malloc.hugetlb=1".
 */
export const HUGETLB_TUNABLE = 'glibc.malloc.hugetlb=1'

/** `env` with GLIBC_TUNABLES extended by HUGETLB_TUNABLE, unless it sets glibc.malloc.hugetlb already. */
export function gateProcessEnv (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const t = env.GLIBC_TUNABLES ?? ''
  if (t.includes('glibc.malloc.hugetlb=')) return env
  return { ...env, GLIBC_TUNABLES: t === '' ? HUGETLB_TUNABLE : `${t}:${HUGETLB_TUNABLE}` }
}
