#!/usr/bin/perl
# half_close.pl PORT: a client that sends all of its standard input to 127.0.0.1:PORT, then
# half-closes (its FIN), and only then reads the server's answer to its standard output, until the
# server closes. A server that closes on the FIN without answering what it read gives it less.
# Exits 2 when it takes longer than 20 seconds.
use strict;
use warnings;
use IO::Socket::INET;
use Socket qw(SHUT_WR);

my $port = shift or die "usage: half_close.pl PORT\n";
$SIG{ALRM} = sub { print STDERR "half_close.pl: timed out\n"; exit 2; };
alarm 20;
my $socket = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp')
  or die "connect: $!\n";
binmode STDIN;
binmode STDOUT;
local $/;
my $request = <STDIN> // '';
print {$socket} $request or die "send: $!\n";
$socket->flush;
shutdown($socket, SHUT_WR) or die "shutdown: $!\n";
my $buffer;
while (my $count = sysread($socket, $buffer, 65536)) {
  print STDOUT $buffer;
}
