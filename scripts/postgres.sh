#!/usr/bin/env bash
# Runs a throwaway PostgreSQL cluster on loopback for the pgstore and dispatch
# integration tests.
#
#   eval "$(scripts/postgres.sh start)"   # installs if needed, starts, prints the variable
#   scripts/postgres.sh stop              # stops the server and removes the cluster
#
# start installs Debian's postgresql package when its binaries are missing,
# creates a new cluster (trust authentication, fsync off: test data only) in
# a fresh temporary directory owned by the postgres user (PostgreSQL refuses
# to run as root), starts it on 127.0.0.1:21432 and creates the database
# outagecast. It prints one `export` line, OUTAGECAST_POSTGRES_DSN, on stdout;
# all other output goes to stderr. stop removes the cluster's directory.
set -euo pipefail
cd "$(dirname "$0")/.."

port=21432
db=outagecast
state=.tmp/postgres
dirfile=$state/dir # the cluster's directory, outside the checkout

log() { echo "postgres.sh: $*" >&2; }

pgbin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

install_postgres() {
  if pgbin >/dev/null; then
    return
  fi
  log "installing postgresql"
  scripts/apt-install.sh postgresql
  # The package starts a cluster of its own on the default port; tests use
  # their own, so stop it again.
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --force "$(basename "$(dirname "$(pgbin)")")" main stop >&2 2>&1 || true
  fi
}

as_postgres() { su postgres -s /bin/sh -c "$1"; }

running() {
  [ -s "$dirfile" ] && [ -d "$(cat "$dirfile")/data" ] &&
    as_postgres "$(pgbin)/pg_ctl -D '$(cat "$dirfile")/data' status" >/dev/null 2>&1
}

start() {
  install_postgres
  mkdir -p "$state"
  if running; then
    log "already running in $(cat "$dirfile")"
  else
    stop
    scripts/port-free.sh postgres.sh "$port" || return 1
    local bin d
    bin=$(pgbin)
    d=$(mktemp -d /tmp/outagecast-postgres.XXXXXX)
    echo "$d" >"$dirfile"
    chown postgres: "$d"
    as_postgres "$bin/initdb -D '$d/data' -U postgres --auth=trust -E UTF8 --no-locale" >&2
    if ! as_postgres "$bin/pg_ctl -D '$d/data' -l '$d/postgres.log' -w -t 30 start \
      -o '-c listen_addresses=127.0.0.1 -p $port -k $d -c fsync=off -c max_connections=200'" >&2; then
      log "postgres did not start; its log:"
      cat "$d/postgres.log" >&2
      stop
      return 1
    fi
    as_postgres "$bin/createdb -h 127.0.0.1 -p $port -U postgres $db" >&2
    log "running on 127.0.0.1:$port in $d"
  fi
  echo "export OUTAGECAST_POSTGRES_DSN='postgres://postgres@127.0.0.1:$port/$db?sslmode=disable'"
}

stop() {
  [ -s "$dirfile" ] || return 0
  local d
  d=$(cat "$dirfile")
  if [ -d "$d/data" ] && bin=$(pgbin); then
    as_postgres "$bin/pg_ctl -D '$d/data' -m fast -w stop" >/dev/null 2>&1 || true
    log "stopped"
  fi
  case "$d" in
  /tmp/outagecast-postgres.*) rm -rf "$d" ;;
  esac
  rm -f "$dirfile"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
