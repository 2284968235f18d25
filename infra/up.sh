#!/usr/bin/env bash
# Brings the whole product up with demo data: PostgreSQL, Temporal, the SMTP sink, the worker and
# the API serving the admin UI. Prints where to open it. `bash infra/down.sh` stops it.
source "$(dirname "$0")/lib.sh"
cd "$ZWECK_ROOT"

bash infra/bootstrap.sh
bash infra/services.sh start
bash infra/postgres.sh ensure-db "$(basename "${DATABASE_URL%%\?*}")"
source infra/secrets.sh

log "migrating and seeding demo data"
pnpm --filter @zweck/api exec tsx scripts/seed.ts --demo >"$ZWECK_LOG_DIR/seed.log" 2>&1 \
  || { cat "$ZWECK_LOG_DIR/seed.log" >&2; die "seeding failed"; }

log "building the admin UI and the workflow bundle"
pnpm --filter @zweck/web run build >"$ZWECK_LOG_DIR/web-build.log" 2>&1 \
  || { tail -n 30 "$ZWECK_LOG_DIR/web-build.log" >&2; die "web build failed"; }
pnpm --filter @zweck/worker run build >"$ZWECK_LOG_DIR/worker-build.log" 2>&1 \
  || { tail -n 30 "$ZWECK_LOG_DIR/worker-build.log" >&2; die "workflow bundle failed"; }

export PUBLIC_URL="${PUBLIC_URL:-http://127.0.0.1:$ZWECK_API_PORT}"
export NODE_ENV="${NODE_ENV:-development}"

stop_pid worker
stop_pid api
(cd workflows/worker && WORKFLOW_BUNDLE_PATH="$PWD/dist/workflow-bundle.js" start_bg worker "$ZWECK_LOG_DIR/worker.log" node --import tsx src/main.ts)
(cd apps/api && PORT="$ZWECK_API_PORT" INBOUND_SMTP_PORT="$ZWECK_INBOUND_SMTP_PORT" WEB_DIST_DIR="$ZWECK_ROOT/apps/web/dist" start_bg api "$ZWECK_LOG_DIR/api.log" node --import tsx src/main.ts)
wait_for_port 127.0.0.1 "$ZWECK_API_PORT" 60 API

cat <<INFO

  Zweck is up.

  Admin UI          http://127.0.0.1:$ZWECK_API_PORT
  Temporal UI       http://127.0.0.1:$ZWECK_TEMPORAL_UI_PORT
  Mail sink (JSON)  $MAIL_SINK_URL/api/messages   (also in the UI under "Outbox")
  Inbound mail      smtp://127.0.0.1:$ZWECK_INBOUND_SMTP_PORT   (accepts unsubscribe@ and bounces@zweck.test only)
  PostgreSQL        $DATABASE_URL

  Demo sign-ins (development only):
    admin@zweck.test     zweck-admin-demo
    marketer@zweck.test  zweck-marketer-demo
    sales@zweck.test     zweck-sales-demo
    dpo@zweck.test       zweck-dpo-demo
  Admin and DPO need a second code after the password: pnpm demo:code admin   (or: dpo)

  Logs in $ZWECK_LOG_DIR; stop with: bash infra/down.sh  (services too: --all)

INFO
