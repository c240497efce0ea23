#!/usr/bin/env bash
# The product's relay alone at a fixed load, for comparing two builds (or two settings) by the server's CPU as well as
# by p99, which at this load on two cores swings with when a stall happens: the product pinned to core SERVER_CPUS
# (default 0), a fresh data folder under DATA_PARENT (default the system's temp folder; /dev/shm puts it on tmpfs),
# 10 anchors x 10 clients, 100-byte payloads at RELAY_DELIVERIES deliveries/s (default 200,000) from CLIENT_CPUS
# (default 1); RELAY_WARMUP_SECONDS (default 60) of warm-up, then RELAY_SECONDS (default 20) measured. Prints the
# measured run's latency line and the server's CPU over it (user + system time from /proc, % of one core).
# Runtime settings in the environment (DOTNET_...) reach the product. To compare two commits, run it from a checkout
# of each, alternating.
#   bench/relay-cpu.sh [label]
set -euo pipefail
label=${1:-product}
source "$(dirname "$0")/relay-common.sh"
per_anchor=$(( ${RELAY_DELIVERIES:-200000} / 100 ))
relay_build WebFrontend bench/RelayLoad
start_product cpu
pid=$product
load=(relay_load --base http://127.0.0.1:18080 --target orbit --anchors 10 --clients 10 --payload 100 --mode rate --rate "$per_anchor")
"${load[@]}" --seconds "${RELAY_WARMUP_SECONDS:-60}" >/dev/null
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hertz=$(getconf CLK_TCK)
t0=$(ticks); s0=$(date +%s.%N)
latency=$("${load[@]}" --seconds "${RELAY_SECONDS:-20}" | grep -E 'p99=')
t1=$(ticks); s1=$(date +%s.%N)
awk -v l="$label" -v lat="$latency" -v t="$((t1 - t0))" -v hz="$hertz" -v s0="$s0" -v s1="$s1" \
  'BEGIN { printf "%s %s server_cpu=%.1f%% of one core\n", l, lat, t / hz / (s1 - s0) * 100 }'
