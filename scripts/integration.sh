#!/usr/bin/env bash
# Runs the integration tests against real servers and real tools: Mailpit
# (SMTP), ngIRCd (IRC), Dendrite (Matrix), PostgreSQL (pgstore, dispatch),
# Debian's chromium (the status page) and twitter-text (X's own counting).
# Installs what is missing (builds are cached outside the checkout), starts
# the servers on loopback, runs every test with the `integration` build tag,
# and stops the servers again, even on failure. A missing server or tool
# fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every Debian package at once: one apt-get update, one install.
scripts/apt-install.sh ngircd postgresql chromium

scripts/twitter-text.sh # channels/twitter against twitter-text itself; fails without node and npm

cleanup() {
  scripts/mailpit.sh stop || true
  scripts/ngircd.sh stop || true
  scripts/dendrite.sh stop || true
  scripts/postgres.sh stop || true
}
trap cleanup EXIT

# An assignment, not eval "$(…)", so that a server that cannot start
# ends the run here (set -e) instead of each of its tests failing later.
for s in mailpit ngircd dendrite postgres; do
  env=$(scripts/$s.sh start)
  eval "$env"
done
export CHROMIUM="${CHROMIUM:-$(scripts/chromium.sh)}" # the status page's browser test

go test -race -count=1 -tags integration "$@" ./...
