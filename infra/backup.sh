#!/usr/bin/env bash
# An encrypted backup of the product's database (pg_dump, sealed with AES-256-GCM under BACKUP_KEY).
# Usage: infra/backup.sh [DIR]   (default: .data/backups; keep copies off this host, and the key apart from them)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/secrets.sh"
dir="$(realpath -m "${1:-$ZWECK_DATA_DIR/backups}")"
cd "$ZWECK_ROOT"
PG_BIN="$PG_BIN" pnpm --silent --filter @zweck/db backup create --dir "$dir"
