#!/usr/bin/env bash
# Installs the pinned developer tools into the tools cache,
# ${XDG_CACHE_HOME:-~/.cache}/outagecast/bin, once per machine (idempotent),
# and prints that directory.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${XDG_CACHE_HOME:-$HOME/.cache}/outagecast/bin"
mkdir -p "$bin"
staticcheck_version=v0.8.2
if ! "$bin/staticcheck" -version 2>/dev/null | grep -q "${staticcheck_version#v}"; then
  echo "installing staticcheck $staticcheck_version" >&2
  GOBIN="$bin" go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi
echo "$bin"
