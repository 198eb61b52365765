#!/usr/bin/env bash
# The local demo: run a CPU-bound C program, suspend it mid-run into a
# snapshot file, inspect it, and resume it in a new process: the output
# continues exactly where it stopped, and matches an uninterrupted run.
set -euo pipefail
cd "$(dirname "$0")/.."
gate=bin/gate
prog=build/testprogs/counter.wasm
args=(-- 1500000000 50000000)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
say () { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "gate run $prog ${args[*]}  (suspended after 400 ms into $dir/a.snap)"
$gate run "$prog" --suspend-after 400 --snapshot-out "$dir/a.snap" "${args[@]}" | tee "$dir/out1"
say "gate inspect a.snap"
$gate inspect "$dir/a.snap"
say "gate resume a.snap  (a new process; suspended again after 400 ms)"
$gate resume "$dir/a.snap" --suspend-after 400 --snapshot-out "$dir/b.snap" | tee "$dir/out2"
say "gate resume b.snap  (another process, runs to the end)"
$gate resume "$dir/b.snap" | tee "$dir/out3"
say "the same program without interruption"
$gate run "$prog" "${args[@]}" > "$dir/whole"
if cat "$dir/out1" "$dir/out2" "$dir/out3" | cmp -s - "$dir/whole"; then
  echo "output across 2 suspensions and 3 processes is byte-identical to the uninterrupted run ($(wc -l < "$dir/whole") lines)"
else
  echo "MISMATCH between the interrupted and the uninterrupted run" >&2; exit 1
fi
