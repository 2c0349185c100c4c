// IpSocketBase: what TCP and UDP sockets share -- an IP local address and the IP time-to-live.
#pragma once

#include <cstdint>
#include <system_error>

#include "../detail/throw_error.hpp"
#include "../sys/sys.hpp"
#include "socket_addr.hpp"
#include "socket_base.hpp"

namespace miocpp::net {

/// The base of TcpListener, TcpStream and UdpSocket: a socket with an IP address.
class IpSocketBase : public SocketBase {
 public:
  using SocketBase::SocketBase;

  /// The address the socket is bound to (with the port the OS picked for port 0). An unbound
  /// socket reports the unspecified address. WASI preview 1 reports `std::errc::not_supported`.
  [[nodiscard]] SocketAddr local_addr(std::error_code& ec) const noexcept {
    return sys::Sockets::local_addr(native_handle(), ec);
  }

  /// IP_TTL: the time-to-live of outgoing packets (on a listener: of the connections it
  /// accepts). Above 255 gives `std::errc::invalid_argument` on every system, before the OS
  /// sees it; 0 is the OS's to judge (Linux refuses it, the BSDs take it). WASI preview 1
  /// reports `std::errc::not_supported`.
  void set_ttl(std::uint32_t ttl, std::error_code& ec) noexcept {
    sys::Sockets::set_ttl(native_handle(), ttl, ec);
  }
  /// IP_TTL as set by set_ttl (or the system default, typically 64).
  [[nodiscard]] std::uint32_t ttl(std::error_code& ec) const noexcept {
    return sys::Sockets::ttl(native_handle(), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports.
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
  /// @}
#endif
};

}  // namespace miocpp::net
