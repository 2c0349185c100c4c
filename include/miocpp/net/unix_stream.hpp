// UnixStream: a non-blocking Unix-domain stream connection.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../posix/owned_fd.hpp"
#include "../sys/sys.hpp"
#include "received_with_fds.hpp"
#include "stream_socket.hpp"
#include "unix_socket_addr.hpp"
#include "unix_socket_base.hpp"

namespace miocpp::net {

/// A non-blocking Unix-domain stream socket, from UnixStream::connect, UnixStream::pair or
/// UnixListener::accept.
///
/// Reading, writing and shutdown are StreamSocket's (shared with TcpStream).
///
/// On Linux, macOS, the BSDs and other POSIX systems; on Windows and WASI every call reports
/// `std::errc::not_supported`.
class UnixStream : public StreamSocket<UnixSocketBase> {
 public:
  /// Empty: every call reports std::errc::bad_file_descriptor.
  UnixStream() noexcept = default;

  /// Connects to the socket at `path` (a leading NUL byte makes the rest an abstract name, see
  /// UnixSocketAddr::from_path). A missing path is std::errc::no_such_file_or_directory, a
  /// socket nobody listens on std::errc::connection_refused. On Linux the connection is
  /// established when this returns (std::errc::operation_would_block means the listener's
  /// backlog is full); on other systems it may still be in progress, so wait for a writable
  /// event before the first write, as with TcpStream::connect.
  static UnixStream connect(std::string_view path, std::error_code& ec) noexcept {
    return with_path<UnixStream>(path, ec, connect_addr);
  }

  /// connect() to an address.
  static UnixStream connect_addr(const UnixSocketAddr& address, std::error_code& ec) noexcept {
    return UnixStream(sys::Uds::connect_stream(address, ec));
  }

  /// Two connected, unnamed streams (socketpair): what one end writes the other reads.
  static std::pair<UnixStream, UnixStream> pair(std::error_code& ec) noexcept {
    sys::Socket first;
    sys::Socket second;
    sys::Uds::stream_pair(first, second, ec);
    return {UnixStream(std::move(first)), UnixStream(std::move(second))};
  }

  /// Adopts a connected Unix stream socket (which should already be non-blocking).
  static UnixStream from_native(native_handle_type socket) noexcept {
    return UnixStream(sys::Socket(socket));
  }

  /// The other end's address (the listener's path for a connecting client; unnamed for the
  /// ends of pair()). std::errc::not_connected when there is no peer.
  [[nodiscard]] UnixSocketAddr peer_addr(std::error_code& ec) const noexcept {
    return sys::Uds::peer_addr(native_handle(), ec);
  }

  /// Writes some of `bytes` with one sendmsg that carries the descriptors `fds` (SCM_RIGHTS), and
  /// returns how many bytes went. The peer gets new descriptors for the same open files (yours
  /// stay open: close them when you no longer need them), with the first byte: a short send
  /// still delivered them all, so write the rest with write(). `bytes` must not be empty when
  /// `fds` is not (descriptors travel with a byte), and `fds` holds at most max_fds_per_message:
  /// otherwise std::errc::invalid_argument, and nothing is sent. When the socket's buffer is full
  /// it is std::errc::operation_would_block, and nothing is sent, descriptors included.
  std::size_t send_with_fds(std::span<const std::byte> bytes, std::span<const int> fds,
                            std::error_code& ec) noexcept {
    if (bytes.empty() && !fds.empty()) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return 0;
    }
    return send_fds(bytes, fds, nullptr, true, ec);
  }

  /// Reads into `buffer` with one recvmsg, and takes the descriptors sent with those bytes into
  /// the first slots of `fds` (a slot's old descriptor is closed), close-on-exec; returns the
  /// bytes read and the descriptors received. 0 bytes means end-of-stream, as for read(), so
  /// `buffer` must not be empty (std::errc::invalid_argument).
  ///
  /// The data is never lost. When the sender sent more descriptors than `fds` holds (or than
  /// max_fds_per_message), every descriptor of this call is closed, none is reported and the call
  /// reports std::errc::message_size; the bytes are still in `buffer` and counted in `.bytes` (by
  /// this overload: the throwing one cannot give the count, so use this one when a peer may send
  /// too many). Any other error receives nothing.
  ///
  /// A read ends with the bytes that came with descriptors, even when more are queued, and on
  /// epoll and kqueue those bring no new event: after a read that brought descriptors, read
  /// again until std::errc::operation_would_block (the rule "a short read means drained" does
  /// not hold here). read() on bytes that came with descriptors reads them, and the OS closes
  /// the descriptors.
  ReceivedWithFds recv_with_fds(std::span<std::byte> buffer, std::span<posix::OwnedFd> fds,
                                std::error_code& ec) noexcept {
    if (buffer.empty()) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return {};
    }
    return receive_fds(buffer, fds, true, ec);
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
  std::size_t send_with_fds(std::span<const std::byte> bytes, std::span<const int> fds) {
    return miocpp::detail::or_throw(
        "miocpp::net::UnixStream::send_with_fds",
        [&](std::error_code& ec) { return send_with_fds(bytes, fds, ec); });
  }
  ReceivedWithFds recv_with_fds(std::span<std::byte> buffer, std::span<posix::OwnedFd> fds) {
    return miocpp::detail::or_throw(
        "miocpp::net::UnixStream::recv_with_fds",
        [&](std::error_code& ec) { return recv_with_fds(buffer, fds, ec); });
  }
  /// @}
#endif

 private:
  friend class UnixListener;

  explicit UnixStream(sys::Socket socket) noexcept : StreamSocket(std::move(socket)) {}
};

}  // namespace miocpp::net
