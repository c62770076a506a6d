#!/usr/bin/env bash
# Bulk e-mail benchmark: the email channel against Postfix's own load
# generator, smtp-source, each sending 10,000 messages to Postfix's smtp-sink
# on 127.0.0.1:21525 over the same number of connections.
#
#   scripts/bench-email.sh [concurrency]   # default 8
#
# smtp-sink and smtp-source come from Debian's postfix package, downloaded
# with `apt-get download` and unpacked into ./.tmp/postfix: the MTA is never
# installed or started. Both senders reuse their connections (smtp-source -d)
# and send messages of the same size (smtp-source -l, set to the size of the
# channel's message; smtp-source adds a few header lines of its own). The
# runs alternate, three each; the medians are compared. Results go to
# stdout; the script fails when the channel reaches less than 50% of
# smtp-source's rate.
set -euo pipefail
cd "$(dirname "$0")/.."

concurrency=${1:-8}
messages=10000
runs=3
sink_addr=127.0.0.1:21525
root=.tmp/postfix

log() { echo "bench-email.sh: $*" >&2; }

fetch_postfix() {
  if [ -x "$root/usr/sbin/smtp-sink" ] && [ -x "$root/usr/sbin/smtp-source" ]; then
    return
  fi
  local dl
  dl=$(mktemp -d)
  log "downloading Debian's postfix package (unpacked only, never installed)"
  if ! (cd "$dl" && apt-get download postfix) >&2; then
    apt-get update >&2
    (cd "$dl" && apt-get download postfix) >&2
  fi
  rm -rf "$root"
  mkdir -p "$root"
  dpkg-deb -x "$dl"/postfix_*.deb "$root"
  rm -rf "$dl"
}

fetch_postfix
# The tools link against Postfix's own libraries and read main.cf from
# MAIL_CONFIG: give them the package's libraries and an empty configuration,
# so that nothing of a Postfix installed on the machine is used.
export LD_LIBRARY_PATH="$PWD/$root/usr/lib/postfix"
export MAIL_CONFIG="$PWD/$root/config"
mkdir -p "$MAIL_CONFIG"
: >"$MAIL_CONFIG/main.cf"

sink_opts=()
if [ "$(id -u)" = 0 ]; then
  sink_opts=(-u nobody) # smtp-sink refuses to run as root
fi
"$root/usr/sbin/smtp-sink" "${sink_opts[@]}" "$sink_addr" 1024 >.tmp/smtp-sink.log 2>&1 &
sink_pid=$!
test_bin=.tmp/email-bench.test
trap 'kill "$sink_pid" 2>/dev/null || true; rm -f "$test_bin"' EXIT
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/${sink_addr%:*}/${sink_addr#*:}") 2>/dev/null && break
  sleep 0.1
done
if ! kill -0 "$sink_pid" 2>/dev/null; then
  log "smtp-sink did not start (is $sink_addr in use?); its log:"
  cat .tmp/smtp-sink.log >&2
  exit 1
fi

log "building the benchmark"
go test -c -o "$test_bin" ./channels/email

go_rates=()
source_rates=()
size=
for run in $(seq 1 "$runs"); do
  out=$(OUTAGECAST_SMTP_SINK=$sink_addr OUTAGECAST_BENCH_CONCURRENCY=$concurrency \
    "$test_bin" -test.run '^$' -test.bench '^BenchmarkBulk10k$' -test.benchtime 1x)
  echo "$out" | grep '^BenchmarkBulk10k' >&2
  rate=$(echo "$out" | awk '/^BenchmarkBulk10k/ { for (i = 1; i < NF; i++) if ($(i+1) == "msgs/s") print $i }')
  size=$(echo "$out" | awk '/^BenchmarkBulk10k/ { for (i = 1; i < NF; i++) if ($(i+1) == "bytes/msg") print $i }')
  go_rates+=("$rate")

  start=$(date +%s%N)
  "$root/usr/sbin/smtp-source" -d -s "$concurrency" -m "$messages" -l "$size" \
    -f status@example.com -t subscriber@example.net "$sink_addr"
  end=$(date +%s%N)
  rate=$(awk -v n="$messages" -v ns="$((end - start))" 'BEGIN { printf "%.0f", n * 1e9 / ns }')
  log "run $run: smtp-source $rate msgs/s"
  source_rates+=("$rate")
done

median() { printf '%s\n' "$@" | sort -n | sed -n "$(((${#@} + 1) / 2))p"; }
go_median=$(median "${go_rates[@]}")
source_median=$(median "${source_rates[@]}")
percent=$(awk -v a="$go_median" -v b="$source_median" 'BEGIN { printf "%.0f", 100 * a / b }')

echo "messages: $messages of $size bytes to smtp-sink at $sink_addr, $concurrency connections"
echo "smtp-source -d -s $concurrency -m $messages -l $size: $source_median msgs/s (runs: ${source_rates[*]})"
echo "email channel, BenchmarkBulk10k, Concurrency $concurrency: $go_median msgs/s (runs: ${go_rates[*]})"
echo "email channel / smtp-source: $percent% (target: at least 50%)"
if [ "$percent" -lt 50 ]; then
  echo "below target" >&2
  exit 1
fi
