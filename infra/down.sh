#!/usr/bin/env bash
# Stops what infra/up.sh started. `--all` stops the backing services too (data is kept in .data/).
source "$(dirname "$0")/lib.sh"
stop_pid api
stop_pid worker
log "API and worker: stopped"
if [[ ${1:-} == --all ]]; then bash "$(dirname "$0")/services.sh" stop; fi
