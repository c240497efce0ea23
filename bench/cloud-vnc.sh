#!/usr/bin/env bash
# VNC proxy against Debian's websockify (apt-get install websockify): builds Release, starts the product in
# LOCAL_DEV_MODE with its VNC target on the bench's TCP sink/source, starts websockify and bench/BareVncProxy (the
# floor: raw sockets, fewest copies) in front of the same sink, and runs bench/CloudVnc against all three with one
# WebSocket client. Arguments go to the bench
# (defaults: --mb 200 --warmup-mb 50 --rate 1000 --seconds 10 --rounds 3). SERVER_CPUS / CLIENT_CPUS (taskset lists) pin the proxies and the client.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${BENCH_PORT:-8096}
sink=$((port + 1))
wsport=$((port + 2))
bareport=$((port + 3))
command -v websockify >/dev/null || { echo "websockify is missing: apt-get install websockify"; exit 1; }

build() { # project, extra arguments: stops the run when the build fails (never runs an older binary)
  local out
  if ! out=$(dotnet build "$1" -c Release -nologo -v q "${@:2}" 2>&1); then
    echo "$out" | grep -E " error " || echo "$out"
    exit 1
  fi
}
build "$root/WebFrontend/WebFrontend.csproj" -p:SkipClientApp=true
build "$root/bench/CloudVnc/CloudVnc.csproj"
build "$root/bench/BareVncProxy/BareVncProxy.csproj"

work=$(mktemp -d)
server_pid=""
ws_pid=""
bare_pid=""
cleanup() {
  for pid in "$server_pid" "$ws_pid" "$bare_pid"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

ASPNETCORE_ENVIRONMENT=Production DATA_DIR="$work" PORT="$port" HOST=127.0.0.1 LOCAL_DEV_MODE=true \
  LOCAL_VNC_ADDRESS="127.0.0.1:$sink" ANONYMOUS_CREATIONS_PER_ADDRESS=1000000 \
  ORLEANS_SILO_PORT=$((port + 20000)) ORLEANS_GATEWAY_PORT=$((port + 21000)) ORLEANS_SERVICE_ID="cloud-bench" \
  ORLEANS_CLUSTER_ID="cloud-bench" Logging__LogLevel__Default=Warning DOTNET_TC_DelaySingleProcMultiplier=1 \
  ${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} dotnet "$root/WebFrontend/bin/Release/net10.0/OrbitGrains.WebFrontend.dll" >"$work/server.log" 2>&1 &
server_pid=$!
${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} websockify "127.0.0.1:$wsport" "127.0.0.1:$sink" >"$work/websockify.log" 2>&1 &
ws_pid=$!
${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} dotnet "$root/bench/BareVncProxy/bin/Release/net10.0/OrbitGrains.Bench.BareVncProxy.dll" \
  --port "$bareport" --target-port "$sink" >"$work/bare.log" 2>&1 &
bare_pid=$!

for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "product did not become ready"; cat "$work/server.log"; exit 1; }

email="bench-$(date +%s%N)@example.com"
token=$(curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"bench password\"}" \
  "http://127.0.0.1:$port/api/auth/signup" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
instance=$(curl -sf -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d '{}' \
  "http://127.0.0.1:$port/api/instances" | sed -E 's/.*"id":"([0-9a-f]{32})".*/\1/')

timeout 900 ${CLIENT_CPUS:+taskset -c "$CLIENT_CPUS"} dotnet "$root/bench/CloudVnc/bin/Release/net10.0/OrbitGrains.Bench.CloudVnc.dll" \
  --sink-port "$sink" --proxy "ws://127.0.0.1:$port/api/instances/$instance/vnc?token=$token" \
  --websockify "ws://127.0.0.1:$wsport/" --bare "ws://127.0.0.1:$bareport/" "$@"
