#!/usr/bin/env bash
# tcp_server greets each client and echoes what it sends, to socat and nc, several clients at once.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need socat socat
need nc netcat-openbsd
start_server "$1" 127.0.0.1:0

reply="$(printf 'ping\n' | socat -t2 - "TCP:127.0.0.1:$port")"
[[ "$reply" == $'Hello world!\nping' ]] || fail "socat got: $reply"

reply="$(printf 'over nc\n' | nc -N -w 2 127.0.0.1 "$port")"
[[ "$reply" == $'Hello world!\nover nc' ]] || fail "nc got: $reply"

# Ten clients at once, each with its own line.
dir="$(mktemp -d)"
for i in $(seq 10); do
  printf 'client %d\n' "$i" | socat -t2 - "TCP:127.0.0.1:$port" >"$dir/$i" &
done
wait $(jobs -p | grep -v "^$server_pid$") 2>/dev/null || true
for i in $(seq 10); do
  [[ "$(cat "$dir/$i")" == "Hello world!"$'\n'"client $i" ]] || fail "client $i got: $(cat "$dir/$i")"
done
rm -rf "$dir"

# A megabyte of random bytes comes back intact.
data="$(mktemp)"
head -c 1048576 /dev/urandom >"$data"
socat -t5 - "TCP:127.0.0.1:$port" <"$data" | tail -c +14 | cmp - "$data" || fail "1 MiB echo differs"
rm -f "$data"
grep -q '^accepted 127.0.0.1:' "$server_log" || fail "server did not report its clients"
echo "ok"
