#!/usr/bin/env bash
# What an idle relay socket holds on the heap above bare Kestrel's, type by type (docs/benchmarks.md, "Where the rest
# goes, by type"). Starts the product (as bench/relay-targets.sh idle does, server pinned to SERVER_CPUS, load on
# CLIENT_CPUS), opens IDLE_SOCKETS (default 10,000) client sockets over IDLE_USERS (default 5,000) users, takes a heap
# snapshot with dotnet-gcdump DUMP_AFTER seconds (default 60) after the load starts, then does the same on the bare relay
# with zero-byte reads. Prints, for the types the product holds once, twice, four or six times per socket and the bare
# relay does not (or fewer of), the bytes per socket, the largest first, and their sum. The load's own memory figures
# are not printed: the snapshot (a full collection) falls inside them; bench/relay-targets.sh idle measures those.
# Needs dotnet-gcdump (dotnet tool install -g dotnet-gcdump).
#   bench/relay-idle-heap.sh
set -euo pipefail
source "$(dirname "$0")/relay-common.sh"
gcdump=$(command -v dotnet-gcdump || echo "$HOME/.dotnet/tools/dotnet-gcdump")
[ -x "$gcdump" ] || { echo "dotnet-gcdump is missing: dotnet tool install -g dotnet-gcdump"; exit 1; }
sockets=${IDLE_SOCKETS:-10000}
users=${IDLE_USERS:-5000}
dump_after=${DUMP_AFTER:-60}
relay_build WebFrontend bench/BareRelay bench/RelayLoad

# server pid, port, target, name -> the load's output; leaves $work/<name>.txt (the snapshot's report)
snapshot() {
  relay_load --base "http://127.0.0.1:$2" --target "$3" --mode idle --anchors "$users" --sockets "$sockets" \
    --seconds $((dump_after + 30)) --server-pid "$1" >"$work/$4-load.log" 2>&1 &
  local load=$!
  sleep "$dump_after"
  "$gcdump" collect -p "$1" -o "$work/$4.gcdump" >/dev/null
  "$gcdump" report "$work/$4.gcdump" >"$work/$4.txt"
  wait "$load"
  kill "$1"; wait "$1" 2>/dev/null || true
}

start_product heap
snapshot "$product" 18080 orbit product

BARE_ZERO_BYTE_READS=1 start_bare heap
snapshot "$bare" 19090 bare bare

# The report's rows: average bytes, count, type. Rows of one type are joined, then compared.
rows() { awk 'NR > 4 { b = $1; c = $2; gsub(",", "", b); gsub(",", "", c); $1 = ""; $2 = ""; t = $0; sub(/^ +/, "", t); if (c + 0 >= 1000) printf "%s\t%d\t%d\n", t, c, b * c }' "$1" | sort; }
: >"$work/diff.txt"
rows "$work/product.txt" >"$work/product.tsv"
rows "$work/bare.txt" >"$work/bare.tsv"
join -t $'\t' -a1 -e0 -o 0,1.2,1.3,2.2,2.3 "$work/product.tsv" "$work/bare.tsv" | awk -F'\t' -v n="$sockets" '
  { d = $3 - $5; r = $2 / n
    if (d > 0 && ((r > 0.99 && r < 1.01) || (r > 1.99 && r < 2.01) || (r > 3.99 && r < 4.01) || (r > 5.99 && r < 6.01))) {
      sum += d; printf "%7.0f B/socket  %7d vs %7d  %s\n", d / n, $2, $4, $1 > "'"$work"'/diff.txt" } }
  END { printf "sum: %.0f B of live objects per socket above the bare relay\n", sum / n }' >"$work/sum.txt"
sort -rn "$work/diff.txt" | head -40
cat "$work/sum.txt"
