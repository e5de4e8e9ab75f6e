#!/usr/bin/env bash
# `npm run test:llm-real`: the opt-in tier with a real inference engine. Installs node-llama-cpp
# (prebuilt CPU binary) into a private prefix when missing — never into the project's
# dependencies —, writes the random-weights GGUF model, and runs test/llm-real with its own
# vitest config. CICD_LLM_REAL_PREFIX moves the prefix (default .cicd/llm-real, gitignored).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
prefix=${CICD_LLM_REAL_PREFIX:-.cicd/llm-real}
version=3.22.1
export CICD_LLM_REAL_PREFIX="$prefix"

binary="@node-llama-cpp/$(node -p "process.platform + '-' + process.arch")"
installed=$(node -p "try { require(require('path').resolve('$prefix/node_modules/node-llama-cpp/package.json')).version } catch { '' }")
if [ "$installed" != "$version" ] || [ ! -d "$prefix/node_modules/$binary" ]; then
  echo "[llm-real] installing node-llama-cpp@$version into $prefix"
  mkdir -p "$prefix"
  # its own package.json, so npm installs here and never walks up to the project's
  [ -f "$prefix/package.json" ] || echo '{ "name": "cicd-llm-real", "private": true }' > "$prefix/package.json"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --omit=optional \
    "node-llama-cpp@$version" "$binary@$version"
fi

node --import tsx test/llm-real/make-model.ts "$prefix/random-llama.gguf"   # deterministic: rewritten each run
exec npx vitest run -c test/llm-real/vitest.config.ts "$@"
