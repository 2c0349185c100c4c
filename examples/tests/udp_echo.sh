#!/usr/bin/env bash
# udp_echo sends every datagram back to its sender: socat and nc as clients, empty datagrams too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need socat socat
need nc netcat-openbsd
start_server "$1" 127.0.0.1:0

reply="$(printf 'ping' | socat -t1 - "UDP:127.0.0.1:$port")"
[[ "$reply" == ping ]] || fail "socat got: $reply"

reply="$(printf 'over nc' | nc -u -w 1 127.0.0.1 "$port")"
[[ "$reply" == "over nc" ]] || fail "nc got: $reply"

# A large datagram (60 KiB) comes back whole.
data="$(mktemp)"
head -c 61440 /dev/urandom >"$data"
socat -b 65536 -t1 - "UDP:127.0.0.1:$port" <"$data" | cmp - "$data" || fail "60 KiB datagram differs"
rm -f "$data"
grep -q '^echoing 61440 bytes to 127.0.0.1:' "$server_log" || fail "server log: $(cat "$server_log")"
echo "ok"
