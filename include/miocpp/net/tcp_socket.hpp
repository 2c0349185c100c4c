// TcpSocket: a TCP socket before it listens or connects, where the options that must come first
// (address and port reuse, IPv6-only, buffer sizes, a source address) are set.
#pragma once

#include <cstdint>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../sys/sys.hpp"
#include "ip_addr.hpp"
#include "socket_addr.hpp"
#include "tcp_listener.hpp"
#include "tcp_socket_base.hpp"
#include "tcp_stream.hpp"

namespace miocpp::net {

/// A non-blocking, close-on-exec TCP socket that is neither listening nor connected: the builder
/// of a TcpListener (set options, bind, listen) or of a TcpStream (set options, maybe bind a
/// source address, connect).
///
///     auto socket = net::TcpSocket::for_address(address);
///     socket.set_reuse_port(true);
///     socket.bind(address);
///     net::TcpListener listener = socket.listen(1024);
///
/// listen and connect hand the socket over: on success the TcpSocket is left empty; on error it
/// keeps its socket. It is not an event source (register the listener or stream it becomes).
/// Every option of TcpSocketBase, IpSocketBase and SocketBase can be set on it. On WASI
/// preview 1 and the shell, which cannot create a socket, the factories report
/// `std::errc::not_supported`.
class TcpSocket : public TcpSocketBase {
 public:
  TcpSocket() noexcept = default;

  /// A new IPv4 socket.
  static TcpSocket v4(std::error_code& ec) noexcept {
    return for_address(SocketAddr(Ipv4Addr::unspecified(), 0), ec);
  }
  /// A new IPv6 socket.
  static TcpSocket v6(std::error_code& ec) noexcept {
    return for_address(SocketAddr(Ipv6Addr::unspecified(), 0), ec);
  }
  /// A new socket of `address`'s family (IPv4 or IPv6): the one to bind or connect it to.
  static TcpSocket for_address(const SocketAddr& address, std::error_code& ec) noexcept {
    return TcpSocket(sys::Tcp::open(address, ec));
  }

  /// Binds the socket to `address` (port 0 picks a free port: see local_addr), as a listener's
  /// address or a connection's source address. Errors: `address_in_use`, `address_not_available`,
  /// `permission_denied` (a port below 1024), `invalid_argument` (bound already).
  void bind(const SocketAddr& address, std::error_code& ec) noexcept {
    sys::Tcp::bind_to(native_handle(), address, ec);
  }

  /// Starts listening with a queue of `backlog` connections not yet accepted (the OS caps it at
  /// its maximum, net.core.somaxconn on Linux; above INT_MAX is `std::errc::invalid_argument`),
  /// and hands the socket to the returned TcpListener. On POSIX systems an unbound socket gets a
  /// free port; Windows refuses to listen on one (`std::errc::invalid_argument`): bind first.
  TcpListener listen(std::uint32_t backlog, std::error_code& ec) noexcept {
    sys::Tcp::listen(native_handle(), backlog, ec);
    return ec ? TcpListener() : TcpListener(take_socket());
  }

  /// Starts connecting to `address` without waiting and hands the socket to the returned
  /// TcpStream: learn the outcome as TcpStream::connect says.
  TcpStream connect(const SocketAddr& address, std::error_code& ec) noexcept {
    sys::Tcp::start_connect(native_handle(), address, ec);
    return ec ? TcpStream() : TcpStream(take_socket());
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports.
  static TcpSocket v4() {
    return miocpp::detail::or_throw("miocpp::net::TcpSocket::v4",
                                    [&](std::error_code& ec) { return v4(ec); });
  }
  static TcpSocket v6() {
    return miocpp::detail::or_throw("miocpp::net::TcpSocket::v6",
                                    [&](std::error_code& ec) { return v6(ec); });
  }
  static TcpSocket for_address(const SocketAddr& address) {
    return miocpp::detail::or_throw("miocpp::net::TcpSocket::for_address",
                                    [&](std::error_code& ec) { return for_address(address, ec); });
  }
  void bind(const SocketAddr& address) {
    miocpp::detail::or_throw("miocpp::net::TcpSocket::bind",
                             [&](std::error_code& ec) { bind(address, ec); });
  }
  TcpListener listen(std::uint32_t backlog) {
    return miocpp::detail::or_throw("miocpp::net::TcpSocket::listen",
                                    [&](std::error_code& ec) { return listen(backlog, ec); });
  }
  TcpStream connect(const SocketAddr& address) {
    return miocpp::detail::or_throw("miocpp::net::TcpSocket::connect",
                                    [&](std::error_code& ec) { return connect(address, ec); });
  }
  /// @}
#endif

 private:
  // Not an event source: a registration would stay behind with the socket it hands over.
  using TcpSocketBase::deregister;
  using TcpSocketBase::register_source;
  using TcpSocketBase::reregister;

  explicit TcpSocket(sys::Socket socket) noexcept : TcpSocketBase(std::move(socket)) {}

  sys::Socket take_socket() noexcept {
    return sys::Socket(release());
  }
};

}  // namespace miocpp::net
