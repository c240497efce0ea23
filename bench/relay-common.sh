# What the relay benchmarks (relay-targets.sh, relay-cpu.sh, relay-idle-heap.sh) share; sourced, never run.
# Sets root, server_cpus (SERVER_CPUS, default 0), client_cpus (CLIENT_CPUS, default 1), a scratch folder $work under
# DATA_PARENT (default the system's temp folder; /dev/shm puts the product's data on tmpfs) and a pids array whose
# processes stop, and $work goes, when the script exits. Defines:
#   relay_build PROJECT...          Release builds of bench/ projects (or WebFrontend), quietly
#   start_product NAME              the product on 127.0.0.1:18080 pinned to server_cpus, data in $work/data-NAME,
#                                   log in $work/product-NAME.log; sets $product and returns once /readyz answers
#   start_bare NAME                 bench/BareRelay on 127.0.0.1:19090 pinned to server_cpus (BARE_ZERO_BYTE_READS and
#                                   other settings come from the caller's environment); sets $bare
#   relay_load ARG...               bench/RelayLoad pinned to client_cpus with the given arguments
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
server_cpus=${SERVER_CPUS:-0}
client_cpus=${CLIENT_CPUS:-1}
metrics_port=${METRICS_PORT:-18099}
work=$(mktemp -d -p "${DATA_PARENT:-${TMPDIR:-/tmp}}")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
# Thousands of idle sockets need as many descriptors; some machines cap the hard limit lower.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

relay_build() {
  local project
  for project in "$@"; do
    dotnet build "$root/$project" -c Release -v quiet -nologo >/dev/null
  done
}

# The per-socket message rate limit and the per-address sign-up limit protect a shared server; the benchmarks
# measure the relay itself, and sign up all of their users from one address.
start_product() {
  DATA_DIR="$work/data-$1" RELAY_MESSAGES_PER_SECOND=1000000 ANONYMOUS_CREATIONS_PER_ADDRESS=1000000 METRICS_PORT="$metrics_port" \
    ORLEANS_SILO_PORT=21111 ORLEANS_GATEWAY_PORT=31000 DOTNET_TC_DelaySingleProcMultiplier=1 \
    taskset -c "$server_cpus" dotnet "$root/WebFrontend/bin/Release/net10.0/OrbitGrains.WebFrontend.dll" --urls http://127.0.0.1:18080 >"$work/product-$1.log" 2>&1 &
  product=$!
  pids+=("$product")
  for _ in $(seq 1 120); do curl -fsS http://127.0.0.1:18080/readyz >/dev/null 2>&1 && return; sleep 0.5; done
  echo "the product did not start; its log:" >&2; cat "$work/product-$1.log" >&2; exit 1
}

start_bare() {
  DOTNET_TC_DelaySingleProcMultiplier=1 taskset -c "$server_cpus" dotnet "$root/bench/BareRelay/bin/Release/net10.0/OrbitGrains.Bench.BareRelay.dll" \
    --urls http://127.0.0.1:19090 >"$work/bare-$1.log" 2>&1 &
  bare=$!
  pids+=("$bare")
  for _ in $(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:19090/ && return; sleep 0.5; done
  echo "the bare relay did not start; its log:" >&2; cat "$work/bare-$1.log" >&2; exit 1
}

relay_load() {
  taskset -c "$client_cpus" dotnet "$root/bench/RelayLoad/bin/Release/net10.0/OrbitGrains.Bench.RelayLoad.dll" "$@"
}
