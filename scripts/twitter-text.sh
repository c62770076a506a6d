#!/usr/bin/env bash
# Checks channels/twitter's weighted length against twitter-text itself:
# installs the twitter-text npm package (pinned) into a cache outside the
# checkout, reused when present, and runs the tests tagged twittertext,
# which compare thousands of seeded random texts and every table case with
# twitter-text's parseTweet, run by one node process. Needs node and npm;
# without them it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
version=3.1.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/outagecast/twitter-text"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "twitter-text.sh: $tool is required (install Node.js and npm)" >&2
    exit 1
  fi
done

pkg="$cache/node_modules/twitter-text/package.json"
if ! node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' \
  "$pkg" "$version" 2>/dev/null; then
  echo "installing twitter-text $version into $cache" >&2
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --ignore-scripts \
    "twitter-text@$version" >&2
fi

TWITTER_TEXT_MODULES="$cache/node_modules" \
  go test -count=1 -tags twittertext -run '^TestTwitterText' "$@" ./channels/twitter/
