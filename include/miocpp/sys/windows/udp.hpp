// UDP sockets on Winsock: bind, connect, datagrams with their peer's address, and the IP options
// that only datagram sockets use (broadcast, multicast).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <system_error>

#include "../../net/ip_addr.hpp"
#include "../../net/socket_addr.hpp"
#include "error.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows::udp {

/// A datagram socket bound to `address` (port 0 picks a free port).
inline Socket bind(const net::SocketAddr& address, std::error_code& ec) noexcept {
  const RawSocketAddr raw = to_raw(address);
  Socket socket = open_socket(raw.family(), SOCK_DGRAM, ec);
  if (ec) {
    return socket;
  }
  check(::bind(socket.native_handle(), raw.get(), raw.length), ec);
  if (ec) {
    socket.reset();
  }
  return socket;
}

/// Sets the default destination of send() and the only source recv() accepts.
inline void connect(SOCKET socket, const net::SocketAddr& address, std::error_code& ec) noexcept {
  const RawSocketAddr raw = to_raw(address);
  check(::connect(socket, raw.get(), raw.length), ec);
}

inline std::size_t send_to(SOCKET socket, std::span<const std::byte> datagram,
                           const net::SocketAddr& target, std::error_code& ec) noexcept {
  const RawSocketAddr raw = to_raw(target);
  return io_result(::sendto(socket,
                            reinterpret_cast<const char*>(datagram.data()),  // NOLINT
                            clamp_length(datagram.size()), 0, raw.get(), raw.length),
                   ec);
}

/// One recvfrom with `flags`; the sender's address goes to `from` (left alone on error). A
/// datagram larger than the buffer is truncated to it, as on POSIX (Winsock says WSAEMSGSIZE).
inline std::size_t receive_from(SOCKET socket, std::span<std::byte> buffer, int flags,
                                net::SocketAddr& from, std::error_code& ec) noexcept {
  RawSocketAddr raw;
  const int result = ::recvfrom(socket, reinterpret_cast<char*>(buffer.data()),  // NOLINT
                                clamp_length(buffer.size()), flags, raw.get(), &raw.length);
  std::size_t count = 0;
  if (result == SOCKET_ERROR) {
    const int error = ::WSAGetLastError();
    if (error != WSAEMSGSIZE) {
      ec = win32_code(static_cast<DWORD>(error));
      return 0;
    }
    count = buffer.size();
  } else {
    count = static_cast<std::size_t>(result);
  }
  const net::SocketAddr sender = from_raw(raw, ec);
  if (ec) {
    return 0;
  }
  from = sender;
  return count;
}

inline std::size_t recv_from(SOCKET socket, std::span<std::byte> buffer, net::SocketAddr& from,
                             std::error_code& ec) noexcept {
  return receive_from(socket, buffer, 0, from, ec);
}

/// recv_from that leaves the datagram queued.
inline std::size_t peek_from(SOCKET socket, std::span<std::byte> buffer, net::SocketAddr& from,
                             std::error_code& ec) noexcept {
  return receive_from(socket, buffer, MSG_PEEK, from, ec);
}

// Winsock takes every IP option below as a DWORD.

inline void set_broadcast(SOCKET socket, bool on, std::error_code& ec) noexcept {
  set_flag_option(socket, SOL_SOCKET, SO_BROADCAST, on, ec);
}
inline bool broadcast(SOCKET socket, std::error_code& ec) noexcept {
  return get_flag_option(socket, SOL_SOCKET, SO_BROADCAST, ec);
}

inline void set_multicast_loop_v4(SOCKET socket, bool on, std::error_code& ec) noexcept {
  set_flag_option(socket, IPPROTO_IP, IP_MULTICAST_LOOP, on, ec);
}
inline bool multicast_loop_v4(SOCKET socket, std::error_code& ec) noexcept {
  return get_flag_option(socket, IPPROTO_IP, IP_MULTICAST_LOOP, ec);
}

/// IP_MULTICAST_TTL holds 0-255; larger values give std::errc::invalid_argument.
inline void set_multicast_ttl_v4(SOCKET socket, std::uint32_t ttl, std::error_code& ec) noexcept {
  if (ttl > 255) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return;
  }
  set_socket_option(socket, IPPROTO_IP, IP_MULTICAST_TTL, static_cast<DWORD>(ttl), ec);
}
inline std::uint32_t multicast_ttl_v4(SOCKET socket, std::error_code& ec) noexcept {
  return static_cast<std::uint32_t>(
      get_socket_option<DWORD>(socket, IPPROTO_IP, IP_MULTICAST_TTL, ec));
}

inline void set_multicast_loop_v6(SOCKET socket, bool on, std::error_code& ec) noexcept {
  set_flag_option(socket, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, on, ec);
}
inline bool multicast_loop_v6(SOCKET socket, std::error_code& ec) noexcept {
  return get_flag_option(socket, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, ec);
}

/// IPV6_V6ONLY: whether an IPv6 socket is kept from IPv4 (IPv4-mapped) traffic. On by default
/// on Windows, unlike Linux.
inline bool only_v6(SOCKET socket, std::error_code& ec) noexcept {
  return get_flag_option(socket, IPPROTO_IPV6, IPV6_V6ONLY, ec);
}

inline void change_membership_v4(SOCKET socket, int option, const net::Ipv4Addr& group,
                                 const net::Ipv4Addr& interface_address,
                                 std::error_code& ec) noexcept {
  ::ip_mreq request{};
  std::memcpy(&request.imr_multiaddr, group.octets().data(), 4);
  std::memcpy(&request.imr_interface, interface_address.octets().data(), 4);
  set_socket_option(socket, IPPROTO_IP, option, request, ec);
}

inline void join_multicast_v4(SOCKET socket, const net::Ipv4Addr& group,
                              const net::Ipv4Addr& interface_address,
                              std::error_code& ec) noexcept {
  change_membership_v4(socket, IP_ADD_MEMBERSHIP, group, interface_address, ec);
}
inline void leave_multicast_v4(SOCKET socket, const net::Ipv4Addr& group,
                               const net::Ipv4Addr& interface_address,
                               std::error_code& ec) noexcept {
  change_membership_v4(socket, IP_DROP_MEMBERSHIP, group, interface_address, ec);
}

inline void change_membership_v6(SOCKET socket, int option, const net::Ipv6Addr& group,
                                 std::uint32_t interface_index, std::error_code& ec) noexcept {
  ::ipv6_mreq request{};
  std::memcpy(&request.ipv6mr_multiaddr, group.octets().data(), 16);
  request.ipv6mr_interface = interface_index;
  set_socket_option(socket, IPPROTO_IPV6, option, request, ec);
}

inline void join_multicast_v6(SOCKET socket, const net::Ipv6Addr& group,
                              std::uint32_t interface_index, std::error_code& ec) noexcept {
  change_membership_v6(socket, IPV6_ADD_MEMBERSHIP, group, interface_index, ec);
}
inline void leave_multicast_v6(SOCKET socket, const net::Ipv6Addr& group,
                               std::uint32_t interface_index, std::error_code& ec) noexcept {
  change_membership_v6(socket, IPV6_DROP_MEMBERSHIP, group, interface_index, ec);
}

}  // namespace miocpp::sys::windows::udp
