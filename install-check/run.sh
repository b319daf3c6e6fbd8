#!/usr/bin/env bash
# The install check: what an adopter does with the README alone, in a minimal
# Backstage 1.55.0 app outside this workspace (install-check/app: the layout
# and versions of create-app 0.9.2, trimmed to what Env Parity needs, with its
# own yarn.lock). Fails on the first step that fails.
#
#   1. pack every plugin (install-check/pack.sh, as `yarn pack:plugins`)
#   2. check the packed metadata: publishable, ^ ranges that the 1.55.0
#      versions satisfy (no second copy of a Backstage package in a 1.55 app)
#   3. copy the app to a scratch folder, apply the README's install section
#      (install-check/readme.js) and `yarn install`
#   4. start the backend on a loopback port and get a report through the API
#      with a static service token (and a 401 without it)
#   5. type-check the app (both frontends, and every README import), build the
#      new-system app and the legacy app
#
# Environment: INSTALL_CHECK_DIR (scratch folder, default a new temporary one,
# removed afterwards unless INSTALL_CHECK_KEEP=1), INSTALL_CHECK_TARBALLS (use
# already packed tarballs from this folder instead of packing).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

step() { printf '\n--- install check: %s (%ss)\n' "$1" "$SECONDS"; }

WORK="${INSTALL_CHECK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/env-parity-install-check.XXXXXX")}"
APP="$WORK/app"
BACKEND_PID=""
cleanup() {
  if [ -n "$BACKEND_PID" ]; then
    kill -- "-$BACKEND_PID" 2>/dev/null || kill "$BACKEND_PID" 2>/dev/null || true
  fi
  if [ -z "${INSTALL_CHECK_DIR:-}" ] && [ "${INSTALL_CHECK_KEEP:-}" != 1 ]; then
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

step "scratch app in $APP"
rm -rf "$APP"
mkdir -p "$APP/.yarn/releases"
cp -R install-check/app/. "$APP/"
cp .yarn/releases/yarn-4.13.0.cjs "$APP/.yarn/releases/"

step "pack every plugin"
if [ -n "${INSTALL_CHECK_TARBALLS:-}" ]; then
  mkdir -p "$APP/env-parity"
  cp "$INSTALL_CHECK_TARBALLS"/*.tgz "$APP/env-parity/"
else
  bash install-check/pack.sh "$APP/env-parity"
fi

step "packed metadata"
node install-check/check-packages.js "$APP/env-parity" ../shared/backstage-release-1.55.0.json

step "the README's install section"
node install-check/readme.js README.md "$APP"
cd "$APP"
# Its own project: no lookup of the workspace above, same cache as this one.
export YARN_ENABLE_PROGRESS_BARS=0 YARN_ENABLE_TELEMETRY=0
# The packed tarballs' checksums change with every pack, so the app's lockfile
# is updated for them (yarn makes installs immutable by default when CI is set).
YARN_ENABLE_IMMUTABLE_INSTALLS=false yarn install 2>&1 | grep -v -E 'YN0002|YN0060|YN0086' || { echo "yarn install failed"; exit 1; }
test -d node_modules/@env-parity/plugin-env-parity-backend

step "backend: start, get a report with a service token"
PORT="${INSTALL_CHECK_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}"
TOKEN="install-check-$(node -e 'console.log(require("crypto").randomBytes(16).toString("hex"))')"
export INSTALL_CHECK_PORT="$PORT" INSTALL_CHECK_TOKEN="$TOKEN"
LOG="$WORK/backend.log"
(cd packages/backend && exec setsid yarn start) >"$LOG" 2>&1 &
BACKEND_PID=$!
BASE="http://127.0.0.1:$PORT/api/env-parity"
ENTITY="$BASE/entities/component/default/install-check-service"
node "$ROOT/install-check/fetch-report.js" "$BASE" "$ENTITY" "$TOKEN" "$LOG"
kill -- "-$BACKEND_PID" 2>/dev/null || kill "$BACKEND_PID" || true
wait "$BACKEND_PID" 2>/dev/null || true
BACKEND_PID=""

step "frontend: type-check both apps and the README's imports"
yarn tsc

step "frontend: build the new-system app"
yarn workspace app build >"$WORK/app-build.log" 2>&1 || { tail -50 "$WORK/app-build.log"; exit 1; }

step "frontend: build the legacy app"
yarn workspace app-legacy build >"$WORK/app-legacy-build.log" 2>&1 || { tail -50 "$WORK/app-legacy-build.log"; exit 1; }

step "passed"
