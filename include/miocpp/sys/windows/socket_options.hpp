// The socket options on Windows (Winsock): for each option tag of sys/option.hpp, the level, name
// and C type Winsock stores it as, or Absent (std::errc::not_supported) where Windows lacks it.
#pragma once

#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>

#include "../common/option_encoding.hpp"
#include "../common/standard_options.hpp"
#include "../option.hpp"
#include "socket.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

namespace encoding = common::encoding;

// The per-socket keep-alive options of Windows 10 1709 and later (ws2ipdef.h of the Windows SDK),
// which mingw-w64's headers do not define yet. Their numbers are Winsock's ABI; all three take a
// DWORD. Older Windows (and wine 8) refuse them with WSAENOPROTOOPT
// (std::errc::no_protocol_option).
/// TCP_KEEPIDLE (the SDK's TCP_KEEPALIVE): seconds idle before the first probe.
inline constexpr int tcp_keepidle = 3;
/// TCP_KEEPCNT: unanswered probes before the connection is dropped (Windows takes at most 255).
inline constexpr int tcp_keepcnt = 16;
/// TCP_KEEPINTVL: seconds between probes.
inline constexpr int tcp_keepintvl = 17;
#if defined(TCP_KEEPIDLE) && defined(TCP_KEEPCNT) && defined(TCP_KEEPINTVL)
static_assert(TCP_KEEPIDLE == tcp_keepidle && TCP_KEEPCNT == tcp_keepcnt &&
              TCP_KEEPINTVL == tcp_keepintvl);
#endif

/// The encoding of each option tag on Windows: the standard ones as every socket API stores
/// them, the rest specialized below (every tag of option::All has one).
template <class Tag>
struct OptionTable : common::StandardOption<SocketOption, Tag> {};

/// The encodings over this OS's option calls.
using Encode = common::Encodings<SocketOption>;

// ---- IP sockets (beyond the standard ones) ------------------------------------------------------
// SO_REUSEADDR (a standard option) means more on Windows than on POSIX: it lets another socket
// bind the same address and port (and take its connections or datagrams), even while this one
// listens. A port in TIME_WAIT is reusable without it. SO_EXCLUSIVEADDRUSE is the guard against
// such a bind.

/// No load-balanced port sharing on Windows (SO_REUSEADDR shares a port without balancing).
template <>
struct OptionTable<option::ReusePort> : Encode::Absent<option::ReusePort> {};
// Binding to an interface by name and marking packets for the routing rules are Linux's.
template <>
struct OptionTable<option::BindDevice> : Encode::Absent<option::BindDevice> {};
template <>
struct OptionTable<option::Mark> : Encode::Absent<option::Mark> {};

// ---- TCP ----------------------------------------------------------------------------------------
/// Winsock's LINGER record holds the time in a u_short.
template <>
struct OptionTable<option::Linger>
    : encoding::LingerRecord<SocketOption, ::LINGER, SOL_SOCKET, SO_LINGER, USHRT_MAX> {};
template <>
struct OptionTable<option::KeepaliveIdle>
    : Encode::Span<IPPROTO_TCP, tcp_keepidle, std::chrono::seconds, 1, INT_MAX> {};
template <>
struct OptionTable<option::KeepaliveInterval>
    : Encode::Span<IPPROTO_TCP, tcp_keepintvl, std::chrono::seconds, 1, INT_MAX> {};
template <>
struct OptionTable<option::KeepaliveRetries>
    : Encode::Number<IPPROTO_TCP, tcp_keepcnt, std::uint32_t, 1, INT_MAX> {};
/// Windows has no per-socket switch for delayed acknowledgements.
template <>
struct OptionTable<option::Quickack> : Encode::Absent<option::Quickack> {};
/// TCP_MAXRT is another option: a connection timeout in whole seconds (connection setup
/// included), where 0 is a timeout of its own and -1 retransmits forever; TCP_USER_TIMEOUT counts
/// milliseconds and reads 0 as the system's rule, which TCP_MAXRT cannot restore.
template <>
struct OptionTable<option::UserTimeout> : Encode::Absent<option::UserTimeout> {};
/// Windows' TCP_FASTOPEN is a client's on/off switch, honoured only by ConnectEx; there is no
/// queue of fast-open requests for a listener to size.
template <>
struct OptionTable<option::Fastopen> : Encode::Absent<option::Fastopen> {};
/// Fast open from a plain connect (the data goes with the SYN on the first send) is Linux's.
template <>
struct OptionTable<option::FastopenConnect> : Encode::Absent<option::FastopenConnect> {};
/// Windows has neither TCP_CORK nor TCP_NOPUSH.
template <>
struct OptionTable<option::Cork> : Encode::Absent<option::Cork> {};

// ---- UDP (beyond the standard ones) -------------------------------------------------------------
/// IP_PKTINFO and, on an IPv6 socket, IPV6_PKTINFO (Winsock's switch and message share the name).
template <>
struct OptionTable<option::ReceiveDestination>
    : encoding::PerFamily<Encode::Flag<IPPROTO_IPV6, IPV6_PKTINFO>,
                          Encode::Flag<IPPROTO_IP, IP_PKTINFO>> {};
/// IP_RECVTOS and, on an IPv6 socket, IPV6_RECVTCLASS (Windows 10 1703 and later).
template <>
struct OptionTable<option::ReceiveEcn>
    : encoding::PerFamily<Encode::Flag<IPPROTO_IPV6, IPV6_RECVTCLASS>,
                          Encode::Flag<IPPROTO_IP, IP_RECVTOS>> {};
/// Windows' own UDP segmentation offload (UDP_SEND_MSG_SIZE, UDP_RECV_MAX_COALESCED_SIZE) has
/// other rules than Linux's, and cannot be tried here (wine lacks it): not used.
template <>
struct OptionTable<option::Gro> : Encode::Absent<option::Gro> {};
template <>
struct OptionTable<option::SegmentSize> : Encode::Absent<option::SegmentSize> {};

/// concepts::SocketOptions over SOCKETs.
using SocketOptions = encoding::OptionCalls<OptionTable, SOCKET>;

}  // namespace miocpp::sys::windows
