#!/usr/bin/env bash
# Fetches the WebAssembly spec testsuite from Debian's binaryen source package
# (it carries the suite under test/spec) into build/spec-debian/src and converts
# every .wast with wabt's wast2json into build/spec-debian/json/<name>.json
# (plus its .wasm/.wat files, in one folder per script). Both steps are cached:
# the source is fetched once, and a .wast whose .json exists is not converted
# again. Files wast2json cannot convert (proposals it does not know) are listed
# in build/spec-debian/skipped.txt and counted; they are not an error.
# Exits non-zero with a message when apt cannot reach Debian's archive.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
out="$root/build/spec-debian"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
mkdir -p "$out"

if [ ! -f "$out/src/.done" ]; then
  bash "$root/.ci/deb-src"
  rm -rf "$out/src" "$out/apt"
  mkdir -p "$out/apt"
  if ! (cd "$out/apt" && apt-get source -qq binaryen >"$out/apt-source.log" 2>&1); then
    # A stale package list is the usual cause: refresh once and retry.
    $SUDO apt-get update -qq || true
    if ! (cd "$out/apt" && apt-get source -qq binaryen >"$out/apt-source.log" 2>&1); then
      echo "fetch.sh: 'apt-get source binaryen' failed (is Debian's archive reachable?):" >&2
      tail -20 "$out/apt-source.log" >&2
      exit 2
    fi
  fi
  dir="$(find "$out/apt" -mindepth 1 -maxdepth 1 -type d -name 'binaryen-*' | head -1)"
  [ -d "$dir/test/spec" ] || { echo "fetch.sh: no test/spec in $dir" >&2; exit 2; }
  mv "$dir" "$out/src"
  rm -rf "$out/apt"
  touch "$out/src/.done"
fi

if ! command -v wast2json >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wabt >/dev/null 2>&1 || {
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wabt >/dev/null || {
      echo "fetch.sh: could not install Debian's wabt (wast2json)" >&2; exit 2; }
  }
fi

# Only the spec suite's own scripts: test/spec/*.wast (not its subfolders of
# proposals' tests, nor binaryen's own lit tests).
here="$root/test/spec/debian"
# The conversions are redone when wast2json or the rewriting changes.
stamp="$(wast2json --version) $(cat "$here/legacy-wast.mjs" | cksum)"
if [ "$(cat "$out/json/.stamp" 2>/dev/null)" != "$stamp" ]; then rm -rf "$out/json"; fi
mkdir -p "$out/json"
printf '%s' "$stamp" >"$out/json/.stamp"
node="$root/node_modules/.bin/node"; [ -x "$node" ] || node=node
: >"$out/skipped.tmp"
n=0; conv=0
for wast in "$out"/src/test/spec/*.wast; do
  name="$(basename "$wast" .wast)"
  n=$((n + 1))
  if [ -f "$out/json/$name/$name.json" ]; then conv=$((conv + 1)); continue; fi
  if [ -f "$out/json/$name.failed" ]; then echo "$name: $(head -1 "$out/json/$name.failed")" >>"$out/skipped.tmp"; continue; fi
  rm -rf "$out/json/$name.tmp"; mkdir -p "$out/json/$name.tmp"
  ok=0; err=""
  # Plain first (the spec's default features), then with every feature on;
  # then the same on the script rewritten from the suite's older syntax
  # (assert_return_canonical_nan, assert_trap without a message).
  legacy="$out/json/$name.legacy.wast"
  srcs=("$wast")
  if "$node" "$here/legacy-wast.mjs" "$wast" "$legacy" 2>/dev/null; then srcs+=("$legacy"); fi
  for s in "${srcs[@]}"; do
    for flags in "" "--enable-all"; do
      # shellcheck disable=SC2086
      if err="$(cd "$out/json/$name.tmp" && wast2json $flags "$s" -o "$name.json" 2>&1)"; then ok=1; break 2; fi
      rm -f "$out/json/$name.tmp"/*
    done
  done
  rm -f "$legacy"
  if [ "$ok" = 1 ]; then
    rm -rf "$out/json/$name"; mv "$out/json/$name.tmp" "$out/json/$name"
    conv=$((conv + 1))
  else
    rm -rf "$out/json/$name.tmp"
    printf '%s\n' "$(printf '%s' "$err" | head -1)" >"$out/json/$name.failed"
    echo "$name: $(head -1 "$out/json/$name.failed")" >>"$out/skipped.tmp"
  fi
done
mv "$out/skipped.tmp" "$out/skipped.txt"
skipped=$(wc -l <"$out/skipped.txt")
echo "fetch.sh: $n .wast files, $conv converted, $skipped skipped (see build/spec-debian/skipped.txt)"
