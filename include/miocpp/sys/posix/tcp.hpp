// TCP sockets on POSIX: listen, connect, accept.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <system_error>

#include "../../net/socket_addr.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"

namespace miocpp::sys::posix {

/// concepts::Tcp over descriptors.
struct Tcp : common::NodelayOption<SocketOption> {
  /// A listening socket on `address`, with SO_REUSEADDR so a restarted server can bind the port of
  /// connections still in TIME_WAIT.
  static FileDescriptor bind(const net::SocketAddr& address, std::error_code& ec) noexcept {
    const RawSocketAddr raw(address);
    return open_socket_with(raw.family(), SOCK_STREAM, ec, [&raw, &ec](int fd) {
      SocketOption::set(fd, SOL_SOCKET, SO_REUSEADDR, 1, ec);
      if (!ec) {
        check(::bind(fd, raw.get(), raw.length), ec);
      }
      if (!ec) {
        check(::listen(fd, listen_backlog), ec);
      }
    });
  }

  /// Starts a non-blocking connect. EINPROGRESS is success: the outcome arrives as a writable (or
  /// error / write_closed) event, after which peer_addr/take_error tell whether it connected.
  static FileDescriptor connect(const net::SocketAddr& address, std::error_code& ec) noexcept {
    const RawSocketAddr raw(address);
    return open_socket_with(raw.family(), SOCK_STREAM, ec,
                            [&raw, &ec](int fd) { start_connect(fd, raw.get(), raw.length, ec); });
  }

  /// One accept4; the peer's address goes to `peer`.
  static FileDescriptor accept(int listener, net::SocketAddr& peer, std::error_code& ec) noexcept {
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
};

}  // namespace miocpp::sys::posix
