# Shared settings of the infra scripts. Every port and URL can be overridden from the environment.
# shellcheck shell=bash
set -euo pipefail

ZWECK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ZWECK_ROOT
export ZWECK_DATA_DIR="${ZWECK_DATA_DIR:-$ZWECK_ROOT/.data}"
export ZWECK_BIN_DIR="${ZWECK_BIN_DIR:-$ZWECK_ROOT/.bin}"
export ZWECK_RUN_DIR="$ZWECK_DATA_DIR/run"
export ZWECK_LOG_DIR="$ZWECK_DATA_DIR/logs"

export ZWECK_PG_PORT="${ZWECK_PG_PORT:-54329}"
export ZWECK_TEMPORAL_PORT="${ZWECK_TEMPORAL_PORT:-7239}"
export ZWECK_TEMPORAL_UI_PORT="${ZWECK_TEMPORAL_UI_PORT:-8239}"
export ZWECK_SMTP_PORT="${ZWECK_SMTP_PORT:-2525}"
export ZWECK_SINK_HTTP_PORT="${ZWECK_SINK_HTTP_PORT:-8025}"
export ZWECK_API_PORT="${ZWECK_API_PORT:-4000}"
# The API's inbound SMTP listener for the mailto unsubscribe (unsubscribe@MAIL_DOMAIN).
export ZWECK_INBOUND_SMTP_PORT="${ZWECK_INBOUND_SMTP_PORT:-2526}"

# Services given by URL in the environment are used as they are, and not started here.
export ZWECK_PG_SERVER_URL="${ZWECK_PG_SERVER_URL:-postgresql://zweck@127.0.0.1:$ZWECK_PG_PORT/postgres}"
export DATABASE_URL="${DATABASE_URL:-postgresql://zweck@127.0.0.1:$ZWECK_PG_PORT/zweck}"
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:$ZWECK_TEMPORAL_PORT}"
export TEMPORAL_NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
export SMTP_URL="${SMTP_URL:-smtp://127.0.0.1:$ZWECK_SMTP_PORT}"
export MAIL_SINK_URL="${MAIL_SINK_URL:-http://127.0.0.1:$ZWECK_SINK_HTTP_PORT}"

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)}"

mkdir -p "$ZWECK_RUN_DIR" "$ZWECK_LOG_DIR"

log() { printf '[zweck] %s\n' "$*" >&2; }
die() { printf '[zweck] error: %s\n' "$*" >&2; exit 1; }

# wait_for_port HOST PORT SECONDS NAME
wait_for_port() {
  local host=$1 port=$2 seconds=$3 name=$4 i
  for ((i = 0; i < seconds * 10; i++)); do
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$name did not open $host:$port within ${seconds}s (see $ZWECK_LOG_DIR)"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# pid_alive NAME: the process recorded in run/NAME.pid is running.
pid_alive() {
  local file="$ZWECK_RUN_DIR/$1.pid"
  [[ -f $file ]] && kill -0 "$(cat "$file")" 2>/dev/null
}

# stop_pid NAME: stop a process started by these scripts, politely first.
stop_pid() {
  local file="$ZWECK_RUN_DIR/$1.pid" pid i
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# start_bg NAME LOGFILE CMD...: start CMD in its own process group, record its pid.
start_bg() {
  local name=$1 logfile=$2
  shift 2
  setsid "$@" >>"$logfile" 2>&1 < /dev/null &
  echo $! >"$ZWECK_RUN_DIR/$name.pid"
}

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1; then return 0; fi
  log "installing pnpm 10 (corepack cannot verify signatures on this network)"
  npm install -g pnpm@10 >/dev/null 2>&1 || die "could not install pnpm; install pnpm 10 and run again"
}
