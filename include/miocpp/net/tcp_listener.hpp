// TcpListener: a non-blocking TCP server socket.
#pragma once

#include <cstdint>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../sys/sys.hpp"
#include "socket_addr.hpp"
#include "tcp_socket_base.hpp"
#include "tcp_stream.hpp"

namespace miocpp::net {

/// A listening TCP socket. Register it for Interest::readable and, on each event, accept until
/// `std::errc::operation_would_block`.
///
/// WASI preview1 cannot create a socket: there bind reports `std::errc::not_supported`, and a
/// listener is one the runtime pre-opened, adopted with from_native. accept works (sock_accept)
/// but leaves the peer address unspecified (0.0.0.0:0); local_addr and the socket options report
/// not_supported.
class TcpListener : public TcpSocketBase {
 public:
  TcpListener() noexcept = default;

  /// Binds and listens on `address` (port 0 picks a free port: see local_addr). SO_REUSEADDR is
  /// set (not on Windows: see set_reuse_address); the backlog is the system maximum where the OS
  /// allows it, else 128. For other options or another backlog, build it with TcpSocket.
  static TcpListener bind(const SocketAddr& address, std::error_code& ec) noexcept {
    return TcpListener(sys::Tcp::bind(address, ec));
  }

  /// Adopts a listening socket (which should already be non-blocking).
  static TcpListener from_native(native_handle_type socket) noexcept {
    return TcpListener(sys::Socket(socket));
  }

  /// One pending connection, non-blocking and close-on-exec, with the peer's address. On error
  /// both are empty and the listener keeps working.
  ///
  /// `std::errc::too_many_files_open` (the process is out of descriptors) leaves the connection
  /// pending, and the registration is edge-triggered: no new event comes for the connections
  /// already waiting (on epoll and kqueue the next one to arrive brings one; on poll(2) not even
  /// that). Call accept again yourself once you have freed descriptors (after closing a
  /// connection, or on a timer).
  std::pair<TcpStream, SocketAddr> accept(std::error_code& ec) noexcept {
    auto [socket, peer] = accept_socket<SocketAddr, &sys::Tcp::accept>(ec);
    return {TcpStream(std::move(socket)), peer};
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (`std::errc::operation_would_block` included).
  static TcpListener bind(const SocketAddr& address) {
    return miocpp::detail::or_throw("miocpp::net::TcpListener::bind",
                                    [&](std::error_code& ec) { return bind(address, ec); });
  }
  std::pair<TcpStream, SocketAddr> accept() {
    return miocpp::detail::or_throw("miocpp::net::TcpListener::accept",
                                    [&](std::error_code& ec) { return accept(ec); });
  }
  /// @}
#endif

 private:
  friend class TcpSocket;

  explicit TcpListener(sys::Socket socket) noexcept : TcpSocketBase(std::move(socket)) {}
};

}  // namespace miocpp::net
