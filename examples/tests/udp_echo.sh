#!/usr/bin/env bash
# udp_echo sends every datagram back to its sender, one by one and with --batch (up to 32 a system
# call): socat and nc as clients, a 60 KiB datagram, and a burst of 200 datagrams queued at once.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need socat socat
need nc netcat-openbsd
need perl perl-base

binary="$1"
# start_server runs "PROGRAM ADDRESS"; this is the PROGRAM, with the mode's options. exec makes the
# server the background job itself, so $server_pid is the server's.
server_with_options() {
  exec "$binary" "$1" $options
}

# burst COUNT: sends COUNT numbered datagrams while the server is stopped (SIGSTOP), so that all of
# them wait in its queue whatever the two sides' speeds, then prints how many distinct ones came
# back within 5 s.
burst() {
  perl -MIO::Socket::INET -e '
    my ($port, $count, $server) = @ARGV;
    my $socket = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Proto => "udp") or die "$!";
    $socket->sockopt(Socket::SO_RCVBUF(), 4 << 20);
    kill "STOP", $server or die "$!";
    $socket->send("datagram $_") for 1 .. $count;
    kill "CONT", $server or die "$!";
    my %seen;
    my $deadline = time + 5;
    while (keys %seen < $count && time < $deadline) {
      my $in = "";
      vec($in, fileno($socket), 1) = 1;
      last unless select($in, undef, undef, 1);
      $socket->recv(my $reply, 100);
      $seen{$reply} = 1;
    }
    print scalar(keys %seen), "\n";' "$port" "$1" "$server_pid"
}

for options in "" --batch; do
  mode="${options:-one by one}"
  start_server server_with_options 127.0.0.1:0

  reply="$(printf 'ping' | socat -t1 - "UDP:127.0.0.1:$port")"
  [[ "$reply" == ping ]] || fail "$mode: socat got: $reply"

  reply="$(printf 'over nc' | nc -u -w 1 127.0.0.1 "$port")"
  [[ "$reply" == "over nc" ]] || fail "$mode: nc got: $reply"

  # A large datagram (60 KiB) comes back whole.
  data="$(mktemp)"
  head -c 61440 /dev/urandom >"$data"
  socat -b 65536 -t1 - "UDP:127.0.0.1:$port" <"$data" | cmp - "$data" ||
    fail "$mode: 60 KiB datagram differs"
  rm -f "$data"
  grep -q '^echoing 61440 bytes to 127.0.0.1:' "$server_log" ||
    fail "$mode: server log: $(cat "$server_log")"

  # 200 datagrams queued at once all come back (the default receive queue holds them all), and
  # --batch takes them 32 at a time.
  [[ "$(burst 200)" == 200 ]] || fail "$mode: burst lost datagrams"
  if [[ -n "$options" ]]; then
    grep -Eq '^batch of ([2-9]|[12][0-9]|3[0-2])$' "$server_log" ||
      fail "--batch never received more than one datagram at once"
  fi
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
done
echo "ok"
