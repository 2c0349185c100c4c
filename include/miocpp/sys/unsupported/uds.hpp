// Unix-domain sockets, refused: for backends whose platform has none they can create (the shell,
// WASI preview1, Windows).
#pragma once

#include <cstddef>
#include <span>
#include <system_error>

#include "../../net/received_with_fds.hpp"
#include "../../net/unix_batch.hpp"
#include "../../net/unix_socket_addr.hpp"
#include "datagrams.hpp"
#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// concepts::Uds for a backend whose owned socket type is `Socket`: every call reports
/// std::errc::not_supported.
template <class Socket>
struct Uds : Datagrams<Socket, net::UnixSocketAddr, net::UnixRecvDatagram, net::UnixSendDatagram> {
  using NativeHandle = typename Socket::native_handle_type;

  static Socket listen(const net::UnixSocketAddr&, std::error_code& ec) noexcept {
    return refuse<Socket>(ec);
  }
  static Socket accept(NativeHandle, net::UnixSocketAddr&, std::error_code& ec) noexcept {
    return refuse<Socket>(ec);
  }
  static Socket connect_stream(const net::UnixSocketAddr&, std::error_code& ec) noexcept {
    return refuse<Socket>(ec);
  }
  static void stream_pair(Socket&, Socket&, std::error_code& ec) noexcept { refuse(ec); }

  static Socket bind_datagram(const net::UnixSocketAddr&, std::error_code& ec) noexcept {
    return refuse<Socket>(ec);
  }
  static Socket unbound_datagram(std::error_code& ec) noexcept { return refuse<Socket>(ec); }
  static void datagram_pair(Socket&, Socket&, std::error_code& ec) noexcept { refuse(ec); }

  static net::UnixSocketAddr local_addr(NativeHandle, std::error_code& ec) noexcept {
    return refuse<net::UnixSocketAddr>(ec);
  }
  static net::UnixSocketAddr peer_addr(NativeHandle, std::error_code& ec) noexcept {
    return refuse<net::UnixSocketAddr>(ec);
  }

  static std::size_t send_with_fds(NativeHandle, std::span<const std::byte>, std::span<const int>,
                                   const net::UnixSocketAddr*, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static net::ReceivedWithFds recv_with_fds(NativeHandle, std::span<std::byte>, std::span<int>,
                                            std::error_code& ec) noexcept {
    return refuse<net::ReceivedWithFds>(ec);
  }
};

}  // namespace miocpp::sys::unsupported
