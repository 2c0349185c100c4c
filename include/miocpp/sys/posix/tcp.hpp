// TCP sockets on POSIX: listen, connect, accept.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <system_error>

#include "../../net/socket_addr.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"

namespace miocpp::sys::posix::tcp {

/// A listening socket on `address`, with SO_REUSEADDR so a restarted server can bind the port of
/// connections still in TIME_WAIT.
inline FileDescriptor bind(const net::SocketAddr& address, std::error_code& ec) noexcept {
  const RawSocketAddr raw = to_raw(address);
  FileDescriptor socket = open_socket(raw.family(), SOCK_STREAM, ec);
  if (ec) {
    return socket;
  }
  set_flag_option(socket.native_handle(), SOL_SOCKET, SO_REUSEADDR, true, ec);
  if (!ec) {
    check(::bind(socket.native_handle(), raw.get(), raw.length), ec);
  }
  if (!ec) {
    check(::listen(socket.native_handle(), listen_backlog), ec);
  }
  if (ec) {
    socket.reset();
  }
  return socket;
}

/// Starts a non-blocking connect. EINPROGRESS is success: the outcome arrives as a writable (or
/// error / write_closed) event, after which peer_addr/take_error tell whether it connected.
inline FileDescriptor connect(const net::SocketAddr& address, std::error_code& ec) noexcept {
  const RawSocketAddr raw = to_raw(address);
  FileDescriptor socket = open_socket(raw.family(), SOCK_STREAM, ec);
  if (ec) {
    return socket;
  }
  if (::connect(socket.native_handle(), raw.get(), raw.length) < 0 && errno != EINPROGRESS) {
    ec = last_error();
    socket.reset();
    return socket;
  }
  ec.clear();
  return socket;
}

/// One accept4; the peer's address goes to `peer`.
inline FileDescriptor accept(int listener, net::SocketAddr& peer, std::error_code& ec) noexcept {
  RawSocketAddr raw;
  FileDescriptor accepted = accept_socket(listener, raw.get(), &raw.length, ec);
  if (ec) {
    return accepted;
  }
  peer = from_raw(raw, ec);
  if (ec) {
    accepted.reset();
  }
  return accepted;
}

inline void set_nodelay(int fd, bool nodelay, std::error_code& ec) noexcept {
  set_flag_option(fd, IPPROTO_TCP, TCP_NODELAY, nodelay, ec);
}
inline bool nodelay(int fd, std::error_code& ec) noexcept {
  return get_flag_option(fd, IPPROTO_TCP, TCP_NODELAY, ec);
}

}  // namespace miocpp::sys::posix::tcp
