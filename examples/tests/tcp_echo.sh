#!/usr/bin/env bash
# tcp_echo returns every byte, in order, to several clients at once; and to a client that sends
# 16 MiB (more than the kernel buffers hold) and half-closes before it reads anything, every
# byte before the close.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need socat socat
need perl perl-base
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

# The server reads the 16 MiB while its replies back up (the client is not reading yet), then sees
# the client's end of stream: it must write all it holds before it closes.
head -c 16777216 /dev/urandom >"$data.sent"
perl "$(dirname "$0")/half_close.pl" "$port" <"$data.sent" >"$data.back" || fail "half-close client"
cmp "$data.sent" "$data.back" || fail "half-close: echo differs ($(stat -c %s "$data.back") bytes back)"
rm -f "$data" "$data".*
echo "ok"
