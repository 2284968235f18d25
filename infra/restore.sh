#!/usr/bin/env bash
# Restores a backup made by infra/backup.sh into a NEW, empty database and prints its URL.
# Usage: infra/restore.sh FILE [DATABASE_NAME]   (default name: zweck_restored_<time>)
# A restore never overwrites: to replace the live database, stop the API and worker, restore into
# a new database, check it, then point DATABASE_URL at it (or rename the databases).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/secrets.sh"
file="$(realpath "${1:?usage: infra/restore.sh FILE [DATABASE_NAME]}")"
name="${2:-zweck_restored_$(date -u +%Y%m%d%H%M%S)}"
[[ $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "database name must be lower-case letters, digits and _: $name"
bash "$ZWECK_ROOT/infra/postgres.sh" ensure-db "$name"
target="${ZWECK_PG_SERVER_URL%/*}/$name"
cd "$ZWECK_ROOT"
PG_BIN="$PG_BIN" pnpm --silent --filter @zweck/db backup restore "$file" --target "$target"
log "restored into $target"
