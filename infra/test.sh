#!/usr/bin/env bash
# Runs every test of the product against real components: it prepares what they need
# (dependencies, PostgreSQL, Temporal binaries and dev server, the SMTP sink, Chromium), then runs
# typecheck, lint and the test suites of every package through turbo, and ends with one line
# "N passed, N failed" summing up every suite.
source "$(dirname "$0")/lib.sh"
cd "$ZWECK_ROOT"

bash infra/bootstrap.sh
bash infra/services.sh start

if [[ -z ${CHROMIUM_PATH:-} ]]; then
  for candidate in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    [[ -x $candidate ]] && export CHROMIUM_PATH=$candidate && break
  done
fi
if [[ -z ${CHROMIUM_PATH:-} && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  log "installing Chromium for the browser tests (apt-get install chromium)"
  (apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }) \
    && export CHROMIUM_PATH=/usr/bin/chromium
fi
[[ -n ${CHROMIUM_PATH:-} ]] || die "Chromium is needed for the browser tests: apt-get install chromium, or set CHROMIUM_PATH"

find . -path ./node_modules -prune -o -type d -name .vitest -prune -exec rm -rf {} + 2>/dev/null || true

status=0
log "formatting, typecheck and lint"
pnpm exec prettier --check . --log-level warn || status=1
pnpm exec turbo run typecheck lint --output-logs=errors-only || status=1
log "tests"
pnpm exec turbo run test --concurrency=2 --continue || status=1

# One summary line over every package's JSON report.
node -e '
  const { readFileSync } = require("node:fs");
  const { execSync } = require("node:child_process");
  const files = execSync("find . -path ./node_modules -prune -o -path \"*/.vitest/results.json\" -print", { encoding: "utf8" }).split("\n").filter(Boolean);
  let passed = 0, failed = 0;
  for (const f of files) {
    const r = JSON.parse(readFileSync(f, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.testResults || []).filter((t) => t.status === "failed" && t.assertionResults.length === 0).length;
  }
  console.log(`\n${files.length} suites reported`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
' || status=1
exit $status
