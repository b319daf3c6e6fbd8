#!/usr/bin/env bash
# Builds every published plugin and packs it, as `npm publish` would ship it,
# into one folder (default: dist-packages/ at the repository root), named
# plugin-env-parity-<name>.tgz without a version so the README's resolutions
# block stays the same from release to release.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="$(mkdir -p "${1:-dist-packages}" && cd "${1:-dist-packages}" && pwd)"
rm -f "$OUT"/*.tgz

# Type declarations of the node packages come from the repository's tsc output.
yarn tsc
yarn workspaces foreach --all --no-private --topological-dev --parallel --jobs 2 run build
# yarn pack runs each package's prepack (backstage-cli package prepack:
# entry points to dist/, workspace:^ ranges to real ones) and postpack.
yarn workspaces foreach --all --no-private --parallel --jobs 2 pack --out "$OUT/%s.tgz"
for f in "$OUT"/@env-parity-*.tgz; do
  mv "$f" "$OUT/${f##*/@env-parity-}"
done
ls -l "$OUT"
