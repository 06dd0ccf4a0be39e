#!/usr/bin/env bash
# Installs the npm dependencies exactly as locked, without install scripts (--ignore-scripts: the
# only packages that have them download from the internet at install time, which fails offline
# and is not needed; not in .npmrc, where it would also keep `npm pack` from building bin/), then
# does the one thing such a script would have done:
# Mozilla's HTTP Observatory reads conf/hsts-preload.json, which its postinstall downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund
fi
obs=node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json
[ -f "$obs" ] || echo '{}' > "$obs"
