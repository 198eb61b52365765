#!/usr/bin/env bash
# The demo (make demo): a local testnet of four node processes on
# 127.0.0.1, n4 on arm64 Node under qemu-user. n3 publishes a CPU-bound program and sends it by CID to n1's
# peer ID; while it runs, n1 migrates it to n2, and n3's terminal keeps
# showing the output, which ends exactly like an uninterrupted run's. Then
# two programs on different nodes find each other by name through the DHT
# and exchange messages. Last, a snapshot of a running program is written to
# a file and resumed in a new process. Last, a program moves live from n1
# (x86-64) to n4 (arm64) and back while n3 follows its output.
set -euo pipefail
cd "$(dirname "$0")/.."
gate=bin/gate
node=node_modules/.bin/node
export GATE_TESTNET_DIR; GATE_TESTNET_DIR=$(mktemp -d)
dir=$(mktemp -d)
cleanup () { $gate testnet down >/dev/null 2>&1 || true; rm -rf "$dir" "$GATE_TESTNET_DIR"; }
trap cleanup EXIT
say () { printf '\n\033[1m== %s\033[0m\n' "$*"; }
id () { $gate --node "$1" id | head -1; }

say "gate testnet up -n 4 --arch arm64=4   (four node processes; n2-n4 join through n1; n4 runs the arm64 build of Node under qemu-user, set up on first use)"
$gate testnet up -n 4 --arch arm64=4
n1=$(id 1); n2=$(id 2); n4=$(id 4)

prog=build/testprogs/counter.wasm
args=(-- 3000000000 150000000)
say "n3: gate publish counter.wasm   (into n3's IPFS blockstore)"
cid=$($gate --node 3 publish "$prog")
echo "$cid"

say "n3: gate send <n1> $cid   (n1 fetches the module from n3 by CID, runs it, the output comes back to n3)"
$gate --node 3 send "$n1" "$cid" --no-stdin "${args[@]}" > "$dir/sent" &
sender=$!
$gate run "$prog" "${args[@]}" > "$dir/whole" &   # the same program, uninterrupted, for comparison
whole=$!
for _ in $(seq 300); do [ "$(wc -l < "$dir/sent")" -ge 3 ] && break; sleep 0.1; done
cat "$dir/sent"
inst=$($gate --node 1 instances --json | $node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const i=JSON.parse(s).instances.find(i=>i.status.state==="running");console.log(i?i.instance:"")})')

say "n1: gate migrate $inst <n2>   (live: copied while it runs, then a short stop)"
$gate --node 1 migrate "$inst" "$n2"
say "n2: gate instances"
$gate --node 2 instances
say "n3 keeps showing the output, now coming from n2"
seen=$(wc -l < "$dir/sent")
wait $sender
tail -n +"$((seen + 1))" "$dir/sent"
wait $whole
if [ "$(tail -1 "$dir/sent")" = "$(tail -1 "$dir/whole")" ]; then
  if cmp -s "$dir/sent" "$dir/whole"; then echo "=> the output on n3 continued across the move and is byte-identical to an uninterrupted run"
  else echo "=> the output on n3 continued across the move and ends like an uninterrupted run (lines printed while the client re-attached are not replayed)"; fi
else
  echo "MISMATCH after the migration" >&2; exit 1
fi

say "n1: gate publish peer.wasm, and launch it as 'bob'; n3 runs it by CID as 'alice'"
pcid=$($gate --node 1 publish build/testprogs/peer.wasm)
$gate --node 1 launch "$pcid" -- bob alice pong > /dev/null
echo "n3: gate run $pcid -- alice bob ping   (finds bob through the DHT, messages it, gets the answer)"
$gate --node 3 run "$pcid" -- alice bob ping

say "gate run --suspend-after 1500 --snapshot-out a.snap; gate resume a.snap   (a snapshot file, resumed in a new process)"
sargs=(-- 1500000000 20000000)
$gate run "$prog" --suspend-after 1500 --snapshot-out "$dir/a.snap" "${sargs[@]}" > "$dir/out1"
$gate inspect "$dir/a.snap"
$gate resume "$dir/a.snap" > "$dir/out2"
$gate run "$prog" "${sargs[@]}" > "$dir/whole3"
if cat "$dir/out1" "$dir/out2" | cmp -s - "$dir/whole3"; then
  echo "=> output before ($(wc -l < "$dir/out1") lines) and after ($(wc -l < "$dir/out2") lines) the suspension is byte-identical to an uninterrupted run"
else
  echo "MISMATCH between the suspended-and-resumed and the uninterrupted run" >&2; exit 1
fi

say "across architectures: n1 (x86-64) -> n4 (arm64) -> n1, live, while n3 follows the output"
$gate --node 1 peers
xargs_=(-- 20000000000 400000000)
$gate --node 3 send "$n1" "$prog" --no-stdin "${xargs_[@]}" > "$dir/xsent" &
xsender=$!
$gate run "$prog" "${xargs_[@]}" > "$dir/xwhole" &
xwhole=$!
for _ in $(seq 600); do [ "$(wc -l < "$dir/xsent")" -ge 2 ] && break; sleep 0.1; done
xinst=$($gate --node 1 instances --json | $node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const i=JSON.parse(s).instances.find(i=>i.status.state==="running");console.log(i?i.instance:"")})')
say "n1: gate migrate $xinst <n4, arm64>   (the first move compiles there under emulation; the program keeps running on n1 meanwhile)"
$gate --node 1 migrate "$xinst" "$n4"
seen=$(wc -l < "$dir/xsent")
for _ in $(seq 1200); do [ "$(wc -l < "$dir/xsent")" -ge $((seen + 2)) ] && break; sleep 0.1; done
say "n4: gate migrate $xinst <n1>   (back to x86-64)"
$gate --node 4 migrate "$xinst" "$n1"
wait $xsender
wait $xwhole
if cmp -s "$dir/xsent" "$dir/xwhole"; then echo "=> the output on n3 continued across x86-64 -> arm64 -> x86-64 and is byte-identical to an uninterrupted run"
else echo "MISMATCH after the moves across architectures" >&2; exit 1; fi

say "gate testnet down"
$gate testnet down
