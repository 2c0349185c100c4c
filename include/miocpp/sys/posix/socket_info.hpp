// Addresses of a socket, and its pending error.
#pragma once

#include <sys/socket.h>

#include <system_error>

#include "../../net/socket_addr.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"

namespace miocpp::sys::posix {

/// getsockname, as a SocketAddr.
inline net::SocketAddr local_addr(int fd, std::error_code& ec) noexcept {
  RawSocketAddr raw;
  check(::getsockname(fd, raw.get(), &raw.length), ec);
  return ec ? net::SocketAddr() : from_raw(raw, ec);
}

/// getpeername, as a SocketAddr; std::errc::not_connected when there is no peer.
inline net::SocketAddr peer_addr(int fd, std::error_code& ec) noexcept {
  RawSocketAddr raw;
  check(::getpeername(fd, raw.get(), &raw.length), ec);
  return ec ? net::SocketAddr() : from_raw(raw, ec);
}

/// The IP-level time-to-live (IP_TTL).
inline void set_ttl(int fd, std::uint32_t ttl, std::error_code& ec) noexcept {
  set_socket_option(fd, IPPROTO_IP, IP_TTL, static_cast<int>(ttl), ec);
}
inline std::uint32_t ttl(int fd, std::error_code& ec) noexcept {
  return static_cast<std::uint32_t>(get_socket_option<int>(fd, IPPROTO_IP, IP_TTL, ec));
}

}  // namespace miocpp::sys::posix
