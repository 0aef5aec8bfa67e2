#!/usr/bin/env bash
# Puts the installed app's files into TARGET, from a checkout set up with scripts/setup.sh (or npm ci):
#   scripts/stage-runtime.sh /opt/huxiao-edge
# The runtime compiled on its own from edge/ (tsconfig.runtime.json -> TARGET/dist/edge; no tests, no scripts, no dev
# kit), the models, the example configs, the README, and package.json with its lockfile, so that
# `npm ci --omit=dev` in TARGET installs the production dependencies. install.sh runs it;
# test/integration/install/staged-runtime.test.ts runs what it produces.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: stage-runtime.sh TARGET" >&2; exit 2; }
src="$(cd "$(dirname "$0")/.." && pwd)"
target="$1"
tsc="$src/node_modules/.bin/tsc"
[ -x "$tsc" ] || { echo "stage-runtime.sh: no TypeScript in $src/node_modules; run scripts/setup.sh (or npm ci) first" >&2; exit 1; }

mkdir -p "$target"
# Replaced, not merged: a module moved or deleted since the last install must not linger in the installed app.
rm -rf "$target/dist" "$target/config" "$target/models"
# Without source maps: they would point at sources the installed app does not have.
"$tsc" -p "$src/tsconfig.runtime.json" --outDir "$target/dist/edge" --sourceMap false
chmod +x "$target/dist/edge/cli/main.js"
cp -a "$src/package.json" "$src/package-lock.json" "$src/README.md" "$target/"
cp -a "$src/config" "$target/config"
if [ -d "$src/models" ]; then cp -a "$src/models" "$target/models"; fi
