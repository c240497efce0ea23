#!/usr/bin/env bash
# Starts a PostgreSQL-backed OrbitGrains cluster on this machine's loopback interface, for development and tests.
#
#   deploy/local-cluster.sh start [front+silo|two-fronts]   build, start PostgreSQL (unless PG_CONNECTION is set) and two silos
#   deploy/local-cluster.sh status                          show the layout's nodes, their processes and readiness
#   deploy/local-cluster.sh roll                            build, then restart every node one by one (a rolling upgrade)
#   deploy/local-cluster.sh stop                            stop the silos and the private PostgreSQL
#
# Everything lives under .cluster/ in the project root, or CLUSTER_STATE (logs, pids, the private database, generated secrets).
# Ports: front ends on 8080/8082 (HTTP), headless health on 8081, silos 11111/11112, gateways 30000/30001,
# PostgreSQL on 55432. Override with BASE_HTTP_PORT, BASE_SILO_PORT, BASE_GATEWAY_PORT, PG_PORT.
# CONFIGURATION (Release) picks the build that runs; SKIP_BUILD=1 runs the build that is there.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=${CLUSTER_STATE:-"$root/.cluster"}
pg_port=${PG_PORT:-55432}
http_port=${BASE_HTTP_PORT:-8080}
silo_port=${BASE_SILO_PORT:-11111}
gateway_port=${BASE_GATEWAY_PORT:-30000}
configuration=${CONFIGURATION:-Release}
mkdir -p "$state"

build() {
  [ "${SKIP_BUILD:-}" = 1 ] || dotnet build "$root/OrbitGrains.sln" -c "$configuration" -v quiet -nologo >/dev/null
}

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
    printf 'CODEX_REMOTE_WEB_JWT_SECRET=%s\nADMIN_TOKEN=%s\nENCRYPTION_KEY=%s\n' \
      "$(head -c 48 /dev/urandom | base64 | tr -d '\n=+/')" "$(head -c 48 /dev/urandom | base64 | tr -d '\n=+/')" \
      "$(head -c 48 /dev/urandom | base64 | tr -d '\n=+/')" >"$file"
    echo "Generated cluster secrets in $file (ADMIN_TOKEN opens /dashboard)." >&2
  elif ! grep -q '^ENCRYPTION_KEY=' "$file"; then
    # A file from before the Cloud family: every node now needs the shared encryption key too.
    printf 'ENCRYPTION_KEY=%s\n' "$(head -c 48 /dev/urandom | base64 | tr -d '\n=+/')" >>"$file"
  fi
  cat "$file"
}

start_node() { # name kind http silo gateway
  local name=$1 kind=$2 http=$3 silo=$4 gateway=$5 dll connection
  connection=$(cat "$state/connection")
  if [ "$kind" = front ]; then dll="$root/WebFrontend/bin/$configuration/net10.0/OrbitGrains.WebFrontend.dll"; else dll="$root/Silo/bin/$configuration/net10.0/OrbitGrains.Silo.dll"; fi
  # What the node is, so status and roll work on the layout that was started and nothing else.
  echo "$kind $http $silo $gateway" >"$state/$name.node"
  (
    set -a
    # shellcheck disable=SC1090
    source <(secrets)
    set +a
    export ORLEANS_CLUSTERING=postgres ConnectionStrings__Postgres="$connection" ORLEANS_SILO_NAME="$name" \
      ORLEANS_SILO_PORT="$silo" ORLEANS_GATEWAY_PORT="$gateway" DATA_DIR="$state/$name" PORT="$http" HEALTH_PORT="$http" \
      DOTNET_TC_DelaySingleProcMultiplier="${DOTNET_TC_DelaySingleProcMultiplier:-1}"
    nohup dotnet "$dll" >>"$state/$name.log" 2>&1 &
    echo $! >"$state/$name.pid"
  )
  echo "started $name ($kind): http://127.0.0.1:$http  log: .cluster/$name.log"
}

wait_ready() { # name http; READY_TIMEOUT_SEC (default 180): a node joining a cluster on a busy machine can take minutes
  local pid
  pid=$(cat "$state/$1.pid")
  for _ in $(seq 1 $(( ${READY_TIMEOUT_SEC:-180} * 2 ))); do
    curl -fsS "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return 0
    # A node that exited will not become ready: say so now, not minutes later.
    kill -0 "$pid" 2>/dev/null || { echo "$1 exited before it became ready; the end of .cluster/$1.log:" >&2; tail -n 40 "$state/$1.log" >&2; return 1; }
    sleep 0.5
  done
  echo "$1 (port $2) did not become ready within ${READY_TIMEOUT_SEC:-180} s; the end of .cluster/$1.log:" >&2
  tail -n 40 "$state/$1.log" >&2
  return 1
}

stop_node() { # name: SIGTERM, then wait for the node to leave the cluster and exit
  local file="$state/$1.pid" pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$1 did not stop within 60 s of SIGTERM; killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

nodes() { # the layout's node names, in start order
  for file in "$state"/*.node; do [ -f "$file" ] && basename "$file" .node; done | sort
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
  rm -f "$state"/*.node
  if [ -z "${PG_CONNECTION:-}" ] && [ -d "$state/pg/pgdata" ]; then
    as_pg_owner "$(pg_bin)/pg_ctl" -D "$state/pg/pgdata" -m fast -w stop >/dev/null 2>&1 || true
  fi
  echo "stopped"
}

status() {
  local name kind http pid process ready
  if [ -z "$(nodes)" ]; then echo "no cluster started (deploy/local-cluster.sh start)"; return 0; fi
  for name in $(nodes); do
    read -r kind http _ _ <"$state/$name.node"
    pid=$(cat "$state/$name.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then process="running (pid $pid)"; else process="not running"; fi
    ready=$(curl -fsS "http://127.0.0.1:$http/readyz" 2>/dev/null || echo "not ready")
    printf '%s (%s) http://127.0.0.1:%s: %s, %s\n' "$name" "$kind" "$http" "$process" "$ready"
  done
}

roll() {
  local name kind http silo gateway
  [ -n "$(nodes)" ] || { echo "no cluster started (deploy/local-cluster.sh start)" >&2; exit 1; }
  [ "${1:-}" = --no-build ] || build
  # One node at a time, each back and ready before the next goes: the others keep serving, clients of the stopped
  # one reconnect to them (close 1001) and its grains move over.
  for name in $(nodes); do
    read -r kind http silo gateway <"$state/$name.node"
    echo "rolling $name"
    stop_node "$name"
    start_node "$name" "$kind" "$http" "$silo" "$gateway"
    wait_ready "$name" "$http"
  done
  status
}

case "${1:-}" in
  start)
    layout=${2:-front+silo}
    case "$layout" in front+silo|two-fronts) ;; *) echo "unknown layout '$layout' (front+silo or two-fronts)" >&2; exit 2 ;; esac
    build
    rm -f "$state"/*.node
    # The connection string may carry a password (PG_CONNECTION): readable by the owner only.
    (umask 077; start_postgres >"$state/connection")
    start_node node1 front "$http_port" "$silo_port" "$gateway_port"
    wait_ready node1 "$http_port"
    case "$layout" in
      front+silo) start_node node2 headless $((http_port + 1)) $((silo_port + 1)) $((gateway_port + 1)); wait_ready node2 $((http_port + 1)) ;;
      two-fronts) start_node node2 front $((http_port + 2)) $((silo_port + 1)) $((gateway_port + 1)); wait_ready node2 $((http_port + 2)) ;;
    esac
    curl -fsS "http://127.0.0.1:$http_port/health"; echo
    ;;
  status) status ;;
  roll) roll "${2:-}" ;;
  stop) stop_all ;;
  *) sed -n '2,12p' "$0" | sed -E 's/^# ?//'; exit 2 ;;
esac
