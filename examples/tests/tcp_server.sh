#!/usr/bin/env bash
# tcp_server greets each client and echoes what it sends, to socat and nc, several clients at once;
# closes a client silent for its idle timeout; and shuts down cleanly on SIGTERM.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need socat socat
need nc netcat-openbsd
need timeout coreutils
need perl perl-base

binary="$1"
# start_server runs "PROGRAM ADDRESS"; this is the PROGRAM, with an idle timeout of 2 s. exec
# makes the server the background job itself, so $server_pid is the server's.
server_with_idle_timeout() {
  exec "$binary" "$1" 2
}
start_server server_with_idle_timeout 127.0.0.1:0

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

# A client that sends and half-closes before reading gets the greeting and all it sent.
reply="$(printf 'sent before the FIN\n' | perl "$(dirname "$0")/half_close.pl" "$port")" ||
  fail "half-close client"
[[ "$reply" == $'Hello world!\nsent before the FIN' ]] || fail "half-close client got: $reply"

# A client that says nothing is closed after the idle timeout (2 s): it reads the greeting, then
# end-of-stream, long before its own 10 s limit.
started=$SECONDS
reply="$(timeout 10 socat -u "TCP:127.0.0.1:$port" - </dev/null)" || fail "the idle client was not closed"
[[ "$reply" == "Hello world!" ]] || fail "idle client got: $reply"
(( SECONDS - started >= 1 )) || fail "the idle client was closed before its timeout"
grep -q '^closed idle 127.0.0.1:' "$server_log" || fail "server did not report the idle close"

# SIGTERM ends the event loop, and the server exits 0 after closing what is open.
exec 3<> "/dev/tcp/127.0.0.1/$port"  # a client still connected at shutdown
sleep 0.2
kill -TERM "$server_pid"
status=0
timeout 10 tail --pid="$server_pid" -f /dev/null || fail "the server did not stop on SIGTERM"
wait "$server_pid" || status=$?
exec 3<&-
[[ $status -eq 0 ]] || fail "the server exited with $status on SIGTERM"
grep -q ': shutting down$' "$server_log" || fail "server did not report the signal"
grep -q '^closing 1 connections$' "$server_log" || fail "server did not close its client: $(cat "$server_log")"
echo "ok"
