// UnixStream: a non-blocking Unix-domain stream connection.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../io_slice.hpp"
#include "../sys/sys.hpp"
#include "detail/unix_socket.hpp"
#include "shutdown.hpp"
#include "unix_socket_addr.hpp"

namespace miocpp::net {

/// A non-blocking Unix-domain stream socket, from UnixStream::connect, UnixStream::pair or
/// UnixListener::accept.
///
/// Reads and writes report `std::errc::operation_would_block` when they cannot proceed; then wait
/// for the next readable / writable event. A read of 0 bytes means the peer closed its side.
/// Writes never raise SIGPIPE: a closed peer gives `std::errc::broken_pipe` (or
/// `connection_reset`).
///
/// POSIX only (Linux, macOS, the BSDs, ...): Windows and WASI builds do not have it.
class UnixStream : public detail::UnixSocket {
 public:
  /// Empty: every call reports std::errc::bad_file_descriptor.
  UnixStream() noexcept = default;

  /// Runs your own system call on the socket as miocpp runs its own I/O, so that backends that
  /// re-arm after `std::errc::operation_would_block` do so (see net::detail::Socket::try_io).
  using UnixSocket::try_io;

  /// Connects to the socket at `path` (a leading NUL byte makes the rest an abstract name, see
  /// UnixSocketAddr::from_path). A missing path is std::errc::no_such_file_or_directory, a
  /// socket nobody listens on std::errc::connection_refused. On Linux the connection is
  /// established when this returns (std::errc::operation_would_block means the listener's
  /// backlog is full); on other systems it may still be in progress, so wait for a writable
  /// event before the first write, as with TcpStream::connect.
  static UnixStream connect(std::string_view path, std::error_code& ec) noexcept {
    const UnixSocketAddr address = UnixSocketAddr::from_path(path, ec);
    return ec ? UnixStream() : connect_addr(address, ec);
  }

  /// connect() to an address.
  static UnixStream connect_addr(const UnixSocketAddr& address, std::error_code& ec) noexcept {
    return UnixStream(sys::uds::connect_stream(address, ec));
  }

  /// Two connected, unnamed streams (socketpair): what one end writes the other reads.
  static std::pair<UnixStream, UnixStream> pair(std::error_code& ec) noexcept {
    sys::Socket first;
    sys::Socket second;
    sys::uds::stream_pair(first, second, ec);
    return {UnixStream(std::move(first)), UnixStream(std::move(second))};
  }

  /// Adopts a connected Unix stream socket (which should already be non-blocking).
  static UnixStream from_native(native_handle_type socket) noexcept {
    return UnixStream(sys::Socket(socket));
  }

  /// The other end's address (the listener's path for a connecting client; unnamed for the
  /// ends of pair()). std::errc::not_connected when there is no peer.
  [[nodiscard]] UnixSocketAddr peer_addr(std::error_code& ec) const noexcept {
    return sys::uds::peer_addr(native_handle(), ec);
  }

  /// Closes the read half, the write half (the peer reads end-of-stream) or both.
  void shutdown(Shutdown how, std::error_code& ec) noexcept {
    sys::shutdown(native_handle(), how, ec);
  }

  /// Reads into `buffer`; 0 means end-of-stream (or an empty buffer).
  std::size_t read(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return do_io(
        [buffer](native_handle_type s, std::error_code& op_ec) {
          return sys::receive_stream(s, buffer, 0, op_ec);
        },
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
  static UnixStream connect(std::string_view path) {
    return miocpp::detail::or_throw("miocpp::net::UnixStream::connect",
                                    [&](std::error_code& ec) { return connect(path, ec); });
  }
  static UnixStream connect_addr(const UnixSocketAddr& address) {
    return miocpp::detail::or_throw("miocpp::net::UnixStream::connect_addr",
                                    [&](std::error_code& ec) { return connect_addr(address, ec); });
  }
  static std::pair<UnixStream, UnixStream> pair() {
    return miocpp::detail::or_throw("miocpp::net::UnixStream::pair",
                                    [](std::error_code& ec) { return pair(ec); });
  }
  [[nodiscard]] UnixSocketAddr peer_addr() const {
    return miocpp::detail::or_throw("miocpp::net::UnixStream::peer_addr",
                                    [&](std::error_code& ec) { return peer_addr(ec); });
  }
  void shutdown(Shutdown how) {
    miocpp::detail::or_throw("miocpp::net::UnixStream::shutdown",
                             [&](std::error_code& ec) { shutdown(how, ec); });
  }
  std::size_t read(std::span<std::byte> buffer) {
    return miocpp::detail::or_throw("miocpp::net::UnixStream::read",
                                    [&](std::error_code& ec) { return read(buffer, ec); });
  }
  std::size_t write(std::span<const std::byte> bytes) {
    return miocpp::detail::or_throw("miocpp::net::UnixStream::write",
                                    [&](std::error_code& ec) { return write(bytes, ec); });
  }
  std::size_t read_vectored(std::span<IoSliceMut> slices) {
    return miocpp::detail::or_throw("miocpp::net::UnixStream::read_vectored",
                                    [&](std::error_code& ec) { return read_vectored(slices, ec); });
  }
  std::size_t write_vectored(std::span<const IoSlice> slices) {
    return miocpp::detail::or_throw(
        "miocpp::net::UnixStream::write_vectored",
        [&](std::error_code& ec) { return write_vectored(slices, ec); });
  }
  /// @}
#endif

 private:
  friend class UnixListener;

  explicit UnixStream(sys::Socket socket) noexcept : UnixSocket(std::move(socket)) {}
};

}  // namespace miocpp::net
