#!/usr/bin/env bash
# Shows miocpp at work with nothing but bash: runs the event_loop example, then starts the
# tcp_server example and talks to it from three clients over bash's /dev/tcp, printing what each
# side saw. Usage: demo.sh DIRECTORY-OF-THE-BUILT-EXAMPLES
set -euo pipefail
examples="${1:?usage: demo.sh build/demo/examples}"
source "$(dirname "$0")/tests/lib.sh"

echo "== event_loop: a Poll, a Waker and a pipe written by another thread"
"$examples/event_loop"

echo
echo "== tcp_server: one thread, one Poll, several clients"
start_server "$examples/tcp_server" 127.0.0.1:0
for client in alice bob carol; do
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'hello from %s\n' "$client" >&3
  IFS= read -r -t 5 greeting <&3 || fail "$client: no greeting"
  IFS= read -r -t 5 echoed <&3 || fail "$client: no echo"
  exec 3>&-
  echo "client $client got: \"$greeting\" then \"$echoed\""
  [[ "$echoed" == "hello from $client" ]] || fail "$client: the echo differs"
done
sleep 0.2  # let the server log the last close
echo "-- the server's log:"
cat "$server_log"
