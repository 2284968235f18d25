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
# Static checks count in the closing line as one test each, so that a type error cannot hide
# behind "0 failed".
static_passed=0
static_failed=0
check() { if "$@"; then static_passed=$((static_passed + 1)); else static_failed=$((static_failed + 1)); status=1; fi; }
log "formatting, typecheck and lint"
check pnpm exec prettier --check . --log-level warn
check pnpm exec turbo run typecheck --output-logs=errors-only
check pnpm exec turbo run lint --output-logs=errors-only
log "tests"
pnpm exec turbo run test --concurrency=2 --continue || status=1

# One summary line over every package's JSON report.
STATIC_PASSED=$static_passed STATIC_FAILED=$static_failed node -e '
  const { existsSync, readFileSync, readdirSync } = require("node:fs");
  const { join } = require("node:path");
  // Every workspace package with a test script must have left a report; a missing one failed.
  const dirs = ["apps", "packages", "workflows", "infra"].flatMap((top) =>
    readdirSync(top, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(top, d.name)));
  const tested = dirs.filter((d) => existsSync(join(d, "package.json")) && JSON.parse(readFileSync(join(d, "package.json"), "utf8")).scripts?.test);
  let passed = Number(process.env.STATIC_PASSED), failed = Number(process.env.STATIC_FAILED);
  for (const dir of tested) {
    const report = join(dir, ".vitest", "results.json");
    if (!existsSync(report)) {
      console.log(`no test report from ${dir}: counted as one failure`);
      failed += 1;
      continue;
    }
    const r = JSON.parse(readFileSync(report, "utf8"));
    passed += r.numPassedTests;
    // A file that failed without a failing test (a failing beforeAll or global setup, an import
    // error) counts as at least one failure, and so does a run that failed with no file at all.
    let packageFailed = 0;
    for (const t of r.testResults || []) {
      const results = t.assertionResults || [];
      const failing = results.filter((a) => a.status === "failed").length;
      // In a failed file, the tests that never ran (skipped after a failing hook) failed too.
      const neverRan = t.status === "failed" ? results.filter((a) => a.status === "skipped" || a.status === "pending").length : 0;
      packageFailed += t.status === "failed" ? Math.max(1, failing + neverRan) : failing;
    }
    if (r.success === false && packageFailed === 0) packageFailed = 1;
    failed += packageFailed;
  }
  console.log(`\n${tested.length} test suites, plus formatting, typecheck and lint as one check each`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
' || status=1
exit $status
