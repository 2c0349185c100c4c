// UDP, refused: for backends that cannot create a UDP socket (the shell, WASI preview1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include "../../net/ip_addr.hpp"
#include "../../net/socket_addr.hpp"
#include "../../net/udp_batch.hpp"
#include "datagrams.hpp"
#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// concepts::Udp for a backend whose owned socket type is `Socket`: every call reports
/// std::errc::not_supported.
template <class Socket>
struct Udp : Datagrams<Socket, net::SocketAddr, net::RecvDatagram, net::SendDatagram> {
  using NativeHandle = typename Socket::native_handle_type;

  static Socket bind(const net::SocketAddr&, std::error_code& ec) noexcept {
    return refuse<Socket>(ec);
  }
  static std::size_t peek_from(NativeHandle, std::span<std::byte>, net::SocketAddr&,
                               std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static bool can_segment(NativeHandle) noexcept { return false; }

  static void join_multicast_v4(NativeHandle, const net::Ipv4Addr&, const net::Ipv4Addr&,
                                std::error_code& ec) noexcept {
    refuse(ec);
  }
  static void leave_multicast_v4(NativeHandle, const net::Ipv4Addr&, const net::Ipv4Addr&,
                                 std::error_code& ec) noexcept {
    refuse(ec);
  }
  static void join_multicast_v6(NativeHandle, const net::Ipv6Addr&, std::uint32_t,
                                std::error_code& ec) noexcept {
    refuse(ec);
  }
  static void leave_multicast_v6(NativeHandle, const net::Ipv6Addr&, std::uint32_t,
                                 std::error_code& ec) noexcept {
    refuse(ec);
  }
};

}  // namespace miocpp::sys::unsupported
