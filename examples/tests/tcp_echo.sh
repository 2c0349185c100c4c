#!/usr/bin/env bash
# tcp_echo returns every byte, in order, to several clients at once.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need socat socat
start_server "$1" 127.0.0.1:0

data="$(mktemp)"
head -c 4194304 /dev/urandom >"$data"
for i in 1 2 3; do
  socat -t5 - "TCP:127.0.0.1:$port" <"$data" >"$data.$i" &
done
wait $(jobs -p | grep -v "^$server_pid$") 2>/dev/null || true
for i in 1 2 3; do
  cmp "$data" "$data.$i" || fail "client $i: echo differs"
done
rm -f "$data" "$data".*
echo "ok"
