// The socket options, each named once as a tag type that carries its value type. The front end
// sets and reads an option through sys::SocketOptions::set/get with its tag; every backend answers
// every tag (concepts::SocketOptions checks the whole list), with std::errc::not_supported for an
// option its OS lacks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "../net/ip_addr.hpp"

namespace miocpp::sys::option {

/// An option whose getter returns `Value` and whose setter takes `SetValue` (the same, except
/// for a name given as a view and read back as a string).
template <class Value, class SetValue = Value>
struct Option {
  using type = Value;
  using set_type = SetValue;
};

// ---- Any socket ---------------------------------------------------------------------------------
/// SO_SNDBUF, in bytes (Linux reports twice what was set: its bookkeeping is included).
struct SendBufferSize : Option<std::size_t> {};
/// SO_RCVBUF, in bytes (doubled by Linux as SendBufferSize).
struct RecvBufferSize : Option<std::size_t> {};

// ---- IP sockets ---------------------------------------------------------------------------------
/// SO_REUSEADDR.
struct ReuseAddress : Option<bool> {};
/// SO_REUSEPORT (SO_REUSEPORT_LB on FreeBSD, which balances connections as Linux does).
struct ReusePort : Option<bool> {};
/// IPV6_V6ONLY.
struct OnlyV6 : Option<bool> {};
/// IP_TTL (0-255).
struct Ttl : Option<std::uint32_t> {};
/// IPV6_UNICAST_HOPS (0-255).
struct UnicastHopsV6 : Option<std::uint32_t> {};
/// IP_TOS (0-255).
struct Tos : Option<std::uint32_t> {};
/// IPV6_TCLASS (0-255).
struct TclassV6 : Option<std::uint32_t> {};
/// SO_BINDTODEVICE: an interface name, empty for none (Linux).
struct BindDevice : Option<std::string, std::string_view> {};
/// SO_MARK (Linux).
struct Mark : Option<std::uint32_t> {};

// ---- TCP ----------------------------------------------------------------------------------------
/// TCP_NODELAY.
struct Nodelay : Option<bool> {};
/// SO_LINGER: nullopt is off (close returns at once and the rest is sent in the background); a
/// duration of 0 makes close reset the connection.
struct Linger : Option<std::optional<std::chrono::seconds>> {};
/// SO_KEEPALIVE.
struct Keepalive : Option<bool> {};
/// TCP_KEEPIDLE (TCP_KEEPALIVE on Apple systems): idle time before the first probe.
struct KeepaliveIdle : Option<std::chrono::seconds> {};
/// TCP_KEEPINTVL: time between probes.
struct KeepaliveInterval : Option<std::chrono::seconds> {};
/// TCP_KEEPCNT: unanswered probes before the connection is dropped.
struct KeepaliveRetries : Option<std::uint32_t> {};
/// TCP_QUICKACK (Linux).
struct Quickack : Option<bool> {};
/// TCP_USER_TIMEOUT (Linux): how long sent data may stay unacknowledged; 0 is the system's.
struct UserTimeout : Option<std::chrono::milliseconds> {};
/// TCP_FASTOPEN on a listener: the queue of pending fast-open requests; 0 is off.
struct Fastopen : Option<std::uint32_t> {};
/// TCP_FASTOPEN_CONNECT (Linux): a client's connect sends its first data with the SYN.
struct FastopenConnect : Option<bool> {};
/// TCP_CORK (Linux) or TCP_NOPUSH (BSDs, Apple systems): hold partial segments back.
struct Cork : Option<bool> {};

// ---- UDP ----------------------------------------------------------------------------------------
/// SO_BROADCAST.
struct Broadcast : Option<bool> {};
/// IP_MULTICAST_LOOP.
struct MulticastLoopV4 : Option<bool> {};
/// IP_MULTICAST_TTL (0-255).
struct MulticastTtlV4 : Option<std::uint32_t> {};
/// IPV6_MULTICAST_LOOP.
struct MulticastLoopV6 : Option<bool> {};
/// IPV6_MULTICAST_HOPS (0-255).
struct MulticastHopsV6 : Option<std::uint32_t> {};
/// IP_MULTICAST_IF: the interface (by address) multicast is sent from; 0.0.0.0 is the default.
struct MulticastIfV4 : Option<net::Ipv4Addr> {};
/// IPV6_MULTICAST_IF: the interface (by index) multicast is sent from; 0 is the default.
struct MulticastIfV6 : Option<std::uint32_t> {};
/// UDP_GRO (Linux): receive runs of datagrams from one sender coalesced into one buffer.
struct Gro : Option<bool> {};
/// UDP_SEGMENT (Linux): the segment size every send is cut into (GSO), 0-65,507; 0 is off.
struct SegmentSize : Option<std::size_t> {};
/// IP_PKTINFO (IP_RECVDSTADDR where there is none) and, on IPv6 sockets, IPV6_RECVPKTINFO: each
/// datagram received says the address it was sent to.
struct ReceiveDestination : Option<bool> {};
/// IP_RECVTOS and, on IPv6 sockets, IPV6_RECVTCLASS: each datagram received says its ECN bits.
struct ReceiveEcn : Option<bool> {};

/// A list of option tags.
template <class... Tags>
struct List {};

/// Every option: the list concepts::SocketOptions checks a backend against.
using All =
    List<SendBufferSize, RecvBufferSize, ReuseAddress, ReusePort, OnlyV6, Ttl, UnicastHopsV6, Tos,
         TclassV6, BindDevice, Mark, Nodelay, Linger, Keepalive, KeepaliveIdle, KeepaliveInterval,
         KeepaliveRetries, Quickack, UserTimeout, Fastopen, FastopenConnect, Cork, Broadcast,
         MulticastLoopV4, MulticastTtlV4, MulticastLoopV6, MulticastHopsV6, MulticastIfV4,
         MulticastIfV6, Gro, SegmentSize, ReceiveDestination, ReceiveEcn>;

}  // namespace miocpp::sys::option
