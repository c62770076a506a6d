#!/usr/bin/env bash
# chromium.sh — makes sure a headless-capable Chromium is installed and
# prints the path of its binary on stdout, for the status page's browser
# test:
#
#   export CHROMIUM="$(scripts/chromium.sh)"
#   go test -tags integration -run Browser ./channels/statuspage/
#
# It installs Debian's chromium package when no chromium is found (root, or
# sudo; apt-get update once first). Running it again changes nothing.
# Everything but the path goes to stderr.
set -euo pipefail

log() { echo "chromium.sh: $*" >&2; }

find_chromium() {
	local name
	for name in chromium chromium-browser; do
		if command -v "$name" >/dev/null; then
			command -v "$name"
			return 0
		fi
	done
	return 1
}

if ! find_chromium >/dev/null; then
	log "installing chromium"
	"$(dirname "$0")/apt-install.sh" chromium
fi
path="$(find_chromium)" || { log "chromium is not installed and could not be installed"; exit 1; }
"$path" --version >&2 2>/dev/null || true
echo "$path"
