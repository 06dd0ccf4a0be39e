#!/usr/bin/env bash
# The test command (`npm test`): installs the Debian tools the tests check rendered files with,
# the npm dependencies, type-checks, then runs every jest suite. Extra args go to jest (and then
# only the suites they select run).
# Without args the suites run in two phases: everything but the first-boot VM layer on both
# cores, then the VM layer (tests/vm/vm.firstboot.test.ts) alone, because qemu's software
# emulation needs the whole machine to boot within its bounds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh
bash scripts/prepare-deps.sh
npx tsc -p tsconfig.json --noEmit
# Jest's own summary is "Tests: N passed, M total"; print the plain closing line too, summed
# over the phases.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
if [ "$#" -gt 0 ]; then
  npx jest --ci --json --outputFile="$work/1.json" "$@" || status=$?
else
  npx jest --ci --json --outputFile="$work/1.json" --testPathIgnorePatterns '/tests/vm/' || status=$?
  npx jest --ci --json --outputFile="$work/2.json" tests/vm/vm.firstboot.test.ts || status=$?
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
