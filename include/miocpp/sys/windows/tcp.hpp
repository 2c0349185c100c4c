// TCP sockets on Winsock: listen, connect, accept, and the steps of net::TcpSocket (open, bind,
// listen, connect).
#pragma once

#include <climits>
#include <cstdint>
#include <system_error>

#include "../../net/socket_addr.hpp"
#include "error.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// concepts::Tcp over SOCKETs.
struct Tcp {
  /// A listening socket on `address`. No SO_REUSEADDR: on Windows it lets another socket bind the
  /// same port and steal connections; a port in TIME_WAIT is reusable without it there.
  static Socket bind(const net::SocketAddr& address, std::error_code& ec) noexcept {
    return open_socket_with(RawSocketAddr(address).family(), SOCK_STREAM, ec,
                            [&address, &ec](SOCKET socket) {
                              bind_to(socket, address, ec);
                              if (!ec) {
                                check(::listen(socket, listen_backlog), ec);
                              }
                            });
  }

  /// Starts a non-blocking connect: see start_connect.
  static Socket connect(const net::SocketAddr& address, std::error_code& ec) noexcept {
    return open_socket_with(RawSocketAddr(address).family(), SOCK_STREAM, ec,
                            [&address, &ec](SOCKET socket) { start_connect(socket, address, ec); });
  }

  /// A new TCP socket of `address`'s family (IPv4 or IPv6), neither bound nor connected.
  static Socket open(const net::SocketAddr& address, std::error_code& ec) noexcept {
    return open_socket(RawSocketAddr(address).family(), SOCK_STREAM, ec);
  }

  static void bind_to(SOCKET socket, const net::SocketAddr& address, std::error_code& ec) noexcept {
    const RawSocketAddr raw(address);
    check(::bind(socket, raw.get(), raw.length), ec);
  }

  /// listen(). Winsock reads a negative backlog as SOMAXCONN_HINT, so a backlog the int cannot
  /// hold is std::errc::invalid_argument; INT_MAX is SOMAXCONN, the provider's maximum, and the
  /// provider caps any other large one.
  static void listen(SOCKET socket, std::uint32_t backlog, std::error_code& ec) noexcept {
    if (backlog > INT_MAX) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return;
    }
    check(::listen(socket, static_cast<int>(backlog)), ec);
  }

  /// Starts a non-blocking connect. WSAEWOULDBLOCK is success: the outcome arrives as a writable
  /// (or error / write_closed) event, after which peer_addr/take_error tell whether it connected.
  static void start_connect(SOCKET socket, const net::SocketAddr& address,
                            std::error_code& ec) noexcept {
    const RawSocketAddr raw(address);
    if (::connect(socket, raw.get(), raw.length) == SOCKET_ERROR &&
        ::WSAGetLastError() != WSAEWOULDBLOCK) {
      ec = last_socket_error();
      return;
    }
    ec.clear();
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
