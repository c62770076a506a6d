#!/usr/bin/env bash
# port-free.sh NAME PORT... exits 0 when no process listens on any PORT of
# 127.0.0.1, else says which PORT is taken and exits 1. The test servers'
# scripts run it before starting one: a port another process holds (a
# server left from another checkout) would otherwise answer their
# readiness checks, and the tests would run against that server, or fail
# when it goes away.
set -u
name=$1
shift
for p in "$@"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		echo "$name: port $p is in use by another process; stop it first (ss -ltnp 'sport = :$p' names it)" >&2
		exit 1
	fi
done
