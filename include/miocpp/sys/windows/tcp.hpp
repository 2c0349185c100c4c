// TCP sockets on Winsock: listen, connect, accept.
#pragma once

#include <system_error>

#include "../../net/socket_addr.hpp"
#include "error.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// concepts::Tcp over SOCKETs.
struct Tcp : common::NodelayOption<SocketOption> {
  /// A listening socket on `address`. No SO_REUSEADDR: on Windows it lets another socket bind the
  /// same port and steal connections; a port in TIME_WAIT is reusable without it there.
  static Socket bind(const net::SocketAddr& address, std::error_code& ec) noexcept {
    Socket socket = bind_socket(RawSocketAddr(address), SOCK_STREAM, ec);
    if (!ec) {
      check(::listen(socket.native_handle(), listen_backlog), ec);
    }
    if (ec) {
      socket.reset();
    }
    return socket;
  }

  /// Starts a non-blocking connect. WSAEWOULDBLOCK is success: the outcome arrives as a writable
  /// (or error / write_closed) event, after which peer_addr/take_error tell whether it connected.
  static Socket connect(const net::SocketAddr& address, std::error_code& ec) noexcept {
    const RawSocketAddr raw(address);
    Socket socket = open_socket(raw.family(), SOCK_STREAM, ec);
    if (!ec && ::connect(socket.native_handle(), raw.get(), raw.length) == SOCKET_ERROR &&
        ::WSAGetLastError() != WSAEWOULDBLOCK) {
      ec = last_socket_error();
      socket.reset();
    }
    return socket;
  }

  /// One accept; the peer's address goes to `peer`. The new socket is non-blocking (inherited
  /// from the listener) and not inheritable.
  static Socket accept(SOCKET listener, net::SocketAddr& peer, std::error_code& ec) noexcept {
    RawSocketAddr raw;
    Socket accepted(::accept(listener, raw.get(), &raw.length));
    if (!accepted.is_open()) {
      ec = last_socket_error();
      return accepted;
    }
    configure_accepted(accepted.native_handle(), ec);
    if (!ec) {
      peer = from_raw(raw, ec);
    }
    if (ec) {
      accepted.reset();
    }
    return accepted;
  }
};

}  // namespace miocpp::sys::windows
