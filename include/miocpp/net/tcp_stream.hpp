// TcpStream: a non-blocking TCP connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../io_slice.hpp"
#include "../sys/sys.hpp"
#include "detail/inet_socket.hpp"
#include "shutdown.hpp"
#include "socket_addr.hpp"

namespace miocpp::net {

/// A non-blocking TCP stream, from TcpStream::connect or TcpListener::accept.
///
/// Reads and writes report `std::errc::operation_would_block` when they cannot proceed; then wait
/// for the next readable / writable event. A read of 0 bytes means the peer closed its side.
/// Writes never raise SIGPIPE: a closed peer gives `std::errc::broken_pipe` (or
/// `connection_reset`).
///
/// On WASI preview1 a stream comes from TcpListener::accept or from_native; read, write, their
/// vectored forms, peek and shutdown work (sock_recv, sock_send, sock_shutdown), while connect,
/// peer_addr, local_addr, nodelay, the TTL and take_error report `std::errc::not_supported`.
class TcpStream : public detail::InetSocket {
 public:
  TcpStream() noexcept = default;

  /// Runs your own system call on the socket as miocpp runs its own I/O, so that backends that
  /// re-arm after `std::errc::operation_would_block` do so (see net::detail::Socket::try_io).
  using InetSocket::try_io;

  /// Starts connecting to `address` without waiting. The connection is not established yet when
  /// this returns. To learn the outcome, register for Interest::writable and, on the writable (or
  /// write_closed/error) event:
  ///   1. take_error(): a non-empty code is the reason the connect failed;
  ///   2. peer_addr(): success means connected; std::errc::not_connected means not yet, so wait
  ///      for the next event.
  static TcpStream connect(const SocketAddr& address, std::error_code& ec) noexcept {
    return TcpStream(sys::tcp::connect(address, ec));
  }

  /// Adopts a socket (which should already be non-blocking, e.g. from another library).
  static TcpStream from_native(native_handle_type socket) noexcept {
    return TcpStream(sys::Socket(socket));
  }

  /// The address of the other end. `std::errc::not_connected` while a connect is still in
  /// progress or after it failed (see connect), and once the connection is gone on some systems.
  [[nodiscard]] SocketAddr peer_addr(std::error_code& ec) const noexcept {
    return sys::peer_addr(native_handle(), ec);
  }

  /// Closes the read half, the write half (the peer reads end-of-stream) or both.
  void shutdown(Shutdown how, std::error_code& ec) noexcept {
    sys::shutdown(native_handle(), how, ec);
  }

  /// TCP_NODELAY: send small segments at once instead of coalescing them (Nagle's algorithm).
  void set_nodelay(bool nodelay, std::error_code& ec) noexcept {
    sys::tcp::set_nodelay(native_handle(), nodelay, ec);
  }
  /// Whether TCP_NODELAY is set (off by default).
  [[nodiscard]] bool nodelay(std::error_code& ec) const noexcept {
    return sys::tcp::nodelay(native_handle(), ec);
  }

  /// Reads into `buffer`; 0 means end-of-stream (or an empty buffer).
  std::size_t read(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return do_io(
        [buffer](native_handle_type s, std::error_code& op_ec) {
          return sys::receive_stream(s, buffer, 0, op_ec);
        },
        ec);
  }

  /// Reads into `buffer` but leaves the bytes queued for the next read; 0 as for read().
  std::size_t peek(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return do_io([buffer](native_handle_type s,
                          std::error_code& op_ec) { return sys::peek_stream(s, buffer, op_ec); },
                 ec);
  }

  /// Writes some of `bytes` (maybe not all: check the count).
  std::size_t write(std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    return do_io([bytes](native_handle_type s,
                         std::error_code& op_ec) { return sys::send_bytes(s, bytes, 0, op_ec); },
                 ec);
  }

  /// Reads into several buffers in order with one system call.
  std::size_t read_vectored(std::span<IoSliceMut> slices, std::error_code& ec) noexcept {
    return do_io(
        [slices](native_handle_type s, std::error_code& op_ec) {
          return sys::receive_vectored(s, miocpp::detail::as_io_vecs(slices), op_ec);
        },
        ec);
  }

  /// Writes from several buffers in order with one system call.
  std::size_t write_vectored(std::span<const IoSlice> slices, std::error_code& ec) noexcept {
    return do_io(
        [slices](native_handle_type s, std::error_code& op_ec) {
          return sys::send_vectored(s, miocpp::detail::as_io_vecs(slices), op_ec);
        },
        ec);
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
  void shutdown(Shutdown how) {
    miocpp::detail::or_throw("miocpp::net::TcpStream::shutdown",
                             [&](std::error_code& ec) { shutdown(how, ec); });
  }
  void set_nodelay(bool nodelay) {
    miocpp::detail::or_throw("miocpp::net::TcpStream::set_nodelay",
                             [&](std::error_code& ec) { set_nodelay(nodelay, ec); });
  }
  [[nodiscard]] bool nodelay() const {
    return miocpp::detail::or_throw("miocpp::net::TcpStream::nodelay",
                                    [&](std::error_code& ec) { return nodelay(ec); });
  }
  std::size_t read(std::span<std::byte> buffer) {
    return miocpp::detail::or_throw("miocpp::net::TcpStream::read",
                                    [&](std::error_code& ec) { return read(buffer, ec); });
  }
  std::size_t peek(std::span<std::byte> buffer) {
    return miocpp::detail::or_throw("miocpp::net::TcpStream::peek",
                                    [&](std::error_code& ec) { return peek(buffer, ec); });
  }
  std::size_t write(std::span<const std::byte> bytes) {
    return miocpp::detail::or_throw("miocpp::net::TcpStream::write",
                                    [&](std::error_code& ec) { return write(bytes, ec); });
  }
  std::size_t read_vectored(std::span<IoSliceMut> slices) {
    return miocpp::detail::or_throw("miocpp::net::TcpStream::read_vectored",
                                    [&](std::error_code& ec) { return read_vectored(slices, ec); });
  }
  std::size_t write_vectored(std::span<const IoSlice> slices) {
    return miocpp::detail::or_throw(
        "miocpp::net::TcpStream::write_vectored",
        [&](std::error_code& ec) { return write_vectored(slices, ec); });
  }
  /// @}
#endif

 private:
  friend class TcpListener;

  explicit TcpStream(sys::Socket socket) noexcept : InetSocket(std::move(socket)) {}
};

}  // namespace miocpp::net
