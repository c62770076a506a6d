#!/usr/bin/env bash
# Runs Mailpit, a real SMTP server that keeps what it receives and shows it
# through a REST API, on loopback for the email integration tests.
#
#   eval "$(scripts/mailpit.sh start)"   # installs if needed, starts, prints the variables
#   scripts/mailpit.sh stop
#
# start installs the pinned Mailpit with `go install` into the tools cache
# (${XDG_CACHE_HOME:-~/.cache}/outagecast/bin, once per machine),
# makes a self-signed certificate for 127.0.0.1 and localhost and a password
# file, and starts Mailpit with SMTP on 127.0.0.1:21025 (STARTTLS required,
# password authentication required) and the API and web UI on
# 127.0.0.1:21080; it refuses recipients whose address starts with "bounce"
# (550), and its chaos triggers (PUT /api/v1/chaos) are enabled, for tests
# that have it answer 4xx or 5xx at AUTH, MAIL FROM or RCPT TO. It waits until both answer, then prints `export` lines for
# OUTAGECAST_MAILPIT_SMTP, _API, _USER, _PASSWORD and _CA on stdout; all
# other output goes to stderr. State (pid file, log, certificate, database)
# lives under ./.tmp/mailpit.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v1.27.11
smtp_addr=127.0.0.1:21025
api_addr=127.0.0.1:21080
user=outagecast
# A fixed test credential: the server listens on loopback only and keeps
# nothing but test mail.
password=mailpit-test-password-7Qx
# Recipients whose address starts with "bounce" are refused (550), as a
# server refuses an unknown mailbox: a real server's per-recipient failure.
allowed='^([^b]|b[^o]|bo[^u]|bou[^n]|boun[^c]|bounc[^e])'
dir=.tmp/mailpit
cache="${XDG_CACHE_HOME:-$HOME/.cache}/outagecast/bin"
bin="$cache/mailpit"
pidfile=$dir/mailpit.pid

log() { echo "mailpit.sh: $*" >&2; }

running() {
  [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

install_mailpit() {
  if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null |
    grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/axllent/mailpit[[:space:]]+$version([[:space:]]|$)"; then
    return
  fi
  log "installing mailpit $version into $cache"
  mkdir -p "$cache"
  GOBIN="$cache" go install "github.com/axllent/mailpit@$version" >&2
}

make_credentials() {
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
    -subj "/CN=outagecast test Mailpit" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  printf '%s:%s\n' "$user" "$(openssl passwd -apr1 "$password")" >"$dir/smtp-auth"
}

wait_ready() {
  local i
  for i in $(seq 1 100); do
    if ! running; then
      log "mailpit exited; its log:"
      cat "$dir/mailpit.log" >&2
      return 1
    fi
    if "$bin" readyz --listen "$api_addr" >/dev/null 2>&1 &&
      (exec 3<>"/dev/tcp/${smtp_addr%:*}/${smtp_addr#*:}") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  log "mailpit did not answer within 10s; its log:"
  cat "$dir/mailpit.log" >&2
  return 1
}

start() {
  install_mailpit
  if running; then
    log "already running (pid $(cat "$pidfile"))"
  else
    scripts/port-free.sh mailpit.sh "${smtp_addr#*:}" "${api_addr#*:}" || return 1
    make_credentials
    rm -f "$dir"/mailpit.db*
    "$bin" --smtp "$smtp_addr" --listen "$api_addr" \
      --smtp-tls-cert "$dir/cert.pem" --smtp-tls-key "$dir/key.pem" --smtp-require-starttls \
      --smtp-auth-file "$dir/smtp-auth" --smtp-disable-rdns \
      --smtp-allowed-recipients "$allowed" \
      --database "$dir/mailpit.db" --max 5000 --disable-version-check --enable-chaos \
      >"$dir/mailpit.log" 2>&1 &
    echo $! >"$pidfile"
    wait_ready || { stop; return 1; }
    log "running (pid $(cat "$pidfile")): SMTP $smtp_addr, API http://$api_addr"
  fi
  echo "export OUTAGECAST_MAILPIT_SMTP=$smtp_addr"
  echo "export OUTAGECAST_MAILPIT_API=http://$api_addr"
  echo "export OUTAGECAST_MAILPIT_USER=$user"
  echo "export OUTAGECAST_MAILPIT_PASSWORD=$password"
  echo "export OUTAGECAST_MAILPIT_CA=$PWD/$dir/cert.pem"
}

stop() {
  if running; then
    local pid i
    pid=$(cat "$pidfile")
    kill "$pid"
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid"
    fi
    log "stopped (pid $pid)"
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
