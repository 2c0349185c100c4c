// TcpStream: a non-blocking TCP connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../sys/sys.hpp"
#include "socket_addr.hpp"
#include "stream_socket.hpp"
#include "tcp_socket_base.hpp"

namespace miocpp::net {

/// A non-blocking TCP stream, from TcpStream::connect, TcpSocket::connect or
/// TcpListener::accept.
///
/// Reading, writing and shutdown are StreamSocket's (shared with UnixStream); the options are
/// TcpSocketBase's.
///
/// On WASI preview1 a stream comes from TcpListener::accept or from_native; read, write, their
/// vectored forms, peek and shutdown work (sock_recv, sock_send, sock_shutdown), while connect,
/// peer_addr, local_addr, every socket option and take_error report `std::errc::not_supported`.
class TcpStream : public StreamSocket<TcpSocketBase> {
 public:
  TcpStream() noexcept = default;

  /// Starts connecting to `address` without waiting. The connection is not established yet when
  /// this returns. To learn the outcome, register for Interest::writable and, on the writable (or
  /// write_closed/error) event:
  ///   1. take_error(): a non-empty code is the reason the connect failed;
  ///   2. peer_addr(): success means connected; std::errc::not_connected means not yet, so wait
  ///      for the next event.
  static TcpStream connect(const SocketAddr& address, std::error_code& ec) noexcept {
    return TcpStream(sys::Tcp::connect(address, ec));
  }

  /// Adopts a socket (which should already be non-blocking, e.g. from another library).
  static TcpStream from_native(native_handle_type socket) noexcept {
    return TcpStream(sys::Socket(socket));
  }

  /// The address of the other end. `std::errc::not_connected` while a connect is still in
  /// progress or after it failed (see connect), and once the connection is gone on some systems.
  [[nodiscard]] SocketAddr peer_addr(std::error_code& ec) const noexcept {
    return sys::Sockets::peer_addr(native_handle(), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (`std::errc::operation_would_block` included).
  static TcpStream connect(const SocketAddr& address) {
    return miocpp::detail::or_throw("miocpp::net::TcpStream::connect",
                                    [&](std::error_code& ec) { return connect(address, ec); });
  }
  [[nodiscard]] SocketAddr peer_addr() const {
    return miocpp::detail::or_throw("miocpp::net::TcpStream::peer_addr",
                                    [&](std::error_code& ec) { return peer_addr(ec); });
  }
  /// @}
#endif

 private:
  friend class TcpListener;
  friend class TcpSocket;

  explicit TcpStream(sys::Socket socket) noexcept : StreamSocket(std::move(socket)) {}
};

}  // namespace miocpp::net
