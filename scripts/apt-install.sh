#!/usr/bin/env bash
# Installs Debian packages the tests need, in one apt-get run, without
# starting the daemons they ship (the tests start their own servers on
# loopback ports):
#
#   scripts/apt-install.sh ngircd postgresql chromium
#
# Packages already installed are left alone; when all are, nothing runs.
# The package lists are updated once, right before installing. Needs root or
# sudo. Output goes to stderr.
set -euo pipefail

missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -gt 0 ] || exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "apt-install.sh: installing ${missing[*]}" >&2
# policy-rc.d answering 101 keeps the packages' init scripts from starting
# their daemons.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  made_policy=1
fi
trap '[ -z "$made_policy" ] || $sudo rm -f "$policy"' EXIT
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
