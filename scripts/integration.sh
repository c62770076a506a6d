#!/usr/bin/env bash
# Runs the integration tests against real servers: Mailpit (SMTP), ngIRCd
# (IRC) and Dendrite (Matrix). Installs and starts them on loopback, runs
# every test with the `integration` build tag, and stops the servers again,
# even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/twitter-text.sh # channels/twitter against twitter-text itself; fails without node and npm

cleanup() {
  scripts/mailpit.sh stop || true
  scripts/ngircd.sh stop || true
  scripts/dendrite.sh stop || true
}
trap cleanup EXIT

eval "$(scripts/mailpit.sh start)"
eval "$(scripts/ngircd.sh start)"
eval "$(scripts/dendrite.sh start)"

go test -race -count=1 -tags integration "$@" ./...
