#!/usr/bin/env bash
# Runs Dendrite, a real Matrix homeserver, on loopback for the matrix
# integration tests.
#
#   eval "$(scripts/dendrite.sh start)"   # builds if needed, starts, prints the variables
#   go test -race -tags integration ./channels/matrix/
#   scripts/dendrite.sh stop
#
# start builds the pinned Dendrite with `go install` (once per machine, into
# ${XDG_CACHE_HOME:-$HOME/.cache}/outagecast/dendrite-VERSION, outside the
# checkout: nothing built from Dendrite's code belongs in it), generates a
# signing key and a configuration under ./.tmp/dendrite, and starts the
# server on 127.0.0.1:28008 (OUTAGECAST_DENDRITE_PORT overrides the port)
# with federation disabled, SQLite, an in-memory JetStream, registration
# closed except through a random shared secret, and logging at warn. It waits
# for /_matrix/client/versions, registers three users with the shared secret
# and prints `export` lines on stdout:
#
#   OUTAGECAST_DENDRITE_URL        the homeserver's base URL
#   OUTAGECAST_DENDRITE_USER       the user the channel posts as, with
#   OUTAGECAST_DENDRITE_TOKEN      its access token (one device) and
#   OUTAGECAST_DENDRITE_PASSWORD   the password of every test user
#   OUTAGECAST_DENDRITE_READER     a second user that reads the rooms back,
#   OUTAGECAST_DENDRITE_READER_TOKEN
#   OUTAGECAST_DENDRITE_LIMITED    a user under Dendrite's rate limit, with
#   OUTAGECAST_DENDRITE_LIMITED_TOKEN
#
# Rate limiting stays on so that a test can see Dendrite's real 429
# M_LIMIT_EXCEEDED, but the channel's user and the reader are exempt; the
# limited user gets 5 requests per minute on the limited endpoints (whoami
# among them; Dendrite does not limit sending). All other output goes to
# stderr. A second start while the server runs prints the same lines again.
# stop stops the server and removes ./.tmp/dendrite.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly version=v0.13.8
readonly module=github.com/matrix-org/dendrite
readonly tools="dendrite generate-config generate-keys create-account"
readonly cache="${XDG_CACHE_HOME:-$HOME/.cache}/outagecast/dendrite-$version"
readonly addr=127.0.0.1:${OUTAGECAST_DENDRITE_PORT:-28008}
readonly dir=.tmp/dendrite
readonly pidfile=$dir/dendrite.pid
readonly server_name=localhost
# A fixed test credential: the server listens on loopback only and holds
# nothing but test rooms.
readonly password=dendrite-test-password-4Kp

log() { echo "dendrite.sh: $*" >&2; }

running() {
  [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

built() {
  local tool
  for tool in $tools; do
    go version -m "$cache/$tool" 2>/dev/null |
      grep -Eq "^[[:space:]]+mod[[:space:]]+$module[[:space:]]+$version([[:space:]]|$)" || return 1
  done
}

build() {
  built && return
  log "building Dendrite $version into $cache (once per machine; minutes on a cold module cache)"
  mkdir -p "$cache"
  local pkgs=() tool
  for tool in $tools; do pkgs+=("$module/cmd/$tool@$version"); done
  GOBIN="$cache" go install "${pkgs[@]}" >&2
}

# yaml_set FILE PATH VALUE sets the value at the dotted PATH of the YAML that
# generate-config writes (two-space indentation, block lists at their key's
# indentation), replacing a nested block with VALUE too. It fails when PATH
# is missing, so a renamed option cannot be skipped silently.
yaml_set() {
  awk -v path="$2" -v value="$3" '
    BEGIN { n = split(path, want, "."); skip = -1 }
    {
      match($0, /^ */); ind = RLENGTH; rest = substr($0, ind + 1)
      if (skip >= 0) {
        if (rest == "" || ind > skip || (ind == skip && substr(rest, 1, 2) == "- ")) next
        skip = -1
      }
      if (rest ~ /^[A-Za-z0-9_]+:/) {
        key = rest; sub(/:.*/, "", key)
        level = ind / 2 + 1; keys[level] = key
        if (level == n && !done) {
          same = 1
          for (i = 1; i <= n; i++) if (keys[i] != want[i]) same = 0
          if (same) { print substr($0, 1, ind) key ": " value; done = 1; skip = ind; next }
        }
      }
      print
    }
    END { if (!done) { print "yaml_set: " path " not found" > "/dev/stderr"; exit 1 } }
  ' "$1" >"$1.new"
  mv "$1.new" "$1"
}

write_config() {
  local abs=$PWD/$dir secret
  mkdir -p "$abs/data"
  "$cache/generate-keys" --private-key "$abs/matrix_key.pem" >&2
  "$cache/generate-config" -dir "$abs/data" -server "$server_name" >"$abs/dendrite.yaml"
  secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  local f=$abs/dendrite.yaml
  yaml_set "$f" global.private_key "\"$abs/matrix_key.pem\""
  yaml_set "$f" global.disable_federation true
  yaml_set "$f" global.trusted_third_party_id_servers "[]"
  yaml_set "$f" global.jetstream.in_memory true
  yaml_set "$f" global.server_notices.enabled false
  yaml_set "$f" global.report_stats.enabled false
  yaml_set "$f" client_api.registration_disabled true
  yaml_set "$f" client_api.registration_shared_secret "\"$secret\""
  yaml_set "$f" client_api.rate_limiting.enabled true
  yaml_set "$f" client_api.rate_limiting.threshold 5
  yaml_set "$f" client_api.rate_limiting.cooloff_ms 60000
  yaml_set "$f" client_api.rate_limiting.exempt_user_ids \
    "[\"@outagecast:$server_name\", \"@reader:$server_name\"]"
  yaml_set "$f" federation_api.key_perspectives "[]"
  yaml_set "$f" user_api.bcrypt_cost 4
  yaml_set "$f" logging "[{type: file, level: warn, params: {path: \"$abs/log\"}}]"
}

# get PATH prints the status line of a GET of PATH, using bash alone.
get() {
  local host=${addr%:*} port=${addr#*:} line
  exec 3<>"/dev/tcp/$host/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$1" "$addr" >&3
  IFS= read -r line <&3 || true
  exec 3<&-
  printf '%s\n' "$line"
}

wait_ready() {
  local i
  for i in $(seq 1 300); do
    if ! running; then
      log "dendrite exited; its output:"
      cat "$dir/dendrite.out" >&2
      return 1
    fi
    case "$(get /_matrix/client/versions 2>/dev/null)" in
    "HTTP/1."?" 200"*) return 0 ;;
    esac
    sleep 0.1
  done
  log "dendrite did not answer within 30s; its output:"
  cat "$dir/dendrite.out" >&2
  return 1
}

# register USER registers USER with the shared secret and prints the access
# token of the device registration made.
register() {
  local out token
  out=$("$cache/create-account" -config "$dir/dendrite.yaml" -url "http://$addr" \
    -username "$1" -password "$password" 2>&1) || {
    log "cannot register $1: $out"
    return 1
  }
  token=$(printf '%s\n' "$out" | sed -n 's/.*AccessToken: \([^)]*\)).*/\1/p')
  if [ -z "$token" ]; then
    log "registered $1, but create-account printed no access token"
    return 1
  fi
  printf '%s\n' "$token"
}

start() {
  build
  if running && [ -s "$dir/env" ]; then
    log "already running (pid $(cat "$pidfile"))"
    cat "$dir/env"
    return
  fi
  stop
  scripts/port-free.sh dendrite.sh "${addr#*:}" || return 1
  mkdir -p "$dir"
  write_config
  "$cache/dendrite" -config "$dir/dendrite.yaml" -http-bind-address "$addr" \
    >"$dir/dendrite.out" 2>&1 &
  echo $! >"$pidfile"
  wait_ready || { stop; return 1; }
  local token reader limited
  token=$(register outagecast) && reader=$(register reader) && limited=$(register limited) ||
    { stop; return 1; }
  log "running (pid $(cat "$pidfile")) on http://$addr"
  (
    umask 077
    {
      echo "export OUTAGECAST_DENDRITE_URL=http://$addr"
      echo "export OUTAGECAST_DENDRITE_USER=@outagecast:$server_name"
      echo "export OUTAGECAST_DENDRITE_TOKEN=$token"
      echo "export OUTAGECAST_DENDRITE_PASSWORD=$password"
      echo "export OUTAGECAST_DENDRITE_READER=@reader:$server_name"
      echo "export OUTAGECAST_DENDRITE_READER_TOKEN=$reader"
      echo "export OUTAGECAST_DENDRITE_LIMITED=@limited:$server_name"
      echo "export OUTAGECAST_DENDRITE_LIMITED_TOKEN=$limited"
    } >"$dir/env"
  )
  cat "$dir/env"
}

stop() {
  if running; then
    local pid i
    pid=$(cat "$pidfile")
    kill "$pid"
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid"
    fi
    log "stopped (pid $pid)"
  fi
  rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
