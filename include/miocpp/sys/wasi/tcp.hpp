// TCP on WASI preview1: accepting from a listener that the runtime pre-opened is all there is.
// Preview1 cannot create a socket, so bind and connect, like TCP_NODELAY, report
// std::errc::not_supported (the shell backend's refusals).
#pragma once

#include <system_error>

#include <wasi/api.h>

#include "../../net/socket_addr.hpp"
#include "../shell/handle.hpp"
#include "../shell/net.hpp"
#include "error.hpp"

namespace miocpp::sys::wasi::tcp {

using shell::tcp::bind;
using shell::tcp::connect;
using shell::tcp::nodelay;
using shell::tcp::set_nodelay;

/// sock_accept, the new connection non-blocking. Preview1 does not say who connected, so `peer`
/// is left unspecified (0.0.0.0:0).
inline shell::Handle accept(int listener, net::SocketAddr& peer, std::error_code& ec) noexcept {
  __wasi_fd_t stream = 0;
  if (!check(
          __wasi_sock_accept(static_cast<__wasi_fd_t>(listener), __WASI_FDFLAGS_NONBLOCK, &stream),
          ec)) {
    return {};
  }
  peer = net::SocketAddr();
  return shell::Handle(static_cast<int>(stream));
}

}  // namespace miocpp::sys::wasi::tcp
