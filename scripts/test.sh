#!/usr/bin/env bash
# The test command (`npm test`): installs the Debian tools the tests check rendered files with,
# the npm dependencies, type-checks, then runs every jest suite. Extra args go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh
bash scripts/prepare-deps.sh
npx tsc -p tsconfig.json --noEmit
npx jest --ci "$@"
