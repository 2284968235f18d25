#!/usr/bin/env bash
# The local SMTP sink (infra/mail-sink): SMTP in, JSON over HTTP out. Its bounce and complaint mode
# (recipients bounce-sync…, bounce…, softbounce…, complain…) reports to the API's inbound listener.
# Usage: infra/mail-sink.sh start|stop|status
source "$(dirname "$0")/lib.sh"

start() {
  if [[ -n ${ZWECK_SMTP_EXTERNAL:-} ]]; then log "SMTP: using $SMTP_URL"; return 0; fi
  if port_open 127.0.0.1 "$ZWECK_SMTP_PORT"; then log "SMTP sink: already up on port $ZWECK_SMTP_PORT"; return 0; fi
  cd "$ZWECK_ROOT/infra/mail-sink"
  start_bg mail-sink "$ZWECK_LOG_DIR/mail-sink.log" \
    env ZWECK_SINK_DIR="${ZWECK_SINK_DIR:-$ZWECK_DATA_DIR/mail}" \
    ZWECK_SINK_FEEDBACK_SMTP="${ZWECK_SINK_FEEDBACK_SMTP:-smtp://127.0.0.1:$ZWECK_INBOUND_SMTP_PORT}" \
    node --import tsx "$ZWECK_ROOT/infra/mail-sink/src/main.ts"
  wait_for_port 127.0.0.1 "$ZWECK_SMTP_PORT" 30 "SMTP sink"
  wait_for_port 127.0.0.1 "$ZWECK_SINK_HTTP_PORT" 30 "SMTP sink HTTP"
  log "SMTP sink: up on port $ZWECK_SMTP_PORT, messages at $MAIL_SINK_URL/api/messages"
}

stop() { stop_pid mail-sink; log "SMTP sink: stopped"; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) port_open 127.0.0.1 "$ZWECK_SMTP_PORT" && echo "up on $ZWECK_SMTP_PORT" || echo down ;;
  *) die "usage: $0 start|stop|status" ;;
esac
