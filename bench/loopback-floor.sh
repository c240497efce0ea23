#!/usr/bin/env bash
# The machine's own floor for the rooms fan-out: builds bench/LoopbackFloor with the C compiler and runs it.
#   bench/loopback-floor.sh [connections] [deliveries per second] [seconds]   (defaults: 5000 500000 10)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
cc -O2 -Wall -pthread -o "$out/loopback_floor" "$root/bench/LoopbackFloor/loopback_floor.c"
timeout 600 "$out/loopback_floor" "${1:-5000}" "${2:-500000}" "${3:-10}"
