// TCP sockets on Winsock: listen, connect, accept.
#pragma once

#include <system_error>

#include "../../net/socket_addr.hpp"
#include "error.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows::tcp {

/// A listening socket on `address`. No SO_REUSEADDR: on Windows it lets another socket bind the
/// same port and steal connections; a port in TIME_WAIT is reusable without it there.
inline Socket bind(const net::SocketAddr& address, std::error_code& ec) noexcept {
  const RawSocketAddr raw = to_raw(address);
  Socket socket = open_socket(raw.family(), SOCK_STREAM, ec);
  if (ec) {
    return socket;
  }
  check(::bind(socket.native_handle(), raw.get(), raw.length), ec);
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
inline Socket connect(const net::SocketAddr& address, std::error_code& ec) noexcept {
  const RawSocketAddr raw = to_raw(address);
  Socket socket = open_socket(raw.family(), SOCK_STREAM, ec);
  if (ec) {
    return socket;
  }
  if (::connect(socket.native_handle(), raw.get(), raw.length) == SOCKET_ERROR &&
      ::WSAGetLastError() != WSAEWOULDBLOCK) {
    ec = last_socket_error();
    socket.reset();
    return socket;
  }
  ec.clear();
  return socket;
}

/// One accept; the peer's address goes to `peer`. The new socket is non-blocking (inherited
/// from the listener) and not inheritable.
inline Socket accept(SOCKET listener, net::SocketAddr& peer, std::error_code& ec) noexcept {
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

inline void set_nodelay(SOCKET socket, bool nodelay, std::error_code& ec) noexcept {
  set_flag_option(socket, IPPROTO_TCP, TCP_NODELAY, nodelay, ec);
}
inline bool nodelay(SOCKET socket, std::error_code& ec) noexcept {
  return get_flag_option(socket, IPPROTO_TCP, TCP_NODELAY, ec);
}

}  // namespace miocpp::sys::windows::tcp
