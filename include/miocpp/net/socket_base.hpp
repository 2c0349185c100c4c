// SocketBase: what every socket type shares -- its pending error, and running a system call of
// your own on it as miocpp runs its own I/O.
#pragma once

#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../owned_source.hpp"
#include "../sys/sys.hpp"

namespace miocpp::net {

/// The base of every socket type (TcpListener, TcpStream, UdpSocket and the Unix-domain sockets):
/// an owned, non-blocking socket registered through an IoSource.
class SocketBase : public OwnedSource<sys::Socket> {
 public:
  using OwnedSource::OwnedSource;

  /// The pending socket error (SO_ERROR), clearing it; empty when there is none. After an error
  /// event this is the reason (a refused connect, an ICMP error for an earlier datagram). `ec`
  /// reports a failure to ask.
  [[nodiscard]] std::error_code take_error(std::error_code& ec) const noexcept {
    return sys::Sockets::take_error(native_handle(), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// take_error(), throwing `std::system_error` when asking fails (the pending error itself is
  /// returned, not thrown).
  [[nodiscard]] std::error_code take_error() const {
    return miocpp::detail::or_throw("miocpp::net::take_error",
                                    [&](std::error_code& ec) { return take_error(ec); });
  }
#endif

 protected:
  /// One accept through `accept` (sys::Tcp::accept, sys::Uds::accept), run as miocpp runs its
  /// I/O: the new socket and the peer's address, both empty on error. The listeners wrap the
  /// socket in their stream type.
  template <class Address, auto accept>
  std::pair<sys::Socket, Address> accept_socket(std::error_code& ec) noexcept {
    Address peer;
    sys::Socket socket = do_io(
        [&peer](native_handle_type s, std::error_code& op_ec) { return accept(s, peer, op_ec); },
        ec);
    return {std::move(socket), peer};
  }
};

}  // namespace miocpp::net
