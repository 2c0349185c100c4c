// TCP sockets on POSIX: listen, connect, accept.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <climits>
#include <cstdint>
#include <system_error>

#include "../../net/socket_addr.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"

namespace miocpp::sys::posix {

/// concepts::Tcp over descriptors.
struct Tcp {
  /// A listening socket on `address`, with SO_REUSEADDR so a restarted server can bind the port of
  /// connections still in TIME_WAIT, and the largest backlog the system allows.
  static FileDescriptor bind(const net::SocketAddr& address, std::error_code& ec) noexcept {
    return open_socket_with(RawSocketAddr(address).family(), SOCK_STREAM, ec,
                            [&address, &ec](int fd) {
                              SocketOption::set(fd, SOL_SOCKET, SO_REUSEADDR, 1, ec);
                              if (!ec) {
                                bind_to(fd, address, ec);
                              }
                              if (!ec) {
                                check(::listen(fd, listen_backlog), ec);
                              }
                            });
  }

  /// Starts a non-blocking connect. EINPROGRESS is success: the outcome arrives as a writable (or
  /// error / write_closed) event, after which peer_addr/take_error tell whether it connected.
  static FileDescriptor connect(const net::SocketAddr& address, std::error_code& ec) noexcept {
    return open_socket_with(RawSocketAddr(address).family(), SOCK_STREAM, ec,
                            [&address, &ec](int fd) { start_connect(fd, address, ec); });
  }

  /// A new TCP socket of `address`'s family (IPv4 or IPv6), neither bound nor connected.
  static FileDescriptor open(const net::SocketAddr& address, std::error_code& ec) noexcept {
    return open_socket(RawSocketAddr(address).family(), SOCK_STREAM, ec);
  }

  static void bind_to(int fd, const net::SocketAddr& address, std::error_code& ec) noexcept {
    const RawSocketAddr raw(address);
    check(::bind(fd, raw.get(), raw.length), ec);
  }

  /// listen(2). A backlog the OS's int cannot hold is std::errc::invalid_argument; the OS caps a
  /// large one at its maximum (somaxconn).
  static void listen(int fd, std::uint32_t backlog, std::error_code& ec) noexcept {
    if (backlog > INT_MAX) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return;
    }
    check(::listen(fd, static_cast<int>(backlog)), ec);
  }

  static void start_connect(int fd, const net::SocketAddr& address, std::error_code& ec) noexcept {
    const RawSocketAddr raw(address);
    posix::start_connect(fd, raw.get(), raw.length, ec);
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
