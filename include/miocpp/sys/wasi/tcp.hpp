// TCP on WASI preview1: accepting from a listener that the runtime pre-opened is all there is.
// Preview1 cannot create a socket, so bind and connect, like TCP_NODELAY, are refused
// (std::errc::not_supported).
#pragma once

#include <system_error>

#include <wasi/api.h>

#include "../../net/socket_addr.hpp"
#include "../unsupported/descriptor.hpp"
#include "../unsupported/tcp.hpp"
#include "error.hpp"

namespace miocpp::sys::wasi {

/// concepts::Tcp over WASI sockets, owned as unsupported::Descriptor: accept, and every other
/// call refused (preview1 cannot create a socket).
struct Tcp : unsupported::Tcp<unsupported::Descriptor> {
  /// sock_accept, the new connection non-blocking. Preview1 does not say who connected, so `peer`
  /// is left unspecified (0.0.0.0:0).
  static unsupported::Descriptor accept(int listener, net::SocketAddr& peer,
                                        std::error_code& ec) noexcept {
    __wasi_fd_t stream = 0;
    if (!check(__wasi_sock_accept(static_cast<__wasi_fd_t>(listener), __WASI_FDFLAGS_NONBLOCK,
                                  &stream),
               ec)) {
      return {};
    }
    peer = net::SocketAddr();
    return unsupported::Descriptor(static_cast<int>(stream));
  }
};

}  // namespace miocpp::sys::wasi
