// StreamSocket: the byte-stream calls TcpStream and UnixStream share -- read, peek, write, their
// vectored forms and shutdown -- written once.
#pragma once

#include <cstddef>
#include <span>
#include <system_error>

#include "../detail/throw_error.hpp"
#include "../io_slice.hpp"
#include "../sys/sys.hpp"
#include "shutdown.hpp"

namespace miocpp::net {

/// The connected-stream half of TcpStream (over IpSocketBase) and UnixStream (over
/// UnixSocketBase).
///
/// Reads and writes report `std::errc::operation_would_block` when they cannot proceed; then wait
/// for the next readable / writable event. A read of 0 bytes means the peer closed its side, or
/// that the buffers were empty: a read into no room completes with 0 on every backend, even when
/// nothing is queued (where the OS would say would-block), while real errors still come through.
/// Writes never raise SIGPIPE: a closed peer gives `std::errc::broken_pipe` (or
/// `connection_reset`).
template <class Base>
class StreamSocket : public Base {
 public:
  using Base::Base;
  using typename Base::native_handle_type;

  /// Runs your own system call on the socket as miocpp runs its own I/O, so that backends that
  /// re-arm after `std::errc::operation_would_block` do so (see OwnedSource::try_io).
  using Base::try_io;

  /// Reads into `buffer`; 0 means end-of-stream (or an empty buffer).
  std::size_t read(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return this->do_stream_io(
        [buffer](native_handle_type s, std::error_code& op_ec) {
          const std::size_t count = sys::Sockets::receive(s, buffer, op_ec);
          if (op_ec) {
            no_room_is_not_blocking(buffer.empty(), op_ec);
          }
          return count;
        },
        buffer.size(), ec);
  }

  /// Reads into `buffer` but leaves the bytes queued for the next read; 0 as for read().
  std::size_t peek(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return this->do_io(
        [buffer](native_handle_type s, std::error_code& op_ec) {
          const std::size_t count = sys::Sockets::peek(s, buffer, op_ec);
          if (op_ec) {
            no_room_is_not_blocking(buffer.empty(), op_ec);
          }
          return count;
        },
        ec);
  }

  /// Writes some of `bytes` (maybe not all: check the count).
  std::size_t write(std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    return this->do_stream_io(
        [bytes](native_handle_type s, std::error_code& op_ec) {
          return sys::Sockets::send(s, bytes, op_ec);
        },
        bytes.size(), ec);
  }

  /// Reads into several buffers in order with one system call; 0 as for read(). No slices, or
  /// slices of 0 bytes in all, read 0 too (never would-block): that 0 is not end-of-stream.
  std::size_t read_vectored(std::span<IoSliceMut> slices, std::error_code& ec) noexcept {
    const std::size_t requested = miocpp::detail::total_size(slices);
    return this->do_stream_io(
        [slices, requested](native_handle_type s, std::error_code& op_ec) {
          const std::size_t count =
              sys::Sockets::receive_vectored(s, miocpp::detail::as_io_vecs(slices), op_ec);
          if (op_ec) {
            no_room_is_not_blocking(requested == 0, op_ec);
          }
          return count;
        },
        requested, ec);
  }

  /// Writes from several buffers in order with one system call.
  std::size_t write_vectored(std::span<const IoSlice> slices, std::error_code& ec) noexcept {
    return this->do_stream_io(
        [slices](native_handle_type s, std::error_code& op_ec) {
          return sys::Sockets::send_vectored(s, miocpp::detail::as_io_vecs(slices), op_ec);
        },
        miocpp::detail::total_size(slices), ec);
  }

  /// Closes the read half, the write half (the peer reads end-of-stream) or both.
  void shutdown(Shutdown how, std::error_code& ec) noexcept {
    sys::Sockets::shutdown(this->native_handle(), how, ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (`std::errc::operation_would_block` included).
  std::size_t read(std::span<std::byte> buffer) {
    return miocpp::detail::or_throw("miocpp::net::StreamSocket::read",
                                    [&](std::error_code& ec) { return read(buffer, ec); });
  }
  /// peek() without `ec`: throws `std::system_error` with the code it reports.
  std::size_t peek(std::span<std::byte> buffer) {
    return miocpp::detail::or_throw("miocpp::net::StreamSocket::peek",
                                    [&](std::error_code& ec) { return peek(buffer, ec); });
  }
  /// write() without `ec`: throws `std::system_error` with the code it reports.
  std::size_t write(std::span<const std::byte> bytes) {
    return miocpp::detail::or_throw("miocpp::net::StreamSocket::write",
                                    [&](std::error_code& ec) { return write(bytes, ec); });
  }
  /// read_vectored() without `ec`: throws `std::system_error` with the code it reports.
  std::size_t read_vectored(std::span<IoSliceMut> slices) {
    return miocpp::detail::or_throw("miocpp::net::StreamSocket::read_vectored",
                                    [&](std::error_code& ec) { return read_vectored(slices, ec); });
  }
  /// write_vectored() without `ec`: throws `std::system_error` with the code it reports.
  std::size_t write_vectored(std::span<const IoSlice> slices) {
    return miocpp::detail::or_throw(
        "miocpp::net::StreamSocket::write_vectored",
        [&](std::error_code& ec) { return write_vectored(slices, ec); });
  }
  /// shutdown() without `ec`: throws `std::system_error` with the code it reports.
  void shutdown(Shutdown how) {
    miocpp::detail::or_throw("miocpp::net::StreamSocket::shutdown",
                             [&](std::error_code& ec) { shutdown(how, ec); });
  }
  /// @}
#endif

 private:
  // A read with no room completes at once with 0 even when nothing is queued (Linux and Windows
  // answer would-block there), so "a zero-length read is valid" holds on every backend. Real
  // errors (a closed handle, a reset) still come through.
  static void no_room_is_not_blocking(bool no_room, std::error_code& ec) noexcept {
    if (no_room && ec == std::errc::operation_would_block) {
      ec.clear();
    }
  }
};

}  // namespace miocpp::net
