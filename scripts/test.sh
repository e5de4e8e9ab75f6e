#!/usr/bin/env bash
# `npm test`: installs what is missing, starts a private Redis (port 6391) and a Docker engine
# when none answers, type-checks, runs every vitest suite, and stops only what it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state=${CICD_TEST_STATE:-/tmp/cicd-test-services}
port=${CICD_TEST_REDIS_PORT:-6391}

[ -d node_modules/motia ] || { echo "[test] installing npm dependencies"; npm install --no-audit --no-fund; }

env_lines=$(bash scripts/services.sh up "$state" "$port")
trap 'bash scripts/services.sh down "$state"' EXIT
while IFS='=' read -r k v; do
  case "$k" in
    REDIS_URL) export CICD_TEST_REDIS_URL="$v" ;;
    DOCKER_HOST) export DOCKER_HOST="$v" ;;
  esac
done <<< "$env_lines"
export MOTIA_ANALYTICS_DISABLED=true

echo "[test] tsc --noEmit"
npx tsc --noEmit -p .
echo "[test] vitest (redis ${CICD_TEST_REDIS_URL:-none}, docker ${DOCKER_HOST:-none})"
npx vitest run "$@"
