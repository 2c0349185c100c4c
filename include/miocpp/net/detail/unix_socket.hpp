// What the Unix-domain socket types share: a Unix-domain local address.
#pragma once

#include <system_error>

#include "../../detail/throw_error.hpp"
#include "../../sys/sys.hpp"
#include "../unix_socket_addr.hpp"
#include "socket.hpp"

namespace miocpp::net::detail {

/// What the Unix-domain socket types share: a Unix-domain local address. The members are those of
/// net::UnixListener, net::UnixStream and net::UnixDatagram; the class itself is an
/// implementation detail.
class UnixSocket : public Socket {
 public:
  using Socket::Socket;

  /// The address the socket is bound to; unnamed for an unbound socket or one end of a pair.
  [[nodiscard]] UnixSocketAddr local_addr(std::error_code& ec) const noexcept {
    return sys::uds::local_addr(native_handle(), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// local_addr(), throwing `std::system_error` with the code the overload taking `ec` reports.
  [[nodiscard]] UnixSocketAddr local_addr() const {
    return miocpp::detail::or_throw("miocpp::net::local_addr",
                                    [&](std::error_code& ec) { return local_addr(ec); });
  }
#endif
};

}  // namespace miocpp::net::detail
