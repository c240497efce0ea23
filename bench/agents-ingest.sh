#!/usr/bin/env bash
# Agent event ingestion benchmark: the OrbitGrains product (embedded, SQLite) against the bare ASP.NET Core + SQLite
# baseline (bench/BareAgents), in one session, on loopback.
#   bench/agents-ingest.sh [seconds]
# For each: the maximum acknowledged events/s (closed loop, WINDOW events in flight per agent), then the latency at
# half the baseline's maximum (open loop); then, product only, the command-to-long-poll latency (ROUNDS decisions).
# 100 agents (AGENTS) over 10 users (USERS). Everything stops by itself; both servers are stopped at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-15}
agents=${AGENTS:-100}
users=${USERS:-10}
window=${WINDOW:-4}
rounds=${ROUNDS:-300}
work=$(mktemp -d)
product=""
bare=""
trap 'kill $product $bare 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build "$root/WebFrontend" -c Release -v quiet -nologo >/dev/null
dotnet build "$root/bench/BareAgents" -c Release -v quiet -nologo >/dev/null
dotnet build "$root/bench/AgentsIngest" -c Release -v quiet -nologo >/dev/null
load="$root/bench/AgentsIngest/bin/Release/net10.0/OrbitGrains.Bench.AgentsIngest.dll"

# The per-address sign-up limit protects a shared server; the benchmark signs up all of its users from one address.
DATA_DIR="$work/data" ANONYMOUS_CREATIONS_PER_ADDRESS=100000 ORLEANS_SILO_PORT=21112 ORLEANS_GATEWAY_PORT=31002 \
  dotnet "$root/WebFrontend/bin/Release/net10.0/OrbitGrains.WebFrontend.dll" --urls http://127.0.0.1:18081 >"$work/product.log" 2>&1 &
product=$!
mkdir -p "$work/bare"
DATA_DIR="$work/bare" dotnet "$root/bench/BareAgents/bin/Release/net10.0/OrbitGrains.Bench.BareAgents.dll" --urls http://127.0.0.1:19091 >"$work/bare.log" 2>&1 &
bare=$!
for _ in $(seq 1 60); do curl -fsS http://127.0.0.1:18081/readyz >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS http://127.0.0.1:18081/readyz >/dev/null || { echo "the product did not start; see its log" >&2; cat "$work/product.log" >&2; exit 1; }

run() { dotnet "$load" --base "$1" --target "$2" --agents "$agents" --users "$users" --window "$window" --seconds "$seconds" "${@:3}"; }

echo "== warm-up (not reported)"
run http://127.0.0.1:18081 orbit --mode max --seconds 3 >/dev/null
run http://127.0.0.1:19091 bare --mode max --seconds 3 >/dev/null

echo "== maximum acknowledged events/s (closed loop, window $window per agent)"
run http://127.0.0.1:19091 bare --mode max >"$work/bare-max.txt"; cat "$work/bare-max.txt"
run http://127.0.0.1:18081 orbit --mode max >"$work/orbit-max.txt"; cat "$work/orbit-max.txt"
bare_max=$(sed -n 's/.* rate=\([0-9]*\) events\/s.*/\1/p' "$work/bare-max.txt")
orbit_max=$(sed -n 's/.* rate=\([0-9]*\) events\/s.*/\1/p' "$work/orbit-max.txt")
echo "ratio orbit/bare = $(awk "BEGIN {printf \"%.2f\", $orbit_max / ($bare_max > 0 ? $bare_max : 1)}")"

# Issue 15: "p99 <= 25 ms at half that rate", that rate being the baseline's maximum.
half=$(( bare_max / 2 > 1 ? bare_max / 2 : 1 ))
echo "== latency at half the baseline's maximum ($half events/s, open loop)"
run http://127.0.0.1:18081 orbit --mode rate --rate "$half"
run http://127.0.0.1:19091 bare --mode rate --rate "$half"

echo "== command to long-poll (product; $rounds decisions at most, ${seconds}s at most)"
run http://127.0.0.1:18081 orbit --mode command --rounds "$rounds"
