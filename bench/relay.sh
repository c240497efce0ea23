#!/usr/bin/env bash
# Relay benchmark: the OrbitGrains relay against the bare Kestrel relay, in one session, on loopback.
#   bench/relay.sh [seconds]
# Builds Release, starts the product (embedded, fresh data folder) and the bare relay, then runs, for each:
# the maximum delivered rate (closed loop), the latency at half the Orbit maximum (open loop), and 10,000 idle
# client sockets' memory on the product. Everything stops by itself; both servers are stopped at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-15}
anchors=${ANCHORS:-8}
clients=${CLIENTS:-4}
work=$(mktemp -d)
trap 'kill $product $bare 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build "$root/WebFrontend" -c Release -v quiet -nologo >/dev/null
dotnet build "$root/bench/BareRelay" -c Release -v quiet -nologo >/dev/null
dotnet build "$root/bench/RelayLoad" -c Release -v quiet -nologo >/dev/null
load="$root/bench/RelayLoad/bin/Release/net10.0/OrbitGrains.Bench.RelayLoad.dll"

start_product() {
  # The per-socket message rate limit and the per-address sign-up limit protect a shared server; the benchmark
  # measures the relay itself, and signs up all of its users from one address.
  DATA_DIR="$work/data-$1" RELAY_MESSAGES_PER_SECOND=1000000 ANONYMOUS_CREATIONS_PER_ADDRESS=100000 ORLEANS_SILO_PORT=21111 ORLEANS_GATEWAY_PORT=31000 \
    dotnet "$root/WebFrontend/bin/Release/net10.0/OrbitGrains.WebFrontend.dll" --urls http://127.0.0.1:18080 >"$work/product-$1.log" 2>&1 &
  product=$!
  for _ in $(seq 1 60); do curl -fsS http://127.0.0.1:18080/readyz >/dev/null 2>&1 && return; sleep 0.5; done
  echo "the product did not start; see its log" >&2; exit 1
}

start_product load
dotnet "$root/bench/BareRelay/bin/Release/net10.0/OrbitGrains.Bench.BareRelay.dll" --urls http://127.0.0.1:19090 >"$work/bare.log" 2>&1 &
bare=$!

run() { dotnet "$load" --base "$1" --target "$2" --anchors "$anchors" --clients "$clients" --seconds "$seconds" "${@:3}"; }

echo "== warm-up (not reported)"
run http://127.0.0.1:18080 orbit --mode max --seconds 5 >/dev/null
run http://127.0.0.1:19090 bare --mode max --seconds 5 >/dev/null

echo "== maximum delivered rate (closed loop, window 16 per anchor)"
run http://127.0.0.1:19090 bare --mode max >"$work/bare-max.txt"; cat "$work/bare-max.txt"
run http://127.0.0.1:18080 orbit --mode max >"$work/orbit-max.txt"; cat "$work/orbit-max.txt"
bare_max=$(sed -n 's/.* rate=\([0-9]*\) msg\/s.*/\1/p' "$work/bare-max.txt")
orbit_max=$(sed -n 's/.* rate=\([0-9]*\) msg\/s.*/\1/p' "$work/orbit-max.txt")
echo "ratio orbit/bare = $(awk "BEGIN {printf \"%.2f\", $orbit_max / $bare_max}")"

echo "== latency at half the Orbit maximum (open loop; each target twice: the first run still warms up new users' grains and code paths)"
per_anchor=$(( orbit_max / 2 / clients / anchors ))
for round in 1 2; do
  echo "-- round $round"
  run http://127.0.0.1:18080 orbit --mode rate --rate "$per_anchor"
  run http://127.0.0.1:19090 bare --mode rate --rate "$per_anchor"
done

echo "== 10,000 idle client sockets on a freshly started product"
kill "$product"; wait "$product" 2>/dev/null || true
start_product idle
run http://127.0.0.1:18080 orbit --mode idle --anchors 100 --sockets 10000 --seconds 10 --server-pid "$product"
