#!/usr/bin/env bash
# Installs the pinned developer tools into ./.tmp/bin (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/.tmp/bin"
mkdir -p "$bin"
staticcheck_version=v0.8.2
if ! "$bin/staticcheck" -version 2>/dev/null | grep -q "${staticcheck_version#v}"; then
  echo "installing staticcheck $staticcheck_version" >&2
  GOBIN="$bin" go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi
