#!/usr/bin/env bash
# Everything a fresh checkout needs before anything runs: pnpm, dependencies, the generated
# Prisma client and the Temporal binaries. Idempotent and quick when nothing changed.
source "$(dirname "$0")/lib.sh"
cd "$ZWECK_ROOT"
ensure_pnpm
log "installing dependencies (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile --reporter=silent >"$ZWECK_LOG_DIR/pnpm-install.log" 2>&1 \
  || { tail -n 30 "$ZWECK_LOG_DIR/pnpm-install.log" >&2; die "pnpm install failed"; }
pnpm --filter @zweck/db run generate >"$ZWECK_LOG_DIR/prisma-generate.log" 2>&1 \
  || { tail -n 30 "$ZWECK_LOG_DIR/prisma-generate.log" >&2; die "prisma generate failed"; }
bash "$ZWECK_ROOT/infra/temporal.sh" install
