// TCP, refused: for backends that cannot create a TCP socket (the shell, and WASI preview1,
// which can only accept from a listener the runtime opened).
#pragma once

#include <cstdint>
#include <system_error>

#include "../../net/socket_addr.hpp"
#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// concepts::Tcp for a backend whose owned socket type is `Socket`: every call reports
/// std::errc::not_supported.
template <class Socket>
struct Tcp {
  using NativeHandle = typename Socket::native_handle_type;

  static Socket bind(const net::SocketAddr&, std::error_code& ec) noexcept {
    return refuse<Socket>(ec);
  }
  static Socket connect(const net::SocketAddr&, std::error_code& ec) noexcept {
    return refuse<Socket>(ec);
  }
  static Socket accept(NativeHandle, net::SocketAddr&, std::error_code& ec) noexcept {
    return refuse<Socket>(ec);
  }
  static Socket open(const net::SocketAddr&, std::error_code& ec) noexcept {
    return refuse<Socket>(ec);
  }
  static void bind_to(NativeHandle, const net::SocketAddr&, std::error_code& ec) noexcept {
    refuse(ec);
  }
  static void listen(NativeHandle, std::uint32_t, std::error_code& ec) noexcept { refuse(ec); }
  static void start_connect(NativeHandle, const net::SocketAddr&, std::error_code& ec) noexcept {
    refuse(ec);
  }
};

}  // namespace miocpp::sys::unsupported
