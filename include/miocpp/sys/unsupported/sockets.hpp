// The calls on any socket, refused: for backends that have no sockets (the shell), and the few a
// backend with sockets cannot make (WASI preview1 names no address and no option).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include "../../net/shutdown.hpp"
#include "../../net/socket_addr.hpp"
#include "io_vec.hpp"
#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// concepts::Sockets over int handles; every call reports std::errc::not_supported.
struct Sockets {
  static std::size_t send(int, std::span<const std::byte>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static std::size_t receive(int, std::span<std::byte>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static std::size_t peek(int, std::span<std::byte>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static std::size_t send_vectored(int, std::span<const IoVec>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static std::size_t receive_vectored(int, std::span<const IoVec>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static void shutdown(int, net::Shutdown, std::error_code& ec) noexcept { refuse(ec); }
  static net::SocketAddr local_addr(int, std::error_code& ec) noexcept {
    return refuse<net::SocketAddr>(ec);
  }
  static net::SocketAddr peer_addr(int, std::error_code& ec) noexcept {
    return refuse<net::SocketAddr>(ec);
  }
  static std::error_code take_error(int, std::error_code& ec) noexcept {
    return refuse<std::error_code>(ec);
  }
};

}  // namespace miocpp::sys::unsupported
