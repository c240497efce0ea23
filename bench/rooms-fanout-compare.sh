#!/usr/bin/env bash
# Rooms fan-out against the bare Kestrel fan-out server (issue 12): for each server, the same load
# (100 rooms x 50 viewers by default) at rising telemetry rates; prints each point and, per server, the highest
# rate whose p99 stayed <= 10 ms, then the product's share of the bare server's. Pinning as in rooms-fanout.sh:
#   SERVER_CPUS=0 CLIENT_CPUS=1 bench/rooms-fanout-compare.sh [rates...]   (default rates: 5 10 15 20 30 40)
# Each point is a fresh server: --warmup 60 --seconds 20 (ROOMS_ARGS adds or overrides load-generator options), run
# RUNS times (default 3); a point's p99 is the median of its runs' p99s, since one collector pause can decide a short run.
# The warm-up is long because a pinned product was still tiering its hot code up 25-35 s into a full load (its
# background compiler thread took 12.5% of the core then, none at 60 s); the bare server has far less code and was
# done in seconds, so a short warm-up set the product's start-up against the bare server's steady state.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(5 10 15 20 30 40)
declare -A best=([product]=0 [bare]=0)
runs=${RUNS:-3}
for server in bare product; do
  for rate in "${rates[@]}"; do
    p99s=()
    closed=0
    for run in $(seq 1 "$runs"); do
      out=$(ROOMS_SERVER=$server "$root/bench/rooms-fanout.sh" --rate "$rate" --warmup 60 --seconds 20 ${ROOMS_ARGS:-} 2>&1) || { echo "$out" >&2; exit 1; }
      delivered=$(sed -n 's/.*delivered=\([0-9]*\) (\([0-9]*\) msg\/s).*/\2/p' <<<"$out")
      p99s+=("$(sed -n 's/.*latency_ms p50=[0-9.]* p99=\([0-9.]*\).*/\1/p' <<<"$out")")
      closed=$((closed + $(sed -n 's/.*closed_viewers=\([0-9]*\).*/\1/p' <<<"$out")))
    done
    p99=$(printf '%s\n' "${p99s[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    echo "$server rate/robot=$rate delivered/s=$delivered p99_ms=$p99 (median of ${p99s[*]}) closed_viewers=$closed"
    if awk -v p="$p99" 'BEGIN { exit !(p <= 10) }' && [ "${closed:-1}" = 0 ] && [ "$delivered" -gt "${best[$server]}" ]; then
      best[$server]=$delivered
    fi
  done
done
echo "highest load with p99 <= 10 ms: product ${best[product]} deliveries/s, bare ${best[bare]} deliveries/s"
awk -v p="${best[product]}" -v b="${best[bare]}" 'BEGIN { if (b > 0) printf "product / bare = %.2f (target >= 0.8)\n", p / b }'
