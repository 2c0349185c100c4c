#!/usr/bin/env bash
# tcp_echo_threads echoes 64 clients on 4 threads and spreads them over the threads, both with a
# listener per thread (SO_REUSEPORT) and with thread 0 dealing connections (--no-reuse-port).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need socat socat
need timeout coreutils

binary="$1"
readonly threads=4 clients=64 at_once=8
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
head -c 6000 /dev/urandom >"$dir/data"

# start_server runs "PROGRAM ADDRESS"; this function is the PROGRAM, adding the options of the
# mode. exec makes the server the background job itself, so $server_pid is the server's.
server_with_options() {
  exec "$binary" "$1" "$threads" --exit-after "$clients" $options
}

# run_mode OPTIONS: serves $clients clients, waits for the server to exit and checks the echoes
# and the count of every thread; leaves the counts in $counts.
run_mode() {
  options="$1"
  mode="${options:-SO_REUSEPORT}"
  start_server server_with_options 127.0.0.1:0
  trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$server_log"; rm -rf "$dir"' EXIT
  rm -f "$dir"/out.*
  for ((i = 1; i <= clients; i += at_once)); do
    batch=()
    for ((j = i; j < i + at_once; ++j)); do
      timeout 10 socat -t5 - "TCP:127.0.0.1:$port" <"$dir/data" >"$dir/out.$j" &
      batch+=($!)
    done
    wait "${batch[@]}" || true
  done
  for i in $(seq "$clients"); do
    cmp -s "$dir/data" "$dir/out.$i" || fail "$mode: client $i: echo differs"
  done

  # Every client has closed, so the server stops by itself; give it 20 s.
  for _ in $(seq 200); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$server_pid" 2>/dev/null && { cat "$server_log"; fail "$mode: server still running"; }
  status=0
  wait "$server_pid" || status=$?
  ((status == 0)) || { cat "$server_log"; fail "$mode: server exited with $status"; }

  counts="$(sed -n 's/^thread [0-9]* served \([0-9]*\) connections$/\1/p' "$server_log")"
  [[ "$(wc -l <<<"$counts")" == "$threads" ]] || { cat "$server_log"; fail "$mode: not $threads counts"; }
  (($(paste -sd+ <<<"$counts") == clients)) || { cat "$server_log"; fail "$mode: counts do not add up to $clients"; }
  echo "$mode: $(tr '\n' ' ' <<<"$counts")"
  mv "$server_log" "$dir/log"
}

run_mode ""
grep -q 'one listener each (SO_REUSEPORT)' "$dir/log" || fail "SO_REUSEPORT not used: $(cat "$dir/log")"
# The kernel picks the listener by a hash of the connection's addresses, so which threads get how
# many is chance: with 64 connections all four almost surely serve some, but only two are
# required, so that an unlucky hash cannot fail the test.
busy="$(grep -cv '^0$' <<<"$counts" || true)"
((busy >= 2)) || fail "SO_REUSEPORT: only $busy thread(s) served connections"

run_mode --no-reuse-port
grep -q 'thread 0 accepts for all' "$dir/log" || fail "--no-reuse-port: $(cat "$dir/log")"
# Dealing round-robin to every thread, thread 0 included, is exact.
[[ "$(sort -u <<<"$counts")" == "$((clients / threads))" ]] || fail "--no-reuse-port: $(tr '\n' ' ' <<<"$counts")"
echo "ok"
