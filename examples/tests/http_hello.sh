#!/usr/bin/env bash
# http_hello answers real HTTP clients as they expect: curl (HTTP/1.0 and 1.1, keep-alive), ab with
# and without keep-alive, wrk; pipelined requests followed by the client's half-close; and clear
# statuses for what it does not serve (404, 405, 400, 501, 417, 431). Every client is bounded in
# time.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need curl curl
need ab apache2-utils
need wrk wrk
need perl perl-base
need timeout coreutils
start_server "$1" 127.0.0.1:0
url="http://127.0.0.1:$port"

# raw REQUEST-BYTES: sends them (printf format), half-closes, prints every reply until the close.
raw() {
  # shellcheck disable=SC2059 # the requests are printf formats, for their \r\n
  printf "$1" | perl "$(dirname "$0")/half_close.pl" "$port" || fail "raw client: $1"
}
# count PATTERN TEXT: how many lines of TEXT match PATTERN.
count() { grep -c -- "$1" <<<"$2" || true; }

# ---- curl ----
[[ "$(curl -sS -m 5 "$url/")" == "Hello, world!" ]] || fail "GET / body"
[[ "$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "$url/missing")" == 404 ]] || fail "GET /missing"
[[ "$(curl -sS -m 5 --http1.0 "$url/")" == "Hello, world!" ]] || fail "HTTP/1.0"
[[ "$(curl -sS -m 5 --http1.1 "$url/")" == "Hello, world!" ]] || fail "HTTP/1.1"
head_reply="$(curl -sS -m 5 -I "$url/")"
grep -q '^HTTP/1.1 200 OK' <<<"$head_reply" || fail "HEAD: $head_reply"
grep -q '^Content-Length: 14' <<<"$head_reply" || fail "HEAD length: $head_reply"

# Two requests on one connection: curl reuses it only when the server kept it open.
log="$(curl -sSv -m 5 "$url/" "$url/" 2>&1)"
grep -q 'Re-using existing connection' <<<"$log" || fail "connection not kept alive: $log"
[[ "$(count '^Hello, world!' "$log")" == 2 ]] || fail "two answers expected: $log"

# Another method: 405, saying which are allowed; the connection stays usable.
post="$(curl -sS -m 5 -D - -o /dev/null -X POST --data 'a=1' "$url/")"
grep -q '^HTTP/1.1 405 Method Not Allowed' <<<"$post" || fail "POST: $post"
grep -q '^Allow: GET, HEAD' <<<"$post" || fail "POST without Allow: $post"

# ---- raw requests, each followed by the client's half-close ----
# Pipelined requests, then the FIN: every request read is answered before the close.
reply="$(raw 'GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n')"
[[ "$(count '^HTTP/1.1 200 OK' "$reply")" == 2 ]] || fail "pipelined + half-close: $reply"

# A body (Content-Length) is dropped, not read as the next request, even when it looks like one.
body=$'GET /body HTTP/1.1\r\n\r\n'
reply="$(raw "POST / HTTP/1.1\\r\\nContent-Length: ${#body}\\r\\n\\r\\n${body//$'\r\n'/\\r\\n}GET / HTTP/1.1\\r\\n\\r\\n")"
[[ "$(count '^HTTP/1.1 ' "$reply")" == 2 ]] || fail "body read as a request: $reply"
grep -q '^HTTP/1.1 405' <<<"$reply" && grep -q '^HTTP/1.1 200' <<<"$reply" ||
  fail "POST with body, then GET: $reply"

# Garbage: 400 and the connection closes (the request after it gets no answer).
reply="$(raw 'GARBAGE\r\n\r\nGET / HTTP/1.1\r\n\r\n')"
[[ "$(count '^HTTP/1.1 ' "$reply")" == 1 ]] && grep -q '^HTTP/1.1 400 Bad Request' <<<"$reply" ||
  fail "garbage: $reply"
reply="$(raw 'GET / HTTP/9.9\r\n\r\n')"
grep -q '^HTTP/1.1 400' <<<"$reply" || fail "unknown version: $reply"
reply="$(raw 'POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n')"
grep -q '^HTTP/1.1 400' <<<"$reply" || fail "bad Content-Length: $reply"

# What it does not implement is said, then the connection closes.
reply="$(raw 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n')"
[[ "$(count '^HTTP/1.1 ' "$reply")" == 1 ]] && grep -q '^HTTP/1.1 501' <<<"$reply" ||
  fail "chunked: $reply"
reply="$(raw 'PUT / HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n')"
grep -q '^HTTP/1.1 417' <<<"$reply" || fail "Expect: $reply"
reply="$(raw "GET / HTTP/1.1\\r\\nX-Long: $(head -c 9000 /dev/zero | tr '\0' 'a')")"
grep -q '^HTTP/1.1 431' <<<"$reply" || fail "an endless head: $reply"

# HTTP/1.0 keeps the connection only when asked, and then says so (a 1.0 client needs it).
reply="$(raw 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n')"
[[ "$(count '^HTTP/1.1 200' "$reply")" == 2 ]] || fail "1.0: two answers, then the close: $reply"
[[ "$(count '^Connection: keep-alive' "$reply")" == 1 ]] || fail "1.0 keep-alive: $reply"
[[ "$(count '^Connection: close' "$reply")" == 1 ]] || fail "1.0 close: $reply"

# ---- load generators ----
# ab speaks HTTP/1.0: a connection per request, then with -k keep-alive (which hangs a server that
# keeps a 1.0 connection open without saying so).
out="$(timeout 30 ab -s 5 -n 2000 -c 20 "$url/" 2>&1)" || fail "ab: $out"
grep -Eq '^Complete requests: +2000$' <<<"$out" || fail "ab: $out"
grep -Eq '^Failed requests: +0$' <<<"$out" || fail "ab failures: $out"
! grep -q 'Non-2xx' <<<"$out" || fail "ab non-2xx: $out"
out="$(timeout 30 ab -s 5 -k -n 2000 -c 20 "$url/" 2>&1)" || fail "ab -k: $out"
grep -Eq '^Complete requests: +2000$' <<<"$out" || fail "ab -k: $out"
grep -Eq '^Failed requests: +0$' <<<"$out" || fail "ab -k failures: $out"
grep -Eq '^Keep-Alive requests: +2000$' <<<"$out" || fail "ab -k did not keep alive: $out"

# wrk: HTTP/1.1 keep-alive from 50 connections for 2 seconds, without a socket error.
out="$(timeout 20 wrk -t1 -c50 -d2s "$url/" 2>&1)" || fail "wrk: $out"
grep -q 'requests in' <<<"$out" || fail "wrk: $out"
! grep -q 'Socket errors' <<<"$out" || fail "wrk socket errors: $out"
! grep -q 'Non-2xx' <<<"$out" || fail "wrk non-2xx: $out"

# Many parallel curl clients, and the server still answers after them.
for _ in $(seq 20); do curl -sS -m 5 "$url/" >/dev/null & done
wait $(jobs -p | grep -v "^$server_pid$") 2>/dev/null || true
[[ "$(curl -sS -m 5 "$url/")" == "Hello, world!" ]] || fail "after parallel clients"
echo "ok"
