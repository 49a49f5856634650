#!/usr/bin/env bash
# Rebuilds onchain/build/*.json from onchain/contracts/*.sol with the solc
# pinned in scripts/package.json (from the npm registry). Needs node and npm.
#   scripts/build.sh           compile and write build/
#   scripts/build.sh --check   compile and fail unless build/ is byte-identical
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/solc" ]; then
  # Exit 3: the compiler could not be installed (no npm or no registry).
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2) || exit 3
fi
exec node "$here/compile.js" "$@"
