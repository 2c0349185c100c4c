#!/usr/bin/env bash
# http_hello answers curl, keeps the connection alive, and gives 404 elsewhere.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need curl curl
start_server "$1" 127.0.0.1:0
url="http://127.0.0.1:$port"

[[ "$(curl -sS "$url/")" == "Hello, world!" ]] || fail "GET / body"
[[ "$(curl -sS -o /dev/null -w '%{http_code}' "$url/missing")" == 404 ]] || fail "GET /missing"
[[ "$(curl -sS --http1.0 "$url/")" == "Hello, world!" ]] || fail "HTTP/1.0"

# Two requests on one connection: curl reuses it only when the server kept it open.
log="$(curl -sSv "$url/" "$url/" 2>&1)"
grep -q 'Re-using existing connection' <<<"$log" || fail "connection not kept alive: $log"
[[ "$(grep -c '^Hello, world!' <<<"$log")" == 2 ]] || fail "two answers expected: $log"

# Many parallel clients.
for _ in $(seq 20); do curl -sS "$url/" >/dev/null & done
wait $(jobs -p | grep -v "^$server_pid$") 2>/dev/null || true
[[ "$(curl -sS "$url/")" == "Hello, world!" ]] || fail "after parallel clients"
echo "ok"
