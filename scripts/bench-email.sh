#!/usr/bin/env bash
# E-mail benchmark: the email channel against Postfix's own load generator,
# smtp-source, both sending to Postfix's smtp-sink on 127.0.0.1:21525.
# Three rows, 1,000 messages each:
#
#   notifications-8   1,000 one-recipient notifications, 8 at a time
#   notifications-1   the same, one at a time
#   recipients        one notification to 1,000 recipients, 8 connections
#
#   scripts/bench-email.sh [runs [baseline]]   # default 5 runs
#
# With a baseline (a git revision that has these benchmarks), the channel
# as built at that revision runs too, alternating with the current one and
# smtp-source within each run, and the medians of the three are compared.
#
# smtp-sink and smtp-source come from Debian's postfix package, downloaded
# with `apt-get download` and unpacked into ./.tmp/postfix: the MTA is never
# installed or started. smtp-source sends the very message the channel
# sends (-F, the file the benchmark writes), so both move the same bytes.
# It is run as the issue of this benchmark defines its floor, a session per
# message for notifications (smtp-source -s 8, -s 1) and reused sessions for
# the recipients row (-d -s 8), and also with -d on the notification rows,
# which is the stricter reference. For each row, the runs alternate (the
# channel, then smtp-source), and the medians are compared, as are the
# ratios within each run, which a machine's changing load distorts less.
# smtp-source's time is that of its process, start-up included.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-5}
baseline=${2:-}
messages=1000
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
base_bin=.tmp/email-bench-baseline.test
msg_dir=$(mktemp -d)
trap 'kill "$sink_pid" 2>/dev/null || true; rm -rf "$test_bin" "$base_bin" "$msg_dir"' EXIT
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
if [ -n "$baseline" ]; then
  log "building the benchmark at $baseline"
  tree=$(mktemp -d)
  git worktree add --detach "$tree" "$baseline" >&2
  (cd "$tree" && go test -c -o "$OLDPWD/$base_bin" ./channels/email)
  git worktree remove --force "$tree"
fi

# go_row BENCH MSGFILE [BINARY]: one run of the channel's benchmark; prints
# its rate and the size of its message, and writes the message to MSGFILE.
go_row() {
  local out
  out=$(OUTAGECAST_SMTP_SINK=$sink_addr OUTAGECAST_BENCH_MESSAGE=$2 \
    "${3:-$test_bin}" -test.run '^$' -test.bench "^Benchmark$1\$" -test.benchtime 1x)
  echo "$out" | grep '^Benchmark' >&2
  echo "$out" | awk '/^Benchmark/ {
    for (i = 1; i < NF; i++) { if ($(i+1) == "msgs/s") r = $i; if ($(i+1) == "bytes/msg") s = $i }
    print r, s }'
}

# source_row ARGS...: one run of smtp-source; prints its rate.
source_row() {
  local start end
  start=$(date +%s%N)
  "$root/usr/sbin/smtp-source" "$@" -m "$messages" -f status@example.com -t subscriber@example.net "$sink_addr"
  end=$(date +%s%N)
  awk -v n="$messages" -v ns="$((end - start))" 'BEGIN { printf "%.0f\n", n * 1e9 / ns }'
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$(((${#@} + 1) / 2))p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# row NAME BENCH SOURCE-ARGS [STRICT-SOURCE-ARGS]
row() {
  local name=$1 bench=$2 src=$3 strict=${4:-} msg="$msg_dir/$1.eml"
  local go_rates=() src_rates=() strict_rates=() base_rates=() base_size= size=
  local go_ratios=() base_ratios=()
  for run in $(seq 1 "$runs"); do
    local out rate
    if [ -n "$baseline" ]; then
      out=$(go_row "$bench" "$msg_dir/baseline.eml" "$base_bin")
      read -r rate base_size <<<"$out"
      base_rates+=("$rate")
    fi
    out=$(go_row "$bench" "$msg")
    read -r rate size <<<"$out"
    go_rates+=("$rate")
    # shellcheck disable=SC2086 # the arguments are meant to split
    src_rates+=("$(source_row $src -F "$msg")")
    if [ -n "$strict" ]; then
      # shellcheck disable=SC2086
      strict_rates+=("$(source_row $strict -F "$msg")")
    fi
    go_ratios+=("$(ratio "${go_rates[-1]}" "${src_rates[-1]}")")
    if [ -n "$baseline" ]; then
      base_ratios+=("$(ratio "${base_rates[-1]}" "${src_rates[-1]}")")
    fi
    log "$name run $run: ${baseline:+baseline ${base_rates[-1]}, }channel ${go_rates[-1]}, smtp-source ${src_rates[-1]}${strict:+, with -d ${strict_rates[-1]}} msgs/s"
  done
  local go_m src_m
  go_m=$(median "${go_rates[@]}")
  src_m=$(median "${src_rates[@]}")
  echo "$name: $messages messages of $size bytes (both senders)"
  if [ -n "$baseline" ]; then
    local base_m
    base_m=$(median "${base_rates[@]}")
    echo "  baseline $baseline, messages of $base_size bytes: $base_m msgs/s (runs: ${base_rates[*]})"
    echo "  baseline / smtp-source: $(ratio "$base_m" "$src_m")× (median of the runs' ratios: $(median "${base_ratios[@]}")×)"
  fi
  echo "  channel, Benchmark$bench: $go_m msgs/s (runs: ${go_rates[*]})"
  echo "  smtp-source $src: $src_m msgs/s (runs: ${src_rates[*]})"
  echo "  channel / smtp-source: $(ratio "$go_m" "$src_m")× (median of the runs' ratios: $(median "${go_ratios[@]}")×; goal: at least 1.0×)"
  if [ -n "$strict" ]; then
    local strict_m
    strict_m=$(median "${strict_rates[@]}")
    echo "  smtp-source $strict: $strict_m msgs/s (runs: ${strict_rates[*]})"
    echo "  channel / smtp-source $strict: $(ratio "$go_m" "$strict_m")×"
  fi
}

echo "load: $(uptime)"
row notifications-8 'SMTPNotifications/at-a-time=8' '-s 8' '-d -s 8'
row notifications-1 'SMTPNotifications/at-a-time=1' '-s 1' '-d -s 1'
row recipients 'SMTPRecipients' '-d -N -s 8'
echo "load: $(uptime)"
