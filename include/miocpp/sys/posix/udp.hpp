// UDP sockets on POSIX: bind, connect, datagrams with their peer's address, and the IP options
// that only datagram sockets use (broadcast, multicast).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <system_error>

#include "../../net/ip_addr.hpp"
#include "../../net/socket_addr.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"

namespace miocpp::sys::posix::udp {

/// A datagram socket bound to `address` (port 0 picks a free port). No SO_REUSEADDR: two
/// sockets bound to one address would split its datagrams between them.
inline FileDescriptor bind(const net::SocketAddr& address, std::error_code& ec) noexcept {
  const RawSocketAddr raw = to_raw(address);
  FileDescriptor socket = open_socket(raw.family(), SOCK_DGRAM, ec);
  if (ec) {
    return socket;
  }
  check(::bind(socket.native_handle(), raw.get(), raw.length), ec);
  if (ec) {
    socket.reset();
  }
  return socket;
}

/// Sets the default destination of send() and the only source recv() accepts. Completes at
/// once: no packet is sent.
inline void connect(int fd, const net::SocketAddr& address, std::error_code& ec) noexcept {
  const RawSocketAddr raw = to_raw(address);
  check(::connect(fd, raw.get(), raw.length), ec);
}

inline std::size_t send_to(int fd, std::span<const std::byte> datagram,
                           const net::SocketAddr& target, std::error_code& ec) noexcept {
  const RawSocketAddr raw = to_raw(target);
  return send_bytes_to(fd, datagram, raw.get(), raw.length, ec);
}

/// One recvfrom with `flags`; the sender's address goes to `from` (left alone on error).
inline std::size_t receive_from(int fd, std::span<std::byte> buffer, int flags,
                                net::SocketAddr& from, std::error_code& ec) noexcept {
  RawSocketAddr raw;
  const std::size_t count = receive_bytes_from(fd, buffer, flags, raw.get(), &raw.length, ec);
  if (ec) {
    return 0;
  }
  const net::SocketAddr sender = from_raw(raw, ec);
  if (ec) {
    return 0;
  }
  from = sender;
  return count;
}

inline std::size_t recv_from(int fd, std::span<std::byte> buffer, net::SocketAddr& from,
                             std::error_code& ec) noexcept {
  return receive_from(fd, buffer, 0, from, ec);
}

/// recv_from that leaves the datagram queued.
inline std::size_t peek_from(int fd, std::span<std::byte> buffer, net::SocketAddr& from,
                             std::error_code& ec) noexcept {
  return receive_from(fd, buffer, MSG_PEEK, from, ec);
}

// IP_MULTICAST_TTL and IP_MULTICAST_LOOP take an int on Linux (which also accepts a byte) and a
// byte on the BSDs, Apple systems and Solaris.
#if defined(__linux__) || defined(__ANDROID__)
using MulticastOptionV4 = int;
#else
using MulticastOptionV4 = unsigned char;
#endif

inline void set_broadcast(int fd, bool on, std::error_code& ec) noexcept {
  set_flag_option(fd, SOL_SOCKET, SO_BROADCAST, on, ec);
}
inline bool broadcast(int fd, std::error_code& ec) noexcept {
  return get_flag_option(fd, SOL_SOCKET, SO_BROADCAST, ec);
}

inline void set_multicast_loop_v4(int fd, bool on, std::error_code& ec) noexcept {
  set_socket_option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, static_cast<MulticastOptionV4>(on ? 1 : 0),
                    ec);
}
inline bool multicast_loop_v4(int fd, std::error_code& ec) noexcept {
  return get_socket_option<MulticastOptionV4>(fd, IPPROTO_IP, IP_MULTICAST_LOOP, ec) != 0;
}

/// IP_MULTICAST_TTL holds 0-255; larger values give std::errc::invalid_argument.
inline void set_multicast_ttl_v4(int fd, std::uint32_t ttl, std::error_code& ec) noexcept {
  if (ttl > 255) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return;
  }
  set_socket_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, static_cast<MulticastOptionV4>(ttl), ec);
}
inline std::uint32_t multicast_ttl_v4(int fd, std::error_code& ec) noexcept {
  return static_cast<std::uint32_t>(
      get_socket_option<MulticastOptionV4>(fd, IPPROTO_IP, IP_MULTICAST_TTL, ec));
}

inline void set_multicast_loop_v6(int fd, bool on, std::error_code& ec) noexcept {
  set_socket_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, on ? 1U : 0U, ec);
}
inline bool multicast_loop_v6(int fd, std::error_code& ec) noexcept {
  return get_socket_option<unsigned>(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, ec) != 0;
}

/// IPV6_V6ONLY: whether an IPv6 socket is kept from IPv4 (IPv4-mapped) traffic.
inline bool only_v6(int fd, std::error_code& ec) noexcept {
  return get_flag_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, ec);
}

inline void change_membership_v4(int fd, int option, const net::Ipv4Addr& group,
                                 const net::Ipv4Addr& interface_address,
                                 std::error_code& ec) noexcept {
  ::ip_mreq request{};
  std::memcpy(&request.imr_multiaddr, group.octets().data(), 4);
  std::memcpy(&request.imr_interface, interface_address.octets().data(), 4);
  set_socket_option(fd, IPPROTO_IP, option, request, ec);
}

/// IP_ADD_MEMBERSHIP: receive datagrams sent to `group` on the interface with address
/// `interface_address` (0.0.0.0: the one the routing table picks).
inline void join_multicast_v4(int fd, const net::Ipv4Addr& group,
                              const net::Ipv4Addr& interface_address,
                              std::error_code& ec) noexcept {
  change_membership_v4(fd, IP_ADD_MEMBERSHIP, group, interface_address, ec);
}
inline void leave_multicast_v4(int fd, const net::Ipv4Addr& group,
                               const net::Ipv4Addr& interface_address,
                               std::error_code& ec) noexcept {
  change_membership_v4(fd, IP_DROP_MEMBERSHIP, group, interface_address, ec);
}

inline void change_membership_v6(int fd, int option, const net::Ipv6Addr& group,
                                 std::uint32_t interface_index, std::error_code& ec) noexcept {
  ::ipv6_mreq request{};
  std::memcpy(&request.ipv6mr_multiaddr, group.octets().data(), 16);
  request.ipv6mr_interface = interface_index;
  set_socket_option(fd, IPPROTO_IPV6, option, request, ec);
}

/// IPV6_JOIN_GROUP: receive datagrams sent to `group` on interface `interface_index` (0: the one
/// the routing table picks).
inline void join_multicast_v6(int fd, const net::Ipv6Addr& group, std::uint32_t interface_index,
                              std::error_code& ec) noexcept {
  change_membership_v6(fd, IPV6_JOIN_GROUP, group, interface_index, ec);
}
inline void leave_multicast_v6(int fd, const net::Ipv6Addr& group, std::uint32_t interface_index,
                               std::error_code& ec) noexcept {
  change_membership_v6(fd, IPV6_LEAVE_GROUP, group, interface_index, ec);
}

}  // namespace miocpp::sys::posix::udp
