#!/usr/bin/env bash
# A project-local PostgreSQL cluster: initdb on first use, trust on loopback, a port of its own.
# Usage: infra/postgres.sh start|stop|status
source "$(dirname "$0")/lib.sh"

PGDATA="$ZWECK_DATA_DIR/postgres"
SOCKET_DIR="$ZWECK_DATA_DIR/pg-socket"

# initdb and postgres refuse to run as root; on CI (root) they run as the `postgres` system user.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  if [[ -n ${ZWECK_PG_EXTERNAL:-} ]]; then log "PostgreSQL: using $ZWECK_PG_SERVER_URL"; return 0; fi
  [[ -x $PG_BIN/initdb ]] || die "PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BIN)"
  if port_open 127.0.0.1 "$ZWECK_PG_PORT"; then log "PostgreSQL: already up on port $ZWECK_PG_PORT"; return 0; fi
  mkdir -p "$PGDATA" "$SOCKET_DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres "$PGDATA" "$SOCKET_DIR" && chmod 700 "$PGDATA"
  if [[ ! -f $PGDATA/PG_VERSION ]]; then
    log "PostgreSQL: initdb into $PGDATA"
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U zweck --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$ZWECK_LOG_DIR/initdb.log" 2>&1 \
      || die "initdb failed, see $ZWECK_LOG_DIR/initdb.log"
  fi
  touch "$ZWECK_LOG_DIR/postgres.log"
  [[ $(id -u) -eq 0 ]] && chown postgres "$ZWECK_LOG_DIR/postgres.log"
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$ZWECK_LOG_DIR/postgres.log" -w -t 60 \
    -o "-p $ZWECK_PG_PORT -k $SOCKET_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${ZWECK_PG_FSYNC:-on}" start >/dev/null \
    || die "PostgreSQL did not start, see $ZWECK_LOG_DIR/postgres.log"
  wait_for_port 127.0.0.1 "$ZWECK_PG_PORT" 30 PostgreSQL
  log "PostgreSQL: up on port $ZWECK_PG_PORT"
}

stop() {
  [[ -f $PGDATA/postmaster.pid ]] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  log "PostgreSQL: stopped"
}

# Create the application database if it is missing (idempotent).
ensure_database() {
  local db=$1
  if ! psql "$ZWECK_PG_SERVER_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    psql "$ZWECK_PG_SERVER_URL" -qc "CREATE DATABASE \"$db\"" >/dev/null
    log "PostgreSQL: created database $db"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) port_open 127.0.0.1 "$ZWECK_PG_PORT" && echo "up on $ZWECK_PG_PORT" || echo down ;;
  ensure-db) ensure_database "${2:?database name}" ;;
  *) die "usage: $0 start|stop|status|ensure-db NAME" ;;
esac
