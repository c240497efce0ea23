#!/usr/bin/env bash
# Rooms telemetry fan-out: builds Release, starts the product on 127.0.0.1 with its own data folder, runs
# bench/RoomsFanout against it, stops the product. Arguments are passed to the load generator
# (defaults: --rooms 100 --viewers 50 --rate 100 --seconds 20). SERVER_CPUS / CLIENT_CPUS (taskset lists) pin
# the product and the load generator to separate cores. ROOMS_SERVER=bare runs the same load against
# bench/BareRooms (Kestrel WebSockets with the same frames, nothing else) instead of the product. Both servers get
# DOTNET_TC_DelaySingleProcMultiplier=1 (README: on one CPU the runtime otherwise tiers hot code up late under load);
# the product's own settings pass through the environment (ORLEANS_DASHBOARD=false runs it without the dashboard).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${BENCH_PORT:-8090}
# 100 x 51 sockets on both ends of loopback, plus the silo's own files.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

server=${ROOMS_SERVER:-product}
case "$server" in
  product) dotnet build "$root/WebFrontend/WebFrontend.csproj" -c Release -nologo -v q 2>&1 | grep -E " error " && exit 1 || true ;;
  bare) dotnet build "$root/bench/BareRooms/BareRooms.csproj" -c Release -nologo -v q 2>&1 | grep -E " error " && exit 1 || true ;;
  *) echo "ROOMS_SERVER is product or bare" >&2; exit 2 ;;
esac
dotnet build "$root/bench/RoomsFanout/RoomsFanout.csproj" -c Release -nologo -v q 2>&1 | grep -E " error " && exit 1 || true

work=$(mktemp -d)
token="bench-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$server" = bare ]; then
  DOTNET_TC_DelaySingleProcMultiplier=1 ${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} dotnet "$root/bench/BareRooms/bin/Release/net10.0/OrbitGrains.Bench.BareRooms.dll" \
    --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
else
# The generator's robots only send, and a .NET client answers the server's keep-alive Pings only while it reads: with
# the product's default (Ping every 15 s, Pong due within 30 s) a run past 45 s would see the robots dropped. The
# bench measures fan-out, not liveness (the bare server sends no Pings at all).
ASPNETCORE_ENVIRONMENT=Production DATA_DIR="$work" PORT="$port" HOST=127.0.0.1 DOTNET_TC_DelaySingleProcMultiplier=1 \
  WEBSOCKET_KEEPALIVE_SEC=300 WEBSOCKET_KEEPALIVE_TIMEOUT_SEC=300 AUTH_TOKENS="$token" ROOM_CONNECTS_PER_SECOND_PER_ADDRESS=1000000 ROOM_MESSAGES_PER_SECOND_PER_ADDRESS=10000000 \
  ROOM_MESSAGES_PER_SECOND_PER_TOKEN=10000000 ORLEANS_SILO_PORT=$((port + 20000)) ORLEANS_GATEWAY_PORT=$((port + 21000)) \
  ORLEANS_SERVICE_ID="rooms-bench" ORLEANS_CLUSTER_ID="rooms-bench" Logging__LogLevel__Default=Warning \
  ${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} dotnet "$root/WebFrontend/bin/Release/net10.0/OrbitGrains.WebFrontend.dll" >"$work/server.log" 2>&1 &
fi
server_pid=$!

for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "product did not become ready"; cat "$work/server.log"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
cpu_before=$(cpu_ticks)
started=$(date +%s)
BENCH_AUTH_TOKEN="$token" timeout 600 ${CLIENT_CPUS:+taskset -c "$CLIENT_CPUS"} dotnet "$root/bench/RoomsFanout/bin/Release/net10.0/OrbitGrains.Bench.RoomsFanout.dll" \
  --base "http://127.0.0.1:$port" --server-pid "$server_pid" "$@"
elapsed=$(( $(date +%s) - started ))
echo "server cpu_s=$(( ($(cpu_ticks) - cpu_before) / $(getconf CLK_TCK) )) over ${elapsed}s wall (setup included); load_avg=$(cut -d' ' -f1-3 /proc/loadavg) cores=$(nproc)"
echo "server rss_mb=$(( $(awk '/VmRSS/ {print $2}' /proc/$server_pid/status) / 1024 ))"
