// The IP and TCP socket options whose logic is the same on every socket API that has them
// (POSIX, Winsock), written once over the value types each OS stores them in.
#pragma once

// The SOL_/IPPROTO_/IP_/IPV6_/TCP_ constants and ip_mreq/ipv6_mreq come from the OS's socket
// headers, which its own socket.hpp includes before this file; this file stays OS-neutral.

#include <cstdint>
#include <cstring>
#include <system_error>

#include "../../net/ip_addr.hpp"

namespace miocpp::sys::common {

/// What an OS's socket API needs to read and write an option. `Os` gives: Handle (the socket
/// handle), Int (the type of integer and on/off options such as IP_TTL and TCP_NODELAY: int,
/// DWORD), MulticastV4 (IP_MULTICAST_TTL and IP_MULTICAST_LOOP's type), MulticastLoopV6
/// (IPV6_MULTICAST_LOOP's type), and `set<T>(handle, level, name, value, ec)` /
/// `get<T>(handle, level, name, ec)`.
template <class Os>
struct OptionAccess {
  using Handle = typename Os::Handle;

  static void set_flag(Handle socket, int level, int name, bool on, std::error_code& ec) noexcept {
    Os::set(socket, level, name, static_cast<typename Os::Int>(on ? 1 : 0), ec);
  }
  // A zeroed value: options answered in fewer bytes (TCP_NODELAY on Windows) still read right.
  static bool flag(Handle socket, int level, int name, std::error_code& ec) noexcept {
    return Os::template get<typename Os::Int>(socket, level, name, ec) != 0;
  }
};

/// The largest time-to-live (IP_TTL and IP_MULTICAST_TTL): the IPv4 header holds it in a byte.
inline constexpr std::uint32_t max_ttl = 255;

/// The IP-level time-to-live, part of concepts::Sockets.
template <class Os>
struct TtlOption {
  /// Above max_ttl is std::errc::invalid_argument, checked here: cast to the OS's int, a large
  /// value would wrap, and Linux reads -1 (0xFFFFFFFF) as "back to the default".
  static void set_ttl(typename Os::Handle socket, std::uint32_t ttl, std::error_code& ec) noexcept {
    if (ttl > max_ttl) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return;
    }
    Os::set(socket, IPPROTO_IP, IP_TTL, static_cast<typename Os::Int>(ttl), ec);
  }
  static std::uint32_t ttl(typename Os::Handle socket, std::error_code& ec) noexcept {
    return static_cast<std::uint32_t>(
        Os::template get<typename Os::Int>(socket, IPPROTO_IP, IP_TTL, ec));
  }
};

/// TCP_NODELAY, part of concepts::Tcp.
template <class Os>
struct NodelayOption {
  static void set_nodelay(typename Os::Handle socket, bool nodelay, std::error_code& ec) noexcept {
    OptionAccess<Os>::set_flag(socket, IPPROTO_TCP, TCP_NODELAY, nodelay, ec);
  }
  static bool nodelay(typename Os::Handle socket, std::error_code& ec) noexcept {
    return OptionAccess<Os>::flag(socket, IPPROTO_TCP, TCP_NODELAY, ec);
  }
};

/// The options only datagram sockets use (broadcast, multicast), part of concepts::Udp.
template <class Os>
struct DatagramOptions {
  using Handle = typename Os::Handle;
  using Access = OptionAccess<Os>;
  using MulticastV4 = typename Os::MulticastV4;
  using MulticastLoopV6 = typename Os::MulticastLoopV6;

  static void set_broadcast(Handle socket, bool on, std::error_code& ec) noexcept {
    Access::set_flag(socket, SOL_SOCKET, SO_BROADCAST, on, ec);
  }
  static bool broadcast(Handle socket, std::error_code& ec) noexcept {
    return Access::flag(socket, SOL_SOCKET, SO_BROADCAST, ec);
  }

  static void set_multicast_loop_v4(Handle socket, bool on, std::error_code& ec) noexcept {
    Os::set(socket, IPPROTO_IP, IP_MULTICAST_LOOP, static_cast<MulticastV4>(on ? 1 : 0), ec);
  }
  static bool multicast_loop_v4(Handle socket, std::error_code& ec) noexcept {
    return Os::template get<MulticastV4>(socket, IPPROTO_IP, IP_MULTICAST_LOOP, ec) != 0;
  }

  /// IP_MULTICAST_TTL holds 0-255; larger values give std::errc::invalid_argument.
  static void set_multicast_ttl_v4(Handle socket, std::uint32_t ttl, std::error_code& ec) noexcept {
    if (ttl > max_ttl) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return;
    }
    Os::set(socket, IPPROTO_IP, IP_MULTICAST_TTL, static_cast<MulticastV4>(ttl), ec);
  }
  static std::uint32_t multicast_ttl_v4(Handle socket, std::error_code& ec) noexcept {
    return static_cast<std::uint32_t>(
        Os::template get<MulticastV4>(socket, IPPROTO_IP, IP_MULTICAST_TTL, ec));
  }

  static void set_multicast_loop_v6(Handle socket, bool on, std::error_code& ec) noexcept {
    Os::set(socket, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, static_cast<MulticastLoopV6>(on ? 1 : 0),
            ec);
  }
  static bool multicast_loop_v6(Handle socket, std::error_code& ec) noexcept {
    return Os::template get<MulticastLoopV6>(socket, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, ec) != 0;
  }

  /// IPV6_V6ONLY: whether an IPv6 socket is kept from IPv4 (IPv4-mapped) traffic. On by default
  /// on Windows, off on Linux.
  static bool only_v6(Handle socket, std::error_code& ec) noexcept {
    return Access::flag(socket, IPPROTO_IPV6, IPV6_V6ONLY, ec);
  }

  /// IP_ADD_MEMBERSHIP: receive datagrams sent to `group` on the interface with address
  /// `interface_address` (0.0.0.0: the one the routing table picks).
  static void join_multicast_v4(Handle socket, const net::Ipv4Addr& group,
                                const net::Ipv4Addr& interface_address,
                                std::error_code& ec) noexcept {
    Os::set(socket, IPPROTO_IP, IP_ADD_MEMBERSHIP, request(group, interface_address), ec);
  }
  static void leave_multicast_v4(Handle socket, const net::Ipv4Addr& group,
                                 const net::Ipv4Addr& interface_address,
                                 std::error_code& ec) noexcept {
    Os::set(socket, IPPROTO_IP, IP_DROP_MEMBERSHIP, request(group, interface_address), ec);
  }

  /// IPV6_JOIN_GROUP: receive datagrams sent to `group` on interface `interface_index` (0: the one
  /// the routing table picks).
  static void join_multicast_v6(Handle socket, const net::Ipv6Addr& group,
                                std::uint32_t interface_index, std::error_code& ec) noexcept {
    Os::set(socket, IPPROTO_IPV6, IPV6_JOIN_GROUP, request(group, interface_index), ec);
  }
  static void leave_multicast_v6(Handle socket, const net::Ipv6Addr& group,
                                 std::uint32_t interface_index, std::error_code& ec) noexcept {
    Os::set(socket, IPPROTO_IPV6, IPV6_LEAVE_GROUP, request(group, interface_index), ec);
  }

 private:
  static ::ip_mreq request(const net::Ipv4Addr& group,
                           const net::Ipv4Addr& interface_address) noexcept {
    ::ip_mreq request{};
    std::memcpy(&request.imr_multiaddr, group.octets().data(), 4);
    std::memcpy(&request.imr_interface, interface_address.octets().data(), 4);
    return request;
  }
  static ::ipv6_mreq request(const net::Ipv6Addr& group, std::uint32_t interface_index) noexcept {
    ::ipv6_mreq request{};
    std::memcpy(&request.ipv6mr_multiaddr, group.octets().data(), 16);
    request.ipv6mr_interface = interface_index;
    return request;
  }
};

}  // namespace miocpp::sys::common
