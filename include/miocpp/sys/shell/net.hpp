// The shell's sockets: every TCP, UDP and Unix-domain call the front end makes, each reporting
// std::errc::not_supported and returning an empty value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <type_traits>

#include "../../net/ip_addr.hpp"
#include "../../net/shutdown.hpp"
#include "../../net/socket_addr.hpp"
#include "handle.hpp"
#include "io.hpp"
#include "unsupported.hpp"

namespace miocpp::sys::shell {

/// Reports not_supported and returns an empty `Result`: the body of every call below.
template <class Result = void>
Result refuse(std::error_code& ec) noexcept {
  not_supported(ec);
  if constexpr (!std::is_void_v<Result>) {
    return Result{};
  }
}

// ---- Any socket ---------------------------------------------------------------------------------

inline std::size_t send_bytes(int, std::span<const std::byte>, int, std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline std::size_t receive_bytes(int, std::span<std::byte>, int, std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline std::size_t peek_bytes(int, std::span<std::byte>, std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline std::size_t receive_stream(int, std::span<std::byte>, int, std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline std::size_t peek_stream(int, std::span<std::byte>, std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline std::size_t send_vectored(int, std::span<const IoVec>, std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline std::size_t receive_vectored(int, std::span<const IoVec>, std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline void shutdown(int, net::Shutdown, std::error_code& ec) noexcept {
  refuse(ec);
}
inline net::SocketAddr local_addr(int, std::error_code& ec) noexcept {
  return refuse<net::SocketAddr>(ec);
}
inline net::SocketAddr peer_addr(int, std::error_code& ec) noexcept {
  return refuse<net::SocketAddr>(ec);
}
inline void set_ttl(int, std::uint32_t, std::error_code& ec) noexcept {
  refuse(ec);
}
inline std::uint32_t ttl(int, std::error_code& ec) noexcept {
  return refuse<std::uint32_t>(ec);
}
inline std::error_code take_socket_error(int, std::error_code& ec) noexcept {
  return refuse<std::error_code>(ec);
}

// ---- TCP ----------------------------------------------------------------------------------------

namespace tcp {
inline Handle bind(const net::SocketAddr&, std::error_code& ec) noexcept {
  return refuse<Handle>(ec);
}
inline Handle connect(const net::SocketAddr&, std::error_code& ec) noexcept {
  return refuse<Handle>(ec);
}
inline Handle accept(int, net::SocketAddr&, std::error_code& ec) noexcept {
  return refuse<Handle>(ec);
}
inline void set_nodelay(int, bool, std::error_code& ec) noexcept {
  refuse(ec);
}
inline bool nodelay(int, std::error_code& ec) noexcept {
  return refuse<bool>(ec);
}
}  // namespace tcp

// ---- UDP ----------------------------------------------------------------------------------------

namespace udp {
inline Handle bind(const net::SocketAddr&, std::error_code& ec) noexcept {
  return refuse<Handle>(ec);
}
inline void connect(int, const net::SocketAddr&, std::error_code& ec) noexcept {
  refuse(ec);
}
inline std::size_t send_to(int, std::span<const std::byte>, const net::SocketAddr&,
                           std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline std::size_t recv_from(int, std::span<std::byte>, net::SocketAddr&,
                             std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline std::size_t peek_from(int, std::span<std::byte>, net::SocketAddr&,
                             std::error_code& ec) noexcept {
  return refuse<std::size_t>(ec);
}
inline void set_broadcast(int, bool, std::error_code& ec) noexcept {
  refuse(ec);
}
inline bool broadcast(int, std::error_code& ec) noexcept {
  return refuse<bool>(ec);
}
inline void set_multicast_loop_v4(int, bool, std::error_code& ec) noexcept {
  refuse(ec);
}
inline bool multicast_loop_v4(int, std::error_code& ec) noexcept {
  return refuse<bool>(ec);
}
inline void set_multicast_ttl_v4(int, std::uint32_t, std::error_code& ec) noexcept {
  refuse(ec);
}
inline std::uint32_t multicast_ttl_v4(int, std::error_code& ec) noexcept {
  return refuse<std::uint32_t>(ec);
}
inline void set_multicast_loop_v6(int, bool, std::error_code& ec) noexcept {
  refuse(ec);
}
inline bool multicast_loop_v6(int, std::error_code& ec) noexcept {
  return refuse<bool>(ec);
}
inline bool only_v6(int, std::error_code& ec) noexcept {
  return refuse<bool>(ec);
}
inline void join_multicast_v4(int, const net::Ipv4Addr&, const net::Ipv4Addr&,
                              std::error_code& ec) noexcept {
  refuse(ec);
}
inline void leave_multicast_v4(int, const net::Ipv4Addr&, const net::Ipv4Addr&,
                               std::error_code& ec) noexcept {
  refuse(ec);
}
inline void join_multicast_v6(int, const net::Ipv6Addr&, std::uint32_t,
                              std::error_code& ec) noexcept {
  refuse(ec);
}
inline void leave_multicast_v6(int, const net::Ipv6Addr&, std::uint32_t,
                               std::error_code& ec) noexcept {
  refuse(ec);
}
}  // namespace udp

}  // namespace miocpp::sys::shell
