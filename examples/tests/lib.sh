# Shared by the example tests: start a server example on a free port and find that port.
# Each test script runs with `set -euo pipefail` and sources this file.

# Exit code CTest counts as "skipped" (SKIP_RETURN_CODE), for a missing client program.
readonly skip=77

# need PROGRAM PACKAGE: skip the test, saying why, when PROGRAM is not installed; fail instead
# when MIOCPP_EXAMPLE_CLIENTS=required (CI, which installs them all).
need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    if [[ "${MIOCPP_EXAMPLE_CLIENTS:-}" == required ]]; then
      echo "FAIL: $1 is not installed (Debian: apt-get install $2)" >&2
      exit 1
    fi
    echo "skipped: $1 is not installed (Debian: apt-get install $2)"
    exit "$skip"
  fi
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# start_server BINARY ADDRESS: runs BINARY ADDRESS in the background, waits for its
# "listening on HOST:PORT" line and sets $port. The server is killed when the script exits.
start_server() {
  server_log="$(mktemp)"
  "$1" "$2" >"$server_log" 2>&1 &
  server_pid=$!
  trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$server_log"' EXIT
  for _ in $(seq 100); do
    if grep -q '^listening on ' "$server_log"; then
      port="$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$server_log")"
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || { cat "$server_log"; fail "server exited"; }
    sleep 0.05
  done
  fail "server did not start"
}
