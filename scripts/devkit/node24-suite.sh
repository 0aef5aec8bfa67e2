#!/usr/bin/env bash
# The test suite on the Node.js runtime that scripts/install.sh ships (scripts/node-runtime.sh), so the product is
# known to work on what gateways run; .ci/run runs it after `npm test` (Node 20). From a checkout set up with
# scripts/setup.sh:  scripts/devkit/node24-suite.sh
# It runs in a copy of the checkout, .cache/node24/tree, with a node_modules of its own: better-sqlite3 and epoll are
# compiled for Node 24 there (offline, against the runtime's headers), the other packages are hard links to the
# checkout's. The checkout's node_modules stays built for Node 20, so `npm test` keeps working beside it.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=scripts/node-runtime.sh
. "$src/scripts/node-runtime.sh"
cache="$src/.cache/node24"
runtime="$cache/node"
tree="$cache/tree"
modules="$(readlink -f "$src/node_modules")"
[ -x "$modules/.bin/tsc" ] || { echo "node24-suite.sh: set up the checkout first (scripts/setup.sh, or npm ci)" >&2; exit 1; }

if [ "$("$runtime/bin/node" -v 2>/dev/null)" != "v$NODE_RUNTIME_VERSION" ]; then fetch_node_runtime "$runtime"; fi

rm -rf "$tree"
mkdir -p "$tree"
tar -C "$src" --exclude=./node_modules --exclude=./.cache --exclude=./.git --exclude=./dist -cf - . | tar -C "$tree" -xf -
# Hard links where the file system allows it (the same disk), a copy elsewhere; the native packages are always real
# copies, since their rebuild writes into them.
cp -al "$modules" "$tree/node_modules" 2>/dev/null || { rm -rf "$tree/node_modules"; cp -a "$modules" "$tree/node_modules"; }
for native in better-sqlite3 epoll; do
  rm -rf "$tree/node_modules/$native"
  cp -a "$modules/$native" "$tree/node_modules/$native"
done

export PATH="$runtime/bin:$PATH"
cd "$tree"
# --build-from-source: prebuild-install would try to download a prebuilt binary, which cannot be fetched here.
npm rebuild better-sqlite3 epoll --build-from-source --nodedir="$runtime" --no-audit --no-fund >"$cache/rebuild.log" 2>&1 \
  || { tail -n 30 "$cache/rebuild.log" >&2; echo "node24-suite.sh: rebuilding the native modules for Node $NODE_RUNTIME_VERSION failed (log: $cache/rebuild.log)" >&2; exit 1; }
node node_modules/typescript/bin/tsc -p tsconfig.json
echo "node24-suite.sh: the suite on $(node -v) in $tree"
export HUXIAO_MEDIA_DIR="${HUXIAO_MEDIA_DIR:-$src/../shared/media}"
export HUXIAO_FACES_DIR="${HUXIAO_FACES_DIR:-$src/../shared/faces}"
# shellcheck disable=SC2046 # one argument per test file, as npm test passes them
node --test --test-reporter=spec $(find dist/test -name '*.test.js' | sort)
