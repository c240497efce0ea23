#!/usr/bin/env bash
# Accounts benchmark: a bearer-authenticated GET /auth/session (JWT signature + live-session grain check) against
# unauthenticated endpoints on the same host, side by side, with wrk on loopback.
#   bench/accounts-session.sh [seconds] [connections]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-10}
connections=${2:-64}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d)
trap 'kill $product 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build "$root/WebFrontend" -c Release -v quiet -nologo >/dev/null
DATA_DIR="$work/data" ORLEANS_SILO_PORT=21112 ORLEANS_GATEWAY_PORT=31002 \
  dotnet "$root/WebFrontend/bin/Release/net10.0/OrbitGrains.WebFrontend.dll" --urls http://127.0.0.1:18081 >"$work/product.log" 2>&1 &
product=$!
for _ in $(seq 1 60); do curl -fsS http://127.0.0.1:18081/readyz >/dev/null 2>&1 && break; sleep 0.5; done

base=http://127.0.0.1:18081
token=$(curl -fsS -X POST "$base/auth/register/basic" -H 'Content-Type: application/json' -d '{"name":"bench-user"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "could not register the benchmark user" >&2; exit 1; }
curl -fsS "$base/auth/session" -H "Authorization: Bearer $token" | grep -q '"authenticated":true' || { echo "token not accepted" >&2; exit 1; }

rate() { wrk -t2 -c"$connections" -d"${seconds}s" "$@" | awk '/Requests\/sec/ {print int($2)}'; }
latency() { wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" | awk '/ 99%/ {print $2}'; }

echo "warm-up"; rate "$base/auth/session" -H "Authorization: Bearer $token" >/dev/null; rate "$base/healthz" >/dev/null
for round in 1 2; do
  authed=$(rate "$base/auth/session" -H "Authorization: Bearer $token")
  anonymous=$(rate "$base/auth/session")
  healthz=$(rate "$base/healthz")
  echo "round $round: authenticated /auth/session ${authed} req/s; anonymous /auth/session ${anonymous} req/s; /healthz ${healthz} req/s"
  echo "round $round: ratio authenticated/anonymous = $(awk "BEGIN {printf \"%.2f\", $authed / $anonymous}"); authenticated//healthz = $(awk "BEGIN {printf \"%.2f\", $authed / $healthz}")"
done
echo "p99 authenticated: $(latency "$base/auth/session" -H "Authorization: Bearer $token")"
