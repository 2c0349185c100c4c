#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/<target>/: valid inputs and
near-valid ones (one step from valid), one file each, named after what it holds.

The binary seeds (the sockaddr targets) are spelled out here because they cannot be read in the
files themselves. Run it after changing a seed; it replaces the corpus directories it writes.
Linux values: AF_UNIX 1, AF_INET 2, AF_INET6 10; sockaddr_in is 16 bytes, sockaddr_in6 28,
sockaddr_un 110 (2 + a sun_path of 108), sockaddr_storage 128.
"""

import pathlib
import shutil
import struct

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"

AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
SUN_PATH = 108


def text(*items):
    return {name: value.encode("latin-1") for name, value in items}


IP_ADDR = text(
    ("v4-loopback", "127.0.0.1"),
    ("v4-unspecified", "0.0.0.0"),
    ("v4-broadcast", "255.255.255.255"),
    ("v4-documentation", "192.0.2.1"),
    ("v4-leading-zero", "192.0.2.01"),
    ("v4-octet-256", "256.0.0.1"),
    ("v4-three-parts", "10.0.1"),
    ("v4-five-parts", "1.2.3.4.5"),
    ("v4-trailing-dot", "1.2.3.4."),
    ("v4-space", " 1.2.3.4"),
    ("v4-sign", "+1.2.3.4"),
    ("v4-hex", "0x7f.0.0.1"),
    ("v4-nul-inside", "1.2.3.4\0"),
    ("v6-unspecified", "::"),
    ("v6-loopback", "::1"),
    ("v6-link-local", "fe80::1"),
    ("v6-documentation", "2001:db8::ff00:42:8329"),
    ("v6-full", "2001:0db8:0000:0000:0000:ff00:0042:8329"),
    ("v6-upper-case", "2001:DB8::A"),
    ("v6-eight-groups", "1:2:3:4:5:6:7:8"),
    ("v6-one-zero-group", "1:0:3:4:5:6:7:8"),
    ("v6-gap-one-group", "1:2:3:4:5:6:7::"),
    ("v6-gap-leading-seven", "::2:3:4:5:6:7:8"),
    ("v6-two-runs", "1:0:0:4:0:0:0:8"),
    ("v6-tied-runs", "1:0:0:4:5:0:0:8"),
    ("v6-mapped", "::ffff:192.0.2.1"),
    ("v6-mapped-zero", "::ffff:0.0.0.0"),
    ("v6-compatible", "::192.0.2.1"),
    ("v6-compatible-hex", "::2:1"),
    ("v6-dotted-tail", "1:2:3:4:5:6:1.2.3.4"),
    ("v6-multicast", "ff02::1:ff00:1"),
    ("v6-nine-groups", "1:2:3:4:5:6:7:8:9"),
    ("v6-two-gaps", "1::2::3"),
    ("v6-triple-colon", "1:::2"),
    ("v6-five-digits", "12345::"),
    ("v6-leading-colon", ":1:2:3:4:5:6:7"),
    ("v6-trailing-colon", "1:2:3:4:5:6:7:"),
    ("v6-gap-too-many", "1:2:3:4::5:6:7:8"),
    ("v6-dotted-too-long", "1:2:3:4:5:6:7:1.2.3.4"),
    ("v6-dotted-not-last", "::1.2.3.4:5"),
    ("v6-dotted-leading-zero", "::ffff:01.2.3.4"),
    ("v6-bracketed", "[::1]"),
    ("v6-zone", "fe80::1%eth0"),
)

SOCKET_ADDR = text(
    ("v4", "127.0.0.1:80"),
    ("v4-port-0", "0.0.0.0:0"),
    ("v4-port-max", "255.255.255.255:65535"),
    ("v4-port-leading-zeros", "192.0.2.1:0080"),
    ("v6", "[::1]:8080"),
    ("v6-scope", "[fe80::1%2]:443"),
    ("v6-scope-zero", "[fe80::1%0]:443"),
    ("v6-scope-max", "[fe80::1%4294967295]:1"),
    ("v6-mapped", "[::ffff:192.0.2.1]:53"),
    ("v6-full", "[2001:db8:0:0:1:0:0:1]:65535"),
    ("port-too-big", "127.0.0.1:65536"),
    ("port-huge", "127.0.0.1:99999999999999999999"),
    ("port-sign", "127.0.0.1:+80"),
    ("port-empty", "127.0.0.1:"),
    ("port-missing", "127.0.0.1"),
    ("v6-unbracketed", "::1:80"),
    ("v6-no-port", "[::1]"),
    ("v6-unclosed", "[::1:80"),
    ("v6-empty-brackets", "[]:80"),
    ("v6-scope-too-big", "[fe80::1%4294967296]:1"),
    ("v6-scope-name", "[fe80::1%eth0]:80"),
    ("v6-scope-empty", "[fe80::1%]:80"),
    ("v4-in-brackets", "[127.0.0.1]:80"),
    ("host-name", "localhost:80"),
    ("trailing-space", "127.0.0.1:80 "),
)

UNIX_SOCKET_ADDR = {
    "absolute": b"/run/app.sock",
    "relative": b"app.sock",
    "abstract": b"\0app",
    "abstract-empty": b"\0",
    "abstract-nul-inside": b"\0a\0b",
    "abstract-unprintable": b"\0\x01\x7f\xff\\x41",
    "empty": b"",
    "nul-inside": b"/tmp/a\0b",
    "at-sign": b"@app",
    "longest-path": b"/" + b"p" * (SUN_PATH - 1),
    "path-one-too-long": b"/" + b"p" * SUN_PATH,
    "longest-abstract": b"\0" + b"a" * (SUN_PATH - 1),
    "abstract-one-too-long": b"\0" + b"a" * SUN_PATH,
}


def sockaddr_in(port, octets, zero=b"\0" * 8):
    return struct.pack("<H", AF_INET) + struct.pack(">H", port) + bytes(octets) + zero


def sockaddr_in6(port, octets, flowinfo=0, scope_id=0):
    return (struct.pack("<H", AF_INET6) + struct.pack(">HI", port, flowinfo) + bytes(octets) +
            struct.pack("<I", scope_id))


def ip_record(length, record):
    """The ip_sockaddr input: the length, then the storage's bytes."""
    return struct.pack("<H", length) + record


V6_LOOPBACK = [0] * 15 + [1]
V6_LINK_LOCAL = [0xfe, 0x80] + [0] * 13 + [1]
V6_MAPPED = [0] * 10 + [0xff, 0xff, 192, 0, 2, 1]

IP_SOCKADDR = {
    "v4": ip_record(16, sockaddr_in(80, [127, 0, 0, 1])),
    "v4-garbage-zero": ip_record(16, sockaddr_in(80, [127, 0, 0, 1], b"\xff" * 8)),
    "v4-one-short": ip_record(15, sockaddr_in(80, [127, 0, 0, 1])),
    "v4-storage-length": ip_record(128, sockaddr_in(65535, [255, 255, 255, 255])),
    "v4-length-beyond-storage": ip_record(1000, sockaddr_in(1, [10, 0, 0, 1])),
    "v6": ip_record(28, sockaddr_in6(443, V6_LOOPBACK)),
    "v6-scope-flowinfo": ip_record(28, sockaddr_in6(8080, V6_LINK_LOCAL, 0x12345, 3)),
    "v6-mapped": ip_record(28, sockaddr_in6(53, V6_MAPPED)),
    "v6-without-scope": ip_record(24, sockaddr_in6(443, V6_LOOPBACK)),
    "v6-one-short": ip_record(27, sockaddr_in6(443, V6_LOOPBACK)),
    "family-only-v6": ip_record(2, sockaddr_in6(443, V6_LOOPBACK)),
    "unix": ip_record(12, struct.pack("<H", AF_UNIX) + b"/tmp/a.sock"),
    "unspecified-family": ip_record(16, b"\0" * 16),
    "empty": ip_record(0, b""),
    # No bytes at all, but the storage after them holds AF_INET6 (as left there by an earlier
    # call): the result must not depend on it.
    "empty-stale-v6-family": ip_record(0, struct.pack("<H", AF_INET6)),
}


def unix_record(flags, length, sun_path, family=AF_UNIX):
    """The unix_sockaddr input: flags, the length, then sun_family and sun_path (zeros after the
    input, so a path written without its NUL is terminated unless it fills sun_path)."""
    return struct.pack("<BHH", flags, length, family) + sun_path


# Flags of the second check, which builds an address from the sun_path bytes of the input.
FROM_PATHNAME, FROM_ABSTRACT_NAME, FROM_PATH, UNNAMED = 0, 2, 4, 6
KEEP_FAMILY = 1
LONG_PATH = b"/" + b"p" * (SUN_PATH - 1)

UNIX_SOCKADDR = {
    "path-terminated": unix_record(FROM_PATHNAME, 2 + 12, b"/tmp/a.sock"),
    "path-uncounted-nul": unix_record(FROM_PATHNAME, 2 + 11, b"/tmp/a.sock"),
    "path-capacity-length": unix_record(FROM_PATHNAME, 110, b"/tmp/a.sock"),
    "path-full": unix_record(FROM_PATHNAME, 110, LONG_PATH),
    "path-full-length-counts-nul": unix_record(FROM_PATHNAME, 111, LONG_PATH),
    "path-one-too-long": unix_record(FROM_PATHNAME, 111, LONG_PATH + b"p"),
    "path-length-beyond-record": unix_record(FROM_PATHNAME, 4000, b"/tmp/a.sock"),
    "path-nul-inside": unix_record(FROM_PATHNAME, 2 + 6, b"/a\0b\0c"),
    "abstract": unix_record(FROM_PATH, 2 + 4, b"\0app"),
    "abstract-nul-inside": unix_record(FROM_PATH, 2 + 5, b"\0a\0b\0"),
    "abstract-longest": unix_record(FROM_PATH, 110, b"\0" + b"a" * (SUN_PATH - 1)),
    "abstract-one-too-long": unix_record(FROM_PATH, 111, b"\0" + b"a" * SUN_PATH),
    "abstract-empty": unix_record(FROM_PATH, 3, b"\0"),
    "abstract-by-name": unix_record(FROM_ABSTRACT_NAME, 2 + 4, b"app"),
    "unnamed": unix_record(UNNAMED, 2, b""),
    "unnamed-length-zero": unix_record(UNNAMED, 0, b""),
    "other-family": unix_record(KEEP_FAMILY | UNNAMED, 16, sockaddr_in(80, [127, 0, 0, 1])[2:],
                                AF_INET),
    "pathname-from-path": unix_record(FROM_PATH, 2 + 6, b"a.sock"),
}

TARGETS = {
    "ip_addr": IP_ADDR,
    "socket_addr": SOCKET_ADDR,
    "unix_socket_addr": UNIX_SOCKET_ADDR,
    "ip_sockaddr": IP_SOCKADDR,
    "unix_sockaddr": UNIX_SOCKADDR,
}


def main():
    for target, seeds in TARGETS.items():
        directory = CORPUS / target
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        for name, data in seeds.items():
            (directory / name).write_bytes(data)


if __name__ == "__main__":
    main()
