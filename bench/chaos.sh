#!/usr/bin/env bash
# Chaos run, long form: three real nodes on a private PostgreSQL (two front ends, one headless silo) under a mixed
# load (relay anchors and clients, room telemetry and estops, pipeline jobs at gates, sign-ups and sign-ins), through
# rounds of a rolling restart of every node and SIGKILL of a front end and of the headless silo, for at least the
# given time; then every acknowledged write is read back and the figures are printed (docs/benchmarks.md, "Chaos").
#   bench/chaos.sh [seconds]        (default 600; 0 = one round, the CI test's short form)
# It is the xunit test OrbitGrains.Tests.Operations.ChaosTests with CHAOS_SECONDS set; it needs the PostgreSQL
# server binaries (.ci/run installs them) or ORBIT_TEST_POSTGRES. Every process it starts stops with it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
configuration=${CONFIGURATION:-Release}
report=$(mktemp)
trap 'rm -f "$report"' EXIT

dotnet build "$root/tests/OrbitGrains.Tests" -c "$configuration" -p:SkipClientApp=true -v quiet -nologo >/dev/null
status=0
CHAOS_SECONDS=$seconds CHAOS_REPORT=$report dotnet test "$root/tests/OrbitGrains.Tests" -c "$configuration" --no-build -nologo \
  --filter "FullyQualifiedName~OrbitGrains.Tests.Operations.ChaosTests" --logger "console;verbosity=minimal" || status=$?
if [ -s "$report" ]; then
  cat "$report"
else
  echo "no figures: the run failed before it measured anything (see above)" >&2
fi
exit $status
