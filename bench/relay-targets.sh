#!/usr/bin/env bash
# Issue 12's relay targets, side by side in one session on loopback:
#   1. latency: the product and bench/BareRelay, each pinned to core SERVER_CPUS (default 0) with the load on
#      CLIENT_CPUS (default 1); 10 anchors x 10 clients, 100-byte payloads, open loop at RELAY_DELIVERIES
#      deliveries/s (default 200,000 = 2,000 messages/s per anchor); each target warmed up RELAY_WARMUP_SECONDS
#      (default 60), then RELAY_ROUNDS (default 3) rounds of RELAY_SECONDS (default 20) alternating which goes first;
#      the median p99s are compared.
#      Target: the product's p99 <= 2x the bare relay's.
#   2. idle: IDLE_SOCKETS client sockets (default 20,000) over IDLE_USERS users (default 10,000) held open for
#      IDLE_SECONDS (default 600) on a fresh product: its CPU while they idle (lease renewals, keep-alive pings,
#      timers; target <= 5% of one core), resident memory per socket (target <= 16 KiB), sockets dropped (target 0),
#      and the hub's renewal work alone (the product's orbitgrains.hub.renewal.duration, scraped on METRICS_PORT);
#      then the same sockets on bench/BareRelay (zero-byte reads) for IDLE_BARE_SECONDS (default 60): Kestrel's own cost
#      per socket. Memory is read before, at half and after the sockets open: per_socket_kib averages over all of them,
#      marginal_per_socket_kib is what each socket of the second half added.
#   bench/relay-targets.sh [latency|idle|all]        (default all)
# Everything it starts stops with it.
set -euo pipefail
what=${1:-all}
source "$(dirname "$0")/relay-common.sh"
deliveries=${RELAY_DELIVERIES:-200000}
# A minute of warm-up: a pinned product was still tiering its hot code up well into the first minute, and the product's
# first minute with the dashboard on ran far slower than later ones (docs/benchmarks.md).
warmup_seconds=${RELAY_WARMUP_SECONDS:-60}
measured_seconds=${RELAY_SECONDS:-20}
rounds=${RELAY_ROUNDS:-3}
relay_build WebFrontend bench/BareRelay bench/RelayLoad

if [ "$what" = latency ] || [ "$what" = all ]; then
  start_product latency
  start_bare latency
  per_anchor=$(( deliveries / 100 ))
  echo "== latency at $deliveries deliveries/s (10 anchors x 10 clients, 100-byte payloads, $per_anchor msg/s per anchor; server on cpu $server_cpus, load on cpu $client_cpus)"
  run_load() { # port target seconds -> the generator's output
    relay_load --base "http://127.0.0.1:$1" --target "$2" --anchors 10 --clients 10 --payload 100 --mode rate --rate "$per_anchor" --seconds "$3"
  }
  p99() { sed -nE 's/.* p99=([0-9.]+) .*/\1/p'; }
  median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  echo "-- warm-up ($warmup_seconds s each)"
  run_load 18080 orbit "$warmup_seconds"
  run_load 19090 bare "$warmup_seconds"
  # Rounds alternate which server goes first; each round is RELAY_SECONDS long. The medians are the figures.
  : >"$work/orbit.p99"; : >"$work/bare.p99"
  for round in $(seq 1 "$rounds"); do
    echo "-- round $round"
    order=$([ $((round % 2)) = 1 ] && echo "orbit bare" || echo "bare orbit")
    for target in $order; do
      out=$(run_load "$([ "$target" = orbit ] && echo 18080 || echo 19090)" "$target" "$measured_seconds")
      echo "$out"
      echo "$out" | p99 >>"$work/$target.p99"
    done
  done
  orbit_p99=$(median <"$work/orbit.p99"); bare_p99=$(median <"$work/bare.p99")
  echo "median p99 over $rounds rounds: product $orbit_p99 ms, bare $bare_p99 ms, ratio $(awk -v o="$orbit_p99" -v b="$bare_p99" 'BEGIN { printf "%.2f", o / b }')x (target <= 2x)"
  kill "$product" "$bare"; wait "$product" "$bare" 2>/dev/null || true
fi

if [ "$what" = idle ] || [ "$what" = all ]; then
  start_product idle
  echo "== ${IDLE_SOCKETS:-20000} idle client sockets over ${IDLE_USERS:-10000} users, held ${IDLE_SECONDS:-600} s (server on cpu $server_cpus)"
  relay_load --base http://127.0.0.1:18080 --target orbit --mode idle --anchors "${IDLE_USERS:-10000}" --sockets "${IDLE_SOCKETS:-20000}" \
    --seconds "${IDLE_SECONDS:-600}" --server-pid "$product"
  # The hub's own renewal work, from the product's histogram (wall time of each renewal: an upper bound of its CPU),
  # over the product's whole life (start, sockets opening, hold).
  curl -fsS "http://127.0.0.1:$metrics_port/metrics" | awk -v life="$(ps -o etimes= -p "$product")" '
    /^orbitgrains_hub_renewal_duration_seconds_sum\{.*family="relay"/ { sum = $NF }
    /^orbitgrains_hub_renewal_duration_seconds_count\{.*family="relay"/ { count = $NF }
    END { if (count > 0) printf "hub renewals=%d total_s=%.3f mean_ms=%.2f over %d s of life = %.4f%% of one core\n", count, sum, 1000 * sum / count, life, 100 * sum / life }'
  kill "$product"; wait "$product" 2>/dev/null || true
  # The same sockets on the bare relay: what Kestrel's WebSockets alone cost per socket on this machine (no
  # authentication, grains or limits; ASP.NET Core's default keep-alive, a Ping every 2 minutes). It waits with
  # zero-byte reads, as the product does, so that it holds no read buffer per idle socket: Kestrel's own floor.
  BARE_ZERO_BYTE_READS=1 start_bare idle
  echo "== the same on the bare relay"
  relay_load --base http://127.0.0.1:19090 --target bare --mode idle --anchors "${IDLE_USERS:-10000}" --sockets "${IDLE_SOCKETS:-20000}" \
    --seconds "${IDLE_BARE_SECONDS:-60}" --server-pid "$bare"
fi
