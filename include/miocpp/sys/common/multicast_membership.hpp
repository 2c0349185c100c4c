// Multicast group membership, the same on every socket API that has it (POSIX, Winsock),
// written once over the request records each OS takes.
#pragma once

// The SOL_/IPPROTO_/IP_/IPV6_/TCP_ constants and ip_mreq/ipv6_mreq come from the OS's socket
// headers, which its own socket.hpp includes before this file; this file stays OS-neutral.

#include <cstdint>
#include <cstring>
#include <system_error>

#include "../../net/ip_addr.hpp"

namespace miocpp::sys::common {

/// Joining and leaving multicast groups, part of concepts::Udp, over the OS's option calls `Os`
/// (see encoding::Flag): set-only options whose value is a request record.
template <class Os>
struct MulticastMembership {
  using Handle = typename Os::Handle;

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
