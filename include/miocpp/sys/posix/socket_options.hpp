// The socket options on POSIX systems: for each option tag of sys/option.hpp, the level, name and
// C type this OS stores it as, or Absent (std::errc::not_supported) where the OS lacks it.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include <net/if.h>

#include "../../config.hpp"
#include "../../net/udp_batch.hpp"
#include "../common/option_encoding.hpp"
#include "../common/standard_options.hpp"
#include "../option.hpp"
#include "ip_ancillary.hpp"
#include "socket.hpp"
#include "udp_offload.hpp"

namespace miocpp::sys::posix {

namespace encoding = common::encoding;

/// The encoding of each option tag on this system: the standard ones as every socket API stores
/// them, the rest specialized below (every tag of option::All has one).
template <class Tag>
struct OptionTable : common::StandardOption<SocketOption, Tag> {};

/// The encodings over this OS's option calls.
using Encode = common::Encodings<SocketOption>;

// ---- IP sockets (beyond the standard ones) ------------------------------------------------------
#if defined(SO_REUSEPORT_LB)
// FreeBSD: plain SO_REUSEPORT lets sockets share a port but sends every connection to one of
// them; the _LB form balances them, which is what reuse_port means on Linux.
template <>
struct OptionTable<option::ReusePort> : Encode::Flag<SOL_SOCKET, SO_REUSEPORT_LB> {};
#elif defined(SO_REUSEPORT)
template <>
struct OptionTable<option::ReusePort> : Encode::Flag<SOL_SOCKET, SO_REUSEPORT> {};
#else
template <>
struct OptionTable<option::ReusePort> : Encode::Absent<option::ReusePort> {};
#endif

#if defined(SO_BINDTODEVICE)
/// SO_BINDTODEVICE takes the interface name (an empty one unbinds) and reads it back into a
/// buffer of IFNAMSIZ. A name that does not fit is std::errc::invalid_argument.
template <>
struct OptionTable<option::BindDevice> {
  static void set(int fd, std::string_view name, std::error_code& ec) noexcept {
    if (name.size() >= IFNAMSIZ || name.find('\0') != std::string_view::npos) {
      encoding::refuse_value(ec);
      return;
    }
    char stored[IFNAMSIZ] = {};  // NOLINT(*-avoid-c-arrays): the kernel's interface name
    std::memcpy(stored, name.data(), name.size());
    check(::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, stored,
                       static_cast<::socklen_t>(name.size())),
          ec);
  }
  static std::string get(int fd, std::error_code& ec) noexcept {
    char stored[IFNAMSIZ] = {};  // NOLINT(*-avoid-c-arrays): the kernel's interface name
    ::socklen_t length = sizeof stored;
    check(::getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, stored, &length), ec);
    if (ec) {
      return {};
    }
    // Reading back allocates, as a name in a std::string must; it is no operation on a hot path.
    return std::string(stored, ::strnlen(stored, sizeof stored));
  }
};
#else
template <>
struct OptionTable<option::BindDevice> : Encode::Absent<option::BindDevice> {};
#endif
#if defined(SO_MARK)
template <>
struct OptionTable<option::Mark>
    : Encode::Number<SOL_SOCKET, SO_MARK, std::uint32_t, 0, UINT32_MAX, std::uint32_t> {};
#else
template <>
struct OptionTable<option::Mark> : Encode::Absent<option::Mark> {};
#endif

// ---- TCP ----------------------------------------------------------------------------------------
template <>
struct OptionTable<option::Linger>
    : encoding::LingerRecord<SocketOption, ::linger, SOL_SOCKET, SO_LINGER, INT_MAX> {};
#if defined(TCP_KEEPIDLE)
template <>
struct OptionTable<option::KeepaliveIdle>
    : Encode::Span<IPPROTO_TCP, TCP_KEEPIDLE, std::chrono::seconds, 1, INT_MAX> {};
#elif defined(TCP_KEEPALIVE)
// Apple systems name the idle time TCP_KEEPALIVE.
template <>
struct OptionTable<option::KeepaliveIdle>
    : Encode::Span<IPPROTO_TCP, TCP_KEEPALIVE, std::chrono::seconds, 1, INT_MAX> {};
#else
template <>
struct OptionTable<option::KeepaliveIdle> : Encode::Absent<option::KeepaliveIdle> {};
#endif
#if defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
template <>
struct OptionTable<option::KeepaliveInterval>
    : Encode::Span<IPPROTO_TCP, TCP_KEEPINTVL, std::chrono::seconds, 1, INT_MAX> {};
template <>
struct OptionTable<option::KeepaliveRetries>
    : Encode::Number<IPPROTO_TCP, TCP_KEEPCNT, std::uint32_t, 1, INT_MAX> {};
#else
template <>
struct OptionTable<option::KeepaliveInterval> : Encode::Absent<option::KeepaliveInterval> {};
template <>
struct OptionTable<option::KeepaliveRetries> : Encode::Absent<option::KeepaliveRetries> {};
#endif
#if defined(TCP_QUICKACK)
template <>
struct OptionTable<option::Quickack> : Encode::Flag<IPPROTO_TCP, TCP_QUICKACK> {};
#else
template <>
struct OptionTable<option::Quickack> : Encode::Absent<option::Quickack> {};
#endif
#if defined(TCP_USER_TIMEOUT)
template <>
struct OptionTable<option::UserTimeout>
    : Encode::Span<IPPROTO_TCP, TCP_USER_TIMEOUT, std::chrono::milliseconds, 0, INT_MAX, unsigned> {
};
#else
template <>
struct OptionTable<option::UserTimeout> : Encode::Absent<option::UserTimeout> {};
#endif
#if defined(TCP_FASTOPEN) && !MIOCPP_OS_APPLE
// Apple's TCP_FASTOPEN is a flag with other rules (connectx); only the queue length form is here.
template <>
struct OptionTable<option::Fastopen>
    : Encode::Number<IPPROTO_TCP, TCP_FASTOPEN, std::uint32_t, 0, INT_MAX> {};
#else
template <>
struct OptionTable<option::Fastopen> : Encode::Absent<option::Fastopen> {};
#endif
#if defined(TCP_FASTOPEN_CONNECT)
template <>
struct OptionTable<option::FastopenConnect> : Encode::Flag<IPPROTO_TCP, TCP_FASTOPEN_CONNECT> {};
#else
template <>
struct OptionTable<option::FastopenConnect> : Encode::Absent<option::FastopenConnect> {};
#endif
#if defined(TCP_CORK)
template <>
struct OptionTable<option::Cork> : Encode::Flag<IPPROTO_TCP, TCP_CORK> {};
#elif defined(TCP_NOPUSH)
template <>
struct OptionTable<option::Cork> : Encode::Flag<IPPROTO_TCP, TCP_NOPUSH> {};
#else
template <>
struct OptionTable<option::Cork> : Encode::Absent<option::Cork> {};
#endif

// ---- UDP (beyond the standard ones) -------------------------------------------------------------
/// A switch of the IP layer by its IPv6 and IPv4 numbers (-1: the system lacks that one), set on
/// an IPv6 socket at both levels (encoding::PerFamily).
template <class Tag, int V6Name, int V4Name>
struct IpSwitch
    : encoding::PerFamily<
          std::conditional_t<V6Name >= 0, Encode::Flag<IPPROTO_IPV6, V6Name>, Encode::Absent<Tag>>,
          std::conditional_t<V4Name >= 0, Encode::Flag<IPPROTO_IP, V4Name>, Encode::Absent<Tag>>> {
};
template <>
struct OptionTable<option::ReceiveDestination>
    : IpSwitch<option::ReceiveDestination, ipv6_ancillary.recvpktinfo, ipv4_destination_option> {};
template <>
struct OptionTable<option::ReceiveEcn>
    : IpSwitch<option::ReceiveEcn, ipv6_ancillary.recvtclass, ipv4_tos_option> {};

#if MIOCPP_OS_LINUX
/// UDP_GRO: known to Linux 5.0 and later; an older kernel's refusal is not_supported.
template <>
struct OptionTable<option::Gro> {
  using Stored = Encode::Flag<IPPROTO_UDP, udp_gro>;
  static void set(int fd, bool on, std::error_code& ec) noexcept {
    Stored::set(fd, on, ec);
    unknown_to_this_kernel(ec);
  }
  static bool get(int fd, std::error_code& ec) noexcept {
    const bool on = Stored::get(fd, ec);
    unknown_to_this_kernel(ec);
    return on;
  }
};
/// UDP_SEGMENT: known to Linux 4.18 and later. A size above the largest UDP payload is
/// invalid_argument before the kernel sees it; the kernel's own refusal is not_supported.
template <>
struct OptionTable<option::SegmentSize> {
  using Stored = Encode::Number<IPPROTO_UDP, udp_segment, std::size_t, 0, net::max_udp_payload>;
  static void set(int fd, std::size_t size, std::error_code& ec) noexcept {
    if (size > net::max_udp_payload) {
      encoding::refuse_value(ec);
      return;
    }
    Stored::set(fd, size, ec);
    unknown_to_this_kernel(ec);
  }
  static std::size_t get(int fd, std::error_code& ec) noexcept {
    const std::size_t size = Stored::get(fd, ec);
    unknown_to_this_kernel(ec);
    return size;
  }
};
#else
template <>
struct OptionTable<option::Gro> : Encode::Absent<option::Gro> {};
template <>
struct OptionTable<option::SegmentSize> : Encode::Absent<option::SegmentSize> {};
#endif

/// concepts::SocketOptions over descriptors.
using SocketOptions = encoding::OptionCalls<OptionTable, int>;

}  // namespace miocpp::sys::posix
