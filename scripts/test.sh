#!/usr/bin/env bash
# The test command (`npm test`): installs the Debian tools the tests check rendered files with,
# the npm dependencies, lints (ESLint), type-checks, then runs every jest lane.
#
#   bash scripts/test.sh                every lane: unit, tools, live, browser, then vm
#   bash scripts/test.sh LANE [ARGS]    one lane (unit|tools|live|browser|vm), ARGS to jest
#   bash scripts/test.sh ARGS           jest ARGS (only the suites they select run)
#
# The lanes are the folders of tests/ (docs/guide/testing.md): unit (pure functions and the program
# under Pulumi's mocks, in process; `npm run test:unit`, no tools needed), tools (real tools on
# rendered files, the kit's commands as child processes), live (servers on loopback), browser
# (headless Chromium), vm (the first boot in a VM). Without args the VM lane
# runs last and alone, because qemu's software emulation needs the whole machine to boot within
# its bounds.
set -euo pipefail
cd "$(dirname "$0")/.."
lane=""
case "${1:-}" in
    unit | tools | live | browser | vm) lane=$1; shift ;;
esac
if [ "$lane" != unit ]; then bash scripts/install-tools.sh; fi
bash scripts/prepare-deps.sh
if [ -z "$lane" ]; then
    npx eslint .
    npx prettier --check "**/*.{ts,js,mjs}"
    npx tsc -p tsconfig.json --noEmit
fi
# Jest's own summary is "Tests: N passed, M total"; print the plain closing line too, summed
# over the phases.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
if [ -n "$lane" ]; then
    npx jest --ci --json --outputFile="$work/1.json" "tests/$lane/" "$@" || status=$?
elif [ "$#" -gt 0 ]; then
    npx jest --ci --json --outputFile="$work/1.json" "$@" || status=$?
else
    npx jest --ci --json --outputFile="$work/1.json" --testPathIgnorePatterns '/tests/vm/' || status=$?
    npx jest --ci --json --outputFile="$work/2.json" tests/vm/ || status=$?
fi
# shellcheck disable=SC2016 # a JavaScript template literal, not shell
node -e '
const fs = require("fs");
let p = 0, f = 0, s = 0, suitesFailed = 0;
for (const file of process.argv.slice(1)) {
  if (!fs.existsSync(file)) { suitesFailed++; continue; }
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests; suitesFailed += r.numFailedTestSuites;
}
if (suitesFailed && !f) f = suitesFailed;
process.stdout.write(`${p} passed, ${f} failed, ${s} skipped\n`);
' "$work"/*.json || true
exit "$status"
