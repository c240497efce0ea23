#!/usr/bin/env bash
# Starts a PostgreSQL-backed OrbitGrains cluster on this machine's loopback interface, for development and tests.
#
#   deploy/local-cluster.sh start [front+silo|two-fronts]   build, start PostgreSQL (unless PG_CONNECTION is set) and two silos
#   deploy/local-cluster.sh status                          show the nodes and their readiness
#   deploy/local-cluster.sh stop                            stop the silos and the private PostgreSQL
#
# Everything lives under .cluster/ in the project root (logs, pids, the private database, generated secrets).
# Ports: front ends on 8080/8082 (HTTP), headless health on 8081, silos 11111/11112, gateways 30000/30001,
# PostgreSQL on 55432. Override with BASE_HTTP_PORT, PG_PORT.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/.cluster"
pg_port=${PG_PORT:-55432}
http_port=${BASE_HTTP_PORT:-8080}
mkdir -p "$state"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "PostgreSQL server binaries not found: apt-get install postgresql, or set PG_CONNECTION." >&2; exit 1; }
  echo "$dir"
}

as_pg_owner() {
  # initdb and the server refuse to run as root; the Debian package provides the postgres user for this.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  if [ -n "${PG_CONNECTION:-}" ]; then echo "$PG_CONNECTION"; return; fi
  local bin data="$state/pg"
  bin=$(pg_bin)
  if [ ! -d "$data/pgdata" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres "$data"
    as_pg_owner "$bin/initdb" -D "$data/pgdata" -U orbit --auth=trust --encoding=UTF8 >/dev/null
  fi
  if ! as_pg_owner "$bin/pg_ctl" -D "$data/pgdata" status >/dev/null 2>&1; then
    as_pg_owner "$bin/pg_ctl" -D "$data/pgdata" -l "$data/server.log" -w \
      -o "-p $pg_port -k $data -c listen_addresses=127.0.0.1" start >/dev/null
    "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U orbit -d postgres -qtc \
      "SELECT 1 FROM pg_database WHERE datname='orbitgrains'" | grep -q 1 ||
      "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U orbit orbitgrains
  fi
  echo "Host=127.0.0.1;Port=$pg_port;Database=orbitgrains;Username=orbit"
}

secrets() {
  # One set shared by every node, generated on first use and kept out of the repository (.cluster is ignored).
  local file="$state/secrets.env"
  if [ ! -f "$file" ]; then
    umask 077
    printf 'CODEX_REMOTE_WEB_JWT_SECRET=%s\nADMIN_TOKEN=%s\n' \
      "$(head -c 48 /dev/urandom | base64 | tr -d '\n=+/')" "$(head -c 48 /dev/urandom | base64 | tr -d '\n=+/')" >"$file"
    echo "Generated cluster secrets in $file (ADMIN_TOKEN opens /dashboard)." >&2
  fi
  cat "$file"
}

start_node() { # name kind http silo gateway
  local name=$1 kind=$2 http=$3 silo=$4 gateway=$5 dll
  if [ "$kind" = front ]; then dll="$root/WebFrontend/bin/Release/net10.0/OrbitGrains.WebFrontend.dll"; else dll="$root/Silo/bin/Release/net10.0/OrbitGrains.Silo.dll"; fi
  (
    set -a
    # shellcheck disable=SC1090
    source <(secrets)
    set +a
    export ORLEANS_CLUSTERING=postgres ConnectionStrings__Postgres="$connection" ORLEANS_SILO_NAME="$name" \
      ORLEANS_SILO_PORT="$silo" ORLEANS_GATEWAY_PORT="$gateway" DATA_DIR="$state/$name" PORT="$http" HEALTH_PORT="$http" \
      DOTNET_TC_DelaySingleProcMultiplier="${DOTNET_TC_DelaySingleProcMultiplier:-1}"
    nohup dotnet "$dll" >"$state/$name.log" 2>&1 &
    echo $! >"$state/$name.pid"
  )
  echo "started $name ($kind): http://127.0.0.1:$http  log: .cluster/$name.log"
}

wait_ready() { # http
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "node on port $1 did not become ready; see its log under .cluster/" >&2
  return 1
}

stop_all() {
  local pids=()
  for file in "$state"/*.pid; do
    [ -f "$file" ] || continue
    pids+=("$(cat "$file")")
    kill "${pids[-1]}" 2>/dev/null || true
    rm -f "$file"
  done
  # Silos leave the cluster gracefully (membership and reminders in PostgreSQL): let them finish before the database stops.
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  done
  if [ -z "${PG_CONNECTION:-}" ] && [ -d "$state/pg/pgdata" ]; then
    as_pg_owner "$(pg_bin)/pg_ctl" -D "$state/pg/pgdata" -m fast -w stop >/dev/null 2>&1 || true
  fi
  echo "stopped"
}

case "${1:-}" in
  start)
    layout=${2:-front+silo}
    dotnet build "$root/OrbitGrains.sln" -c Release -v quiet -nologo >/dev/null
    connection=$(start_postgres)
    start_node node1 front "$http_port" 11111 30000
    wait_ready "$http_port"
    case "$layout" in
      front+silo) start_node node2 headless $((http_port + 1)) 11112 30001; wait_ready $((http_port + 1)) ;;
      two-fronts) start_node node2 front $((http_port + 2)) 11112 30001; wait_ready $((http_port + 2)) ;;
      *) echo "unknown layout '$layout' (front+silo or two-fronts)" >&2; exit 2 ;;
    esac
    curl -fsS "http://127.0.0.1:$http_port/health"; echo
    ;;
  status)
    for port in "$http_port" $((http_port + 1)) $((http_port + 2)); do
      printf '%s: ' "$port"; curl -fsS "http://127.0.0.1:$port/readyz" 2>/dev/null || printf 'down'; echo
    done
    ;;
  stop) stop_all ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
