// posix::pipe: a unidirectional, non-blocking pipe whose ends are event sources.
#pragma once

#include <cstddef>
#include <span>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../interest.hpp"
#include "../io_slice.hpp"
#include "../owned_source.hpp"
#include "../registry.hpp"
#include "../sys/sys.hpp"
#include "../token.hpp"

/// Unix pipes as event sources: create() opens one, Sender and Receiver are its ends. On WASI,
/// where a pipe cannot be created, ends are adopted with from_native; on Windows every call
/// reports `std::errc::not_supported`.
namespace miocpp::posix::pipe {

/// What both ends share: an owned descriptor behind an IoSource, and their registration. The base
/// of Sender and Receiver.
class End : public OwnedSource<sys::FileDescriptor> {
 public:
  using OwnedSource::OwnedSource;

  /// Runs `operation(ec)`, a system call of your own on native_handle() (splice, vmsplice,
  /// tee, ...), as miocpp runs its own I/O, so that the backends that re-arm the registration
  /// after `std::errc::operation_would_block` do so (see OwnedSource::try_io).
  using OwnedSource::try_io;

  /// Blocking mode is for handing the descriptor to code that expects it; miocpp needs
  /// non-blocking descriptors, which is how create() makes them.
  void set_nonblocking(bool nonblocking, std::error_code& ec) noexcept {
    sys::Pipes::set_nonblocking(native_handle(), nonblocking, ec);
  }
#if MIOCPP_HAS_EXCEPTIONS
  /// set_nonblocking(), throwing `std::system_error` with the code the overload taking `ec`
  /// reports.
  void set_nonblocking(bool nonblocking) {
    miocpp::detail::or_throw("miocpp::posix::pipe::set_nonblocking",
                             [&](std::error_code& ec) { set_nonblocking(nonblocking, ec); });
  }
#endif
};

/// The writing end. Register it for Interest::writable; a write_closed event means the reading
/// end is gone. Writing then fails with `std::errc::broken_pipe` -- and, as for every pipe, raises
/// SIGPIPE unless the program ignores that signal (most servers do: `signal(SIGPIPE, SIG_IGN)`).
class Sender : public End {
 public:
  /// End's constructors: empty by default (every call reports
  /// `std::errc::bad_file_descriptor`), or taking ownership of a descriptor of the backend's
  /// owning type (see from_native for a raw one).
  using End::End;

  /// Adopts a descriptor (which should be non-blocking).
  static Sender from_native(native_handle_type fd) noexcept {
    return Sender(sys::FileDescriptor(fd));
  }

  /// Writes some of `bytes` and returns how many (maybe fewer than all: write the rest after the
  /// next writable event); `std::errc::operation_would_block` when the pipe is full,
  /// `std::errc::broken_pipe` when the reading end is gone. Writes of up to PIPE_BUF bytes are
  /// atomic.
  std::size_t write(std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    return do_stream_io(
        [bytes](int fd, std::error_code& op_ec) { return sys::Pipes::write(fd, bytes, op_ec); },
        bytes.size(), ec);
  }

  /// Writes from several buffers in order with one writev.
  std::size_t write_vectored(std::span<const IoSlice> slices, std::error_code& ec) noexcept {
    return do_stream_io(
        [slices](int fd, std::error_code& op_ec) {
          return sys::Pipes::write_vectored(fd, miocpp::detail::as_io_vecs(slices), op_ec);
        },
        miocpp::detail::total_size(slices), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (would-block included).
  std::size_t write(std::span<const std::byte> bytes) {
    return miocpp::detail::or_throw("miocpp::posix::pipe::Sender::write",
                                    [&](std::error_code& ec) { return write(bytes, ec); });
  }
  std::size_t write_vectored(std::span<const IoSlice> slices) {
    return miocpp::detail::or_throw(
        "miocpp::posix::pipe::Sender::write_vectored",
        [&](std::error_code& ec) { return write_vectored(slices, ec); });
  }
  /// @}
#endif
};

/// The reading end. Register it for Interest::readable; read until
/// `std::errc::operation_would_block`. A read of 0 bytes (with read_closed reported) means every
/// writer is gone.
class Receiver : public End {
 public:
  /// End's constructors: empty by default (every call reports
  /// `std::errc::bad_file_descriptor`), or taking ownership of a descriptor of the backend's
  /// owning type (see from_native for a raw one).
  using End::End;

  /// Adopts a descriptor (which should be non-blocking).
  static Receiver from_native(native_handle_type fd) noexcept {
    return Receiver(sys::FileDescriptor(fd));
  }

  /// Reads into `buffer` and returns how many bytes came; 0 means every writer is gone (or
  /// `buffer` is empty). `std::errc::operation_would_block` when the pipe is empty: wait for the
  /// next readable event.
  std::size_t read(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return do_stream_io(
        [buffer](int fd, std::error_code& op_ec) { return sys::Pipes::read(fd, buffer, op_ec); },
        buffer.size(), ec);
  }

  /// Reads into several buffers in order with one readv; 0 as for read(). No slices, or slices
  /// of 0 bytes, also read 0: that 0 does not mean the writers are gone.
  std::size_t read_vectored(std::span<IoSliceMut> slices, std::error_code& ec) noexcept {
    return do_stream_io(
        [slices](int fd, std::error_code& op_ec) {
          return sys::Pipes::read_vectored(fd, miocpp::detail::as_io_vecs(slices), op_ec);
        },
        miocpp::detail::total_size(slices), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (would-block included).
  std::size_t read(std::span<std::byte> buffer) {
    return miocpp::detail::or_throw("miocpp::posix::pipe::Receiver::read",
                                    [&](std::error_code& ec) { return read(buffer, ec); });
  }
  std::size_t read_vectored(std::span<IoSliceMut> slices) {
    return miocpp::detail::or_throw("miocpp::posix::pipe::Receiver::read_vectored",
                                    [&](std::error_code& ec) { return read_vectored(slices, ec); });
  }
  /// @}
#endif
};

/// Opens a pipe: both ends non-blocking and close-on-exec (one pipe2 call where the OS has it).
/// Errors are pipe(2)'s (`std::errc::too_many_files_open`, ...); WASI cannot create pipes and
/// reports `std::errc::not_supported`. On error both ends are empty.
inline std::pair<Sender, Receiver> create(std::error_code& ec) noexcept {
  auto [read_end, write_end] = sys::Pipes::open(ec);
  return {Sender(std::move(write_end)), Receiver(std::move(read_end))};
}

#if MIOCPP_HAS_EXCEPTIONS
/// create(), throwing `std::system_error` with the code the overload taking `ec` reports.
inline std::pair<Sender, Receiver> create() {
  return miocpp::detail::or_throw("miocpp::posix::pipe::create",
                                  [](std::error_code& ec) { return create(ec); });
}
#endif

}  // namespace miocpp::posix::pipe
