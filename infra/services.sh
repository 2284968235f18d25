#!/usr/bin/env bash
# Start or stop every backing service: PostgreSQL, Temporal, the SMTP sink.
# Usage: infra/services.sh start|stop|status
source "$(dirname "$0")/lib.sh"
here="$(dirname "$0")"
case "${1:-}" in
  start) bash "$here/postgres.sh" start; bash "$here/temporal.sh" start; bash "$here/mail-sink.sh" start ;;
  stop) bash "$here/mail-sink.sh" stop; bash "$here/temporal.sh" stop; bash "$here/postgres.sh" stop ;;
  status)
    printf 'PostgreSQL: %s\nTemporal:   %s\nSMTP sink:  %s\n' \
      "$(bash "$here/postgres.sh" status)" "$(bash "$here/temporal.sh" status)" "$(bash "$here/mail-sink.sh" status)" ;;
  *) die "usage: $0 start|stop|status" ;;
esac
