// What TCP and UDP sockets share: an IP local address and the IP time-to-live.
#pragma once

#include <cstdint>
#include <system_error>

#include "../../detail/throw_error.hpp"
#include "../../sys/sys.hpp"
#include "../socket_addr.hpp"
#include "socket.hpp"

namespace miocpp::net::detail {

class InetSocket : public Socket {
 public:
  using Socket::Socket;

  /// The address the socket is bound to (with the port the OS picked for port 0).
  [[nodiscard]] SocketAddr local_addr(std::error_code& ec) const noexcept {
    return sys::local_addr(native_handle(), ec);
  }

  /// IP_TTL: the time-to-live of outgoing packets (on a listener: of the connections it
  /// accepts).
  void set_ttl(std::uint32_t ttl, std::error_code& ec) noexcept {
    sys::set_ttl(native_handle(), ttl, ec);
  }
  [[nodiscard]] std::uint32_t ttl(std::error_code& ec) const noexcept {
    return sys::ttl(native_handle(), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  [[nodiscard]] SocketAddr local_addr() const {
    return miocpp::detail::or_throw("miocpp::net::local_addr",
                                    [&](std::error_code& ec) { return local_addr(ec); });
  }
  void set_ttl(std::uint32_t ttl) {
    miocpp::detail::or_throw("miocpp::net::set_ttl",
                             [&](std::error_code& ec) { set_ttl(ttl, ec); });
  }
  [[nodiscard]] std::uint32_t ttl() const {
    return miocpp::detail::or_throw("miocpp::net::ttl",
                                    [&](std::error_code& ec) { return ttl(ec); });
  }
#endif
};

}  // namespace miocpp::net::detail
