#!/usr/bin/env bash
# Per-user live feed fan-out through the product's feed (feed grain -> one-way observer call -> front end's hub ->
# connection), in the product's embedded host, one process per round (bench/FeedFanout). Each round: USERS connected
# users, each receiving RATE entries/s, for SECONDS; prints throughput and publish-to-connection latency
# (p50/p90/p99/max).
#   bench/feed-fanout.sh [seconds]        (USERS=1000 RATE=2 by default; a second round at RATE2=20)
# Everything stops by itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-20}
users=${USERS:-1000}
rate=${RATE:-2}
rate2=${RATE2:-20}

dotnet build "$root/bench/FeedFanout" -c Release -p:SkipClientApp=true -v quiet -nologo >/dev/null
bench="$root/bench/FeedFanout/bin/Release/net10.0/OrbitGrains.Bench.FeedFanout.dll"

for r in "$rate" "$rate2"; do
  echo "== $users users x $r entries/s"
  dotnet "$bench" --users "$users" --rate "$r" --seconds "$seconds"
done
