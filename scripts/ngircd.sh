#!/usr/bin/env bash
# ngircd.sh start|stop — a throw-away ngIRCd on loopback for the IRC
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
# Everything but the export lines goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly dir=.tmp/ngircd
readonly plain_port=26667
readonly tls_port=26697
readonly pidfile=$dir/ngircd.pid

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

write_config() {
	mkdir -p "$dir"
	if [ ! -s "$dir/cert.pem" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
			-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
			-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
	fi
	cat >"$dir/ngircd.conf" <<EOF
[Global]
	Name = irc.outagecast.test
	Info = outagecast integration tests
	AdminInfo1 = outagecast integration tests
	AdminInfo2 = loopback only
	AdminEMail = root@localhost
	Listen = 127.0.0.1
	Ports = $plain_port
	MotdPhrase = outagecast test server
[Limits]
	MaxNickLength = 30
	MaxConnectionsIP = 0
	MaxJoins = 0
[Options]
	PAM = no
	Ident = no
	DNS = no
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
	ngircd --configtest -f "$PWD/$dir/ngircd.conf" >/dev/null 2>"$dir/configtest.err" || {
		cat "$dir/configtest.err" >&2
		return 1
	}
}

running() {
	[ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
	if ! running; then
		install_ngircd
		write_config
		ngircd -n -f "$PWD/$dir/ngircd.conf" >"$dir/ngircd.log" 2>&1 &
		echo $! >"$pidfile"
		local i
		for i in $(seq 100); do
			port_open "$plain_port" && port_open "$tls_port" && break
			running || { cat "$dir/ngircd.log" >&2; log "ngircd exited"; return 1; }
			[ "$i" -lt 100 ] || { log "ngircd does not answer on $plain_port/$tls_port"; return 1; }
			sleep 0.1
		done
		log "ngircd running, pid $(cat "$pidfile"), log in $dir/ngircd.log"
	fi
	echo "export OUTAGECAST_IRC_ADDR=127.0.0.1:$plain_port"
	echo "export OUTAGECAST_IRC_TLS_ADDR=127.0.0.1:$tls_port"
	echo "export OUTAGECAST_IRC_CA=$PWD/$dir/cert.pem"
}

stop() {
	if running; then
		local pid i
		pid=$(cat "$pidfile")
		kill "$pid"
		for i in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
		log "ngircd stopped"
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
