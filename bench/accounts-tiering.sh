#!/usr/bin/env bash
# Why one core makes an authenticated request dearer: the product pinned to one core (taskset -c 0), a fresh process,
# authenticated GET /auth/session load from core 1 for a warm-up, then for a few seconds: which code tier the CPU
# samples fall in (perf + the runtime's perf map) and server CPU microseconds per request. Run once with the runtime's
# single-CPU default and once with DOTNET_TC_DelaySingleProcMultiplier=1, side by side.
#   bench/accounts-tiering.sh [warm-up seconds] [sample seconds]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
warmup=${1:-20}
sample=${2:-6}
port=18082
for tool in wrk perf taskset; do command -v $tool >/dev/null || { echo "$tool is needed (Debian: wrk, linux-perf, util-linux)" >&2; exit 1; }; done
work=$(mktemp -d)
product=""
trap '[ -n "$product" ] && kill "$product" 2>/dev/null; rm -rf "$work"' EXIT
dotnet build "$root/WebFrontend" -c Release -v quiet -nologo >/dev/null
dll="$root/WebFrontend/bin/Release/net10.0/OrbitGrains.WebFrontend.dll"
base=http://127.0.0.1:$port

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() { # $1 = label, $2 = multiplier ("" for the runtime default)
  local data="$work/$1"
  mkdir -p "$data"
  if [ -n "$2" ]; then export DOTNET_TC_DelaySingleProcMultiplier=$2; else unset DOTNET_TC_DelaySingleProcMultiplier; fi
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DATA_DIR="$data" ORLEANS_SILO_PORT=21113 ORLEANS_GATEWAY_PORT=31003 \
    taskset -c 0 dotnet "$dll" --urls "$base" >"$data/product.log" 2>&1 &
  product=$!
  for _ in $(seq 1 120); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
  local token
  token=$(curl -fsS -X POST "$base/auth/register/basic" -H 'Content-Type: application/json' -d '{"name":"tiering"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  taskset -c 1 wrk -t1 -c32 -d"${warmup}s" "$base/auth/session" -H "Authorization: Bearer $token" >/dev/null
  (taskset -c 1 wrk -t1 -c32 -d"$((sample + 2))s" "$base/auth/session" -H "Authorization: Bearer $token" >/dev/null) &
  local generator=$!
  sleep 1
  perf record -e cpu-clock -F 499 -g -p "$product" -o "$data/perf.data" -- sleep "$sample" >/dev/null 2>&1
  wait $generator
  local tiers
  tiers=$(perf report -i "$data/perf.data" --no-children --sort dso,sym 2>/dev/null | grep -E '^ +[0-9]' | awk '
    { p = $1; sub("%", "", p) }
    /InstrumentedTier/ { i += p; next } /QuickJitted|\[Tier0\]/ { t0 += p; next } /OptimizedTier1|\[Optimized\]/ { t1 += p; next }
    END { printf "instrumented %.0f%%, tier-0 %.0f%%, optimised %.0f%%", i, t0, t1 }')
  local c0 c1 out requests
  c0=$(cpu_ticks "$product")
  out=$(taskset -c 1 wrk -t1 -c32 -d"${sample}s" "$base/auth/session" -H "Authorization: Bearer $token")
  c1=$(cpu_ticks "$product")
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$1: samples in JIT code: $tiers; $(echo "$out" | awk '/Requests\/sec/ {print int($2)}') req/s;" \
    "$(awk -v c=$((c1 - c0)) -v r="$requests" -v t="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", c / t * 1e6 / r}') us server CPU per request"
  kill "$product"; wait "$product" 2>/dev/null || true; product=""
}

run "runtime single-CPU default" ""
run "DOTNET_TC_DelaySingleProcMultiplier=1" 1
