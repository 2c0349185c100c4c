// The socket options every BSD-style socket API (POSIX, Winsock) names and stores alike, written
// once; an OS's own table (its socket_options.hpp) inherits these and adds the rest.
#pragma once

// SOL_SOCKET, IPPROTO_*, SO_*, IP_*, IPV6_* and TCP_NODELAY come from the OS's socket headers,
// which its own socket.hpp includes before this file; this file stays OS-neutral.

#include <climits>
#include <cstddef>
#include <cstdint>

#include "../option.hpp"
#include "option_encoding.hpp"

namespace miocpp::sys::common {

/// The encoding of the option `Tag` where every socket API agrees on it, over the OS's option
/// calls `Os` (see encoding::Flag). Undefined for the options where they differ.
template <class Os, class Tag>
struct StandardOption;

/// A byte-sized IP header field (TTL, hop limit, TOS, traffic class) set through the OS's int.
template <class Os, int Level, int Name>
using HeaderByte = encoding::Number<Os, Level, Name, std::uint32_t, 0, 255>;

/// The encodings bound to one OS's option calls `Os`, so that its table names each briefly:
/// `Encodings<SocketOption>::Flag<SOL_SOCKET, SO_REUSEPORT>`.
template <class Os>
struct Encodings {
  template <class Tag>
  using Absent = encoding::Absent<typename Os::Handle, Tag>;
  template <int Level, int Name>
  using Flag = encoding::Flag<Os, Level, Name>;
  template <int Level, int Name, class Value, std::uint64_t Min, std::uint64_t Max,
            class Stored = typename Os::Int>
  using Number = encoding::Number<Os, Level, Name, Value, Min, Max, Stored>;
  template <int Level, int Name, class Duration, std::int64_t Min, std::int64_t Max,
            class Stored = typename Os::Int>
  using Span = encoding::Span<Os, Level, Name, Duration, Min, Max, Stored>;
  template <int Level, int Name>
  using HeaderByte = common::HeaderByte<Os, Level, Name>;
};

template <class Os>
struct StandardOption<Os, option::SendBufferSize>
    : encoding::Number<Os, SOL_SOCKET, SO_SNDBUF, std::size_t, 0, INT_MAX> {};
template <class Os>
struct StandardOption<Os, option::RecvBufferSize>
    : encoding::Number<Os, SOL_SOCKET, SO_RCVBUF, std::size_t, 0, INT_MAX> {};
template <class Os>
struct StandardOption<Os, option::ReuseAddress> : encoding::Flag<Os, SOL_SOCKET, SO_REUSEADDR> {};
template <class Os>
struct StandardOption<Os, option::OnlyV6> : encoding::Flag<Os, IPPROTO_IPV6, IPV6_V6ONLY> {};
template <class Os>
struct StandardOption<Os, option::Ttl> : HeaderByte<Os, IPPROTO_IP, IP_TTL> {};
template <class Os>
struct StandardOption<Os, option::UnicastHopsV6> : HeaderByte<Os, IPPROTO_IPV6, IPV6_UNICAST_HOPS> {
};
template <class Os>
struct StandardOption<Os, option::Tos> : HeaderByte<Os, IPPROTO_IP, IP_TOS> {};
// The IPv6 traffic class, where the system's headers have IPV6_TCLASS (older mingw-w64 and some
// BSDs lack it).
#if defined(IPV6_TCLASS)
template <class Os>
struct StandardOption<Os, option::TclassV6> : HeaderByte<Os, IPPROTO_IPV6, IPV6_TCLASS> {};
#else
template <class Os>
struct StandardOption<Os, option::TclassV6> : Encodings<Os>::template Absent<option::TclassV6> {};
#endif
template <class Os>
struct StandardOption<Os, option::Nodelay> : encoding::Flag<Os, IPPROTO_TCP, TCP_NODELAY> {};
template <class Os>
struct StandardOption<Os, option::Keepalive> : encoding::Flag<Os, SOL_SOCKET, SO_KEEPALIVE> {};
template <class Os>
struct StandardOption<Os, option::MulticastHopsV6>
    : HeaderByte<Os, IPPROTO_IPV6, IPV6_MULTICAST_HOPS> {};

template <class Os>
struct StandardOption<Os, option::Broadcast> : encoding::Flag<Os, SOL_SOCKET, SO_BROADCAST> {};
/// IP_MULTICAST_LOOP and IP_MULTICAST_TTL are stored as the OS's MulticastV4 type (a byte on the
/// BSDs and Apple systems, an int on Linux, a DWORD on Windows).
template <class Os>
struct StandardOption<Os, option::MulticastLoopV4>
    : encoding::Flag<Os, IPPROTO_IP, IP_MULTICAST_LOOP, typename Os::MulticastV4> {};
template <class Os>
struct StandardOption<Os, option::MulticastTtlV4>
    : encoding::Number<Os, IPPROTO_IP, IP_MULTICAST_TTL, std::uint32_t, 0, 255,
                       typename Os::MulticastV4> {};
/// IPV6_MULTICAST_LOOP is stored as the OS's MulticastLoopV6 type (unsigned, DWORD).
template <class Os>
struct StandardOption<Os, option::MulticastLoopV6>
    : encoding::Flag<Os, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, typename Os::MulticastLoopV6> {};
/// IP_MULTICAST_IF takes the interface's address as an in_addr (Winsock's IN_ADDR is the same).
template <class Os>
struct StandardOption<Os, option::MulticastIfV4>
    : encoding::Ipv4Address<Os, ::in_addr, IPPROTO_IP, IP_MULTICAST_IF> {};
/// IPV6_MULTICAST_IF takes the interface's index as an unsigned 32-bit integer.
template <class Os>
struct StandardOption<Os, option::MulticastIfV6>
    : encoding::Number<Os, IPPROTO_IPV6, IPV6_MULTICAST_IF, std::uint32_t, 0, UINT32_MAX,
                       std::uint32_t> {};

}  // namespace miocpp::sys::common
