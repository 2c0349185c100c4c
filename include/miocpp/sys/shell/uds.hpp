// The shell's Unix-domain sockets: every call reports std::errc::not_supported.
#pragma once

#include <cstddef>
#include <span>
#include <system_error>

#include "../../net/unix_socket_addr.hpp"
#include "handle.hpp"
#include "net.hpp"

namespace miocpp::sys::shell::uds {

inline Handle bind_datagram(const net::UnixSocketAddr&, std::error_code& ec) noexcept {
  return refuse<Handle>(ec);
}
inline Handle unbound_datagram(std::error_code& ec) noexcept {
  return refuse<Handle>(ec);
}
inline void datagram_pair(Handle&, Handle&, std::error_code& ec) noexcept {
  refuse(ec);
}
inline std::size_t send_to(int, std::span<const std::byte>, const net::UnixSocketAddr&,
                           std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline std::size_t recv_from(int, std::span<std::byte>, net::UnixSocketAddr&,
                             std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline net::UnixSocketAddr local_addr(int, std::error_code& ec) noexcept {
  return refuse<net::UnixSocketAddr>(ec);
}
inline net::UnixSocketAddr peer_addr(int, std::error_code& ec) noexcept {
  return refuse<net::UnixSocketAddr>(ec);
}
inline Handle listen(const net::UnixSocketAddr&, std::error_code& ec) noexcept {
  return refuse<Handle>(ec);
}
inline Handle accept(int, net::UnixSocketAddr&, std::error_code& ec) noexcept {
  return refuse<Handle>(ec);
}
inline void connect(int, const net::UnixSocketAddr&, std::error_code& ec) noexcept {
  refuse(ec);
}
inline Handle connect_stream(const net::UnixSocketAddr&, std::error_code& ec) noexcept {
  return refuse<Handle>(ec);
}
inline void stream_pair(Handle&, Handle&, std::error_code& ec) noexcept {
  refuse(ec);
}

}  // namespace miocpp::sys::shell::uds
