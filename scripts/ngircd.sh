#!/usr/bin/env bash
# ngircd.sh start|stop — throw-away ngIRCd servers on loopback for the IRC
# integration tests.
#
#   eval "$(scripts/ngircd.sh start)"   # prints export lines on stdout
#   go test -race -tags integration ./channels/irc/
#   scripts/ngircd.sh stop
#
# start installs the Debian package ngircd when it is missing (root, apt),
# writes a configuration and a self-signed certificate to .tmp/ngircd/ and
# runs the server in the background: plaintext on 127.0.0.1:26667, TLS on
# 127.0.0.1:26697, a predefined channel #keyed with key "sesame" and one,
# #opersonly, for IRC operators only (+O, which only an operator or the
# server may set), no server password, ngIRCd's flood control as shipped.
# A second server, plaintext on 127.0.0.1:26668 with its own configuration
# in .tmp/ngircd/maxjoins/, lets a client be in 2 channels at once
# (MaxJoins): a JOIN past that gets 405, ERR_TOOMANYCHANNELS.
# Everything but the export lines goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly dir=.tmp/ngircd
readonly plain_port=26667
readonly tls_port=26697
# The second server: how many channels a client may be in at once, and where.
readonly maxjoins=2
readonly maxjoins_dir=$dir/maxjoins
readonly maxjoins_port=26668

log() { echo "ngircd.sh: $*" >&2; }

install_ngircd() {
	command -v ngircd >/dev/null && return
	log "installing ngircd"
	scripts/apt-install.sh ngircd
	# Where an init system started it anyway, stop the packaged daemon.
	if command -v systemctl >/dev/null && systemctl is-active --quiet ngircd 2>/dev/null; then
		systemctl stop ngircd >&2 || true
	fi
}

write_cert() {
	mkdir -p "$dir"
	if [ ! -s "$dir/cert.pem" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
			-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
			-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
	fi
}

# write_config DIR PORT MAXJOINS [EXTRA] writes DIR/ngircd.conf: a server
# on 127.0.0.1:PORT whose clients may be in MAXJOINS channels at once (0:
# any number), EXTRA (more sections) appended.
write_config() {
	local d=$1 port=$2 joins=$3 extra=${4:-}
	mkdir -p "$d"
	cat >"$d/ngircd.conf" <<EOF
[Global]
	Name = irc.outagecast.test
	Info = outagecast integration tests
	AdminInfo1 = outagecast integration tests
	AdminInfo2 = loopback only
	AdminEMail = root@localhost
	Listen = 127.0.0.1
	Ports = $port
	MotdPhrase = outagecast test server
[Limits]
	MaxNickLength = 30
	MaxConnectionsIP = 0
	MaxJoins = $joins
[Options]
	PAM = no
	Ident = no
	DNS = no
$extra
EOF
	ngircd --configtest -f "$PWD/$d/ngircd.conf" >/dev/null 2>"$d/configtest.err" || {
		cat "$d/configtest.err" >&2
		return 1
	}
}

# main_extra prints the first server's TLS port and predefined channels.
main_extra() {
	cat <<EOF
[SSL]
	CertFile = $PWD/$dir/cert.pem
	KeyFile = $PWD/$dir/key.pem
	Ports = $tls_port
[Channel]
	Name = #keyed
	Topic = keyed channel for the integration tests
	Modes = +tnk sesame
[Channel]
	Name = #opersonly
	Topic = IRC operators only, for the integration tests
	Modes = +tnO
EOF
}

# running DIR reports whether the server configured in DIR runs.
running() {
	[ -s "$1/ngircd.pid" ] && kill -0 "$(cat "$1/ngircd.pid")" 2>/dev/null
}

port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# launch DIR PORT... runs the server configured in DIR, unless it runs,
# and waits until it listens on every PORT.
launch() {
	local d=$1 i p up
	shift
	running "$d" && return
	scripts/port-free.sh ngircd.sh "$@" || return 1
	ngircd -n -f "$PWD/$d/ngircd.conf" >"$d/ngircd.log" 2>&1 &
	echo $! >"$d/ngircd.pid"
	for i in $(seq 100); do
		up=1
		for p in "$@"; do port_open "$p" || up=; done
		[ -n "$up" ] && break
		running "$d" || { cat "$d/ngircd.log" >&2; log "ngircd ($d) exited"; return 1; }
		[ "$i" -lt 100 ] || { log "ngircd ($d) does not answer on $*"; return 1; }
		sleep 0.1
	done
	log "ngircd running, pid $(cat "$d/ngircd.pid"), log in $d/ngircd.log"
}

start() {
	if ! running "$dir" || ! running "$maxjoins_dir"; then
		install_ngircd
		write_cert
		write_config "$dir" "$plain_port" 0 "$(main_extra)"
		write_config "$maxjoins_dir" "$maxjoins_port" "$maxjoins"
	fi
	launch "$dir" "$plain_port" "$tls_port"
	launch "$maxjoins_dir" "$maxjoins_port"
	echo "export OUTAGECAST_IRC_ADDR=127.0.0.1:$plain_port"
	echo "export OUTAGECAST_IRC_TLS_ADDR=127.0.0.1:$tls_port"
	echo "export OUTAGECAST_IRC_CA=$PWD/$dir/cert.pem"
	echo "export OUTAGECAST_IRC_MAXJOINS_ADDR=127.0.0.1:$maxjoins_port"
	echo "export OUTAGECAST_IRC_MAXJOINS=$maxjoins"
}

# halt DIR stops the server configured in DIR.
halt() {
	local d=$1 pid i
	if running "$d"; then
		pid=$(cat "$d/ngircd.pid")
		kill "$pid"
		for i in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
		log "ngircd ($d) stopped"
	fi
	rm -f "$d/ngircd.pid"
}

stop() {
	halt "$maxjoins_dir"
	halt "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
