// Addresses of a socket, and its IP time-to-live.
#pragma once

#include <cstdint>
#include <system_error>

#include "../../net/socket_addr.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// getsockname, as a SocketAddr.
inline net::SocketAddr local_addr(SOCKET socket, std::error_code& ec) noexcept {
  RawSocketAddr raw;
  check(::getsockname(socket, raw.get(), &raw.length), ec);
  return ec ? net::SocketAddr() : from_raw(raw, ec);
}

/// getpeername, as a SocketAddr; std::errc::not_connected when there is no peer.
inline net::SocketAddr peer_addr(SOCKET socket, std::error_code& ec) noexcept {
  RawSocketAddr raw;
  check(::getpeername(socket, raw.get(), &raw.length), ec);
  return ec ? net::SocketAddr() : from_raw(raw, ec);
}

/// The IP-level time-to-live (IP_TTL, a DWORD).
inline void set_ttl(SOCKET socket, std::uint32_t ttl, std::error_code& ec) noexcept {
  set_socket_option(socket, IPPROTO_IP, IP_TTL, static_cast<DWORD>(ttl), ec);
}
inline std::uint32_t ttl(SOCKET socket, std::error_code& ec) noexcept {
  return static_cast<std::uint32_t>(get_socket_option<DWORD>(socket, IPPROTO_IP, IP_TTL, ec));
}

}  // namespace miocpp::sys::windows
