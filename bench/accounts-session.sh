#!/usr/bin/env bash
# Accounts benchmark: a bearer-authenticated GET /auth/session (JWT signature + live-session and account grain reads)
# against unauthenticated endpoints on the same host, with wrk on loopback, in two setups measured in one run:
#   pinned:   the server on core 0 (taskset -c 0), wrk on core 1, so the two never share a core;
#   unpinned: both free to use every core.
# Each setup gets a fresh server and data folder, a warm-up, then rounds of authenticated /auth/session,
# anonymous /auth/session and /healthz, one after another. It prints the figures and the ratios.
#   bench/accounts-session.sh [seconds per run] [connections] [warm-up seconds]
# BENCH_SETUPS="pinned unpinned" picks the setups. The server runs with DOTNET_TC_DelaySingleProcMultiplier=1 as
# docs/benchmarks.md tells single-CPU deployments to; BENCH_TIERING=runtime-default runs it without (to see why).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-10}
connections=${2:-64}
warmup=${3:-30}
setups=${BENCH_SETUPS:-pinned unpinned}
port=18081
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed for the pinned setup" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "the pinned setup needs 2 cores" >&2; exit 1; }
work=$(mktemp -d)
product=""
trap '[ -n "$product" ] && kill "$product" 2>/dev/null; rm -rf "$work"' EXIT

dotnet build "$root/WebFrontend" -c Release -v quiet -nologo >/dev/null
dll="$root/WebFrontend/bin/Release/net10.0/OrbitGrains.WebFrontend.dll"
base=http://127.0.0.1:$port

start() { # $1 = setup
  local pin=() data="$work/$1"
  [ "$1" = pinned ] && pin=(taskset -c 0)
  mkdir -p "$data"
  if [ "${BENCH_TIERING:-}" = runtime-default ]; then unset DOTNET_TC_DelaySingleProcMultiplier; else export DOTNET_TC_DelaySingleProcMultiplier=1; fi
  DATA_DIR="$data" ORLEANS_SILO_PORT=21112 ORLEANS_GATEWAY_PORT=31002 ANONYMOUS_CREATIONS_PER_ADDRESS=1000 \
    "${pin[@]}" dotnet "$dll" --urls "$base" >"$data/product.log" 2>&1 &
  product=$!
  for _ in $(seq 1 120); do curl -fsS "$base/readyz" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "the product did not become ready; its log:" >&2; tail -20 "$data/product.log" >&2; exit 1
}

stop() { kill "$product" 2>/dev/null || true; wait "$product" 2>/dev/null || true; product=""; }

load() { # $1 = setup, then wrk arguments; prints requests/s
  if [ "$1" = pinned ]; then shift; taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" "$@"
  else shift; wrk -t2 -c"$connections" -d"${seconds}s" "$@"; fi | awk '/Requests\/sec/ {print int($2)}'
}

ratio() { awk "BEGIN {printf \"%.2f\", $1 / $2}"; }

summary=()
for setup in $setups; do
  start "$setup"
  token=$(curl -fsS -X POST "$base/auth/register/basic" -H 'Content-Type: application/json' -d '{"name":"bench-user"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  [ -n "$token" ] || { echo "could not register the benchmark user" >&2; exit 1; }
  curl -fsS "$base/auth/session" -H "Authorization: Bearer $token" | grep -q '"authenticated":true' || { echo "token not accepted" >&2; exit 1; }
  auth=(-H "Authorization: Bearer $token")

  # Warm-up: the runtime tiers hot methods up to optimised code only after they have run a while.
  end=$((SECONDS + warmup))
  while [ $SECONDS -lt $end ]; do seconds=2 load "$setup" "$base/auth/session" "${auth[@]}" >/dev/null; seconds=1 load "$setup" "$base/healthz" >/dev/null; done

  for round in 1 2; do
    authed=$(load "$setup" "$base/auth/session" "${auth[@]}")
    anonymous=$(load "$setup" "$base/auth/session")
    healthz=$(load "$setup" "$base/healthz")
    echo "$setup round $round: authenticated /auth/session $authed req/s; anonymous /auth/session $anonymous req/s; /healthz $healthz req/s;" \
      "authenticated/anonymous $(ratio "$authed" "$anonymous"); authenticated//healthz $(ratio "$authed" "$healthz")"
    summary+=("$setup round $round: authenticated//healthz $(ratio "$authed" "$healthz") ($authed / $healthz req/s)")
  done
  stop
done

echo
echo "summary (target: authenticated/healthz >= 0.50 in every setup)"
printf '  %s\n' "${summary[@]}"
