#!/usr/bin/env bash
# The test command (`npm test`): installs the Debian tools the tests check rendered files with,
# the npm dependencies, type-checks, then runs every jest suite. Extra args go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh
bash scripts/prepare-deps.sh
npx tsc -p tsconfig.json --noEmit
# Jest's own summary is "Tests: N passed, M total"; print the plain closing line too.
results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
npx jest --ci --json --outputFile="$results" "$@" || status=$?
# shellcheck disable=SC2016 # a JavaScript template literal, not shell
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
process.stdout.write(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped\n`);
' "$results" || true
exit "$status"
