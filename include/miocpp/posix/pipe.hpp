// posix::pipe: a unidirectional, non-blocking pipe whose ends are event sources.
#pragma once

#include <cstddef>
#include <span>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../interest.hpp"
#include "../io_slice.hpp"
#include "../io_source.hpp"
#include "../registry.hpp"
#include "../sys/sys.hpp"
#include "../token.hpp"

namespace miocpp::posix::pipe {

namespace detail {

/// What both ends share: an owned descriptor behind an IoSource, and their registration.
class End {
 public:
  using native_handle_type = sys::native_handle_type;

  End() noexcept = default;
  explicit End(sys::FileDescriptor fd) noexcept : source_(std::move(fd)) {}

  [[nodiscard]] native_handle_type native_handle() const noexcept {
    return source_.handle().native_handle();
  }

  /// Gives up the descriptor (still registered, if it was) without closing it.
  native_handle_type release() noexcept { return source_.handle().release(); }

  /// Blocking mode is for handing the descriptor to code that expects it; miocpp needs
  /// non-blocking descriptors, which is how create() makes them.
  void set_nonblocking(bool nonblocking, std::error_code& ec) noexcept {
    sys::set_nonblocking(native_handle(), nonblocking, ec);
  }
#if MIOCPP_HAS_EXCEPTIONS
  void set_nonblocking(bool nonblocking) {
    std::error_code ec;
    set_nonblocking(nonblocking, ec);
    miocpp::detail::throw_if_error(ec, "miocpp::posix::pipe::set_nonblocking");
  }
#endif

  void register_source(const Registry& registry, Token token, Interest interest,
                       std::error_code& ec) noexcept {
    source_.register_source(registry, token, interest, ec);
  }
  void reregister(const Registry& registry, Token token, Interest interest,
                  std::error_code& ec) noexcept {
    source_.reregister(registry, token, interest, ec);
  }
  void deregister(const Registry& registry, std::error_code& ec) noexcept {
    source_.deregister(registry, ec);
  }

 protected:
  IoSource<sys::FileDescriptor> source_;
};

}  // namespace detail

/// The writing end. Register it for Interest::writable; a write_closed event means the reading
/// end is gone. Writing then fails with `std::errc::broken_pipe` -- and, as for every pipe, raises
/// SIGPIPE unless the program ignores that signal (most servers do: `signal(SIGPIPE, SIG_IGN)`).
class Sender : public detail::End {
 public:
  Sender() noexcept = default;
  explicit Sender(sys::FileDescriptor fd) noexcept : End(std::move(fd)) {}

  /// Adopts a descriptor (which should be non-blocking).
  static Sender from_native(native_handle_type fd) noexcept { return Sender(sys::FileDescriptor(fd)); }

  /// Writes some of `bytes`; `std::errc::operation_would_block` when the pipe is full.
  std::size_t write(std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    return source_.do_io(
        [bytes](sys::FileDescriptor& fd, std::error_code& op_ec) noexcept {
          return sys::write(fd.native_handle(), bytes, op_ec);
        },
        ec);
  }

  /// Writes from several buffers in order with one writev.
  std::size_t write_vectored(std::span<const IoSlice> slices, std::error_code& ec) noexcept {
    return source_.do_io(
        [slices](sys::FileDescriptor& fd, std::error_code& op_ec) noexcept {
          return sys::write_vectored(fd.native_handle(), miocpp::detail::as_io_vecs(slices), op_ec);
        },
        ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  std::size_t write(std::span<const std::byte> bytes) {
    std::error_code ec;
    const std::size_t written = write(bytes, ec);
    miocpp::detail::throw_if_error(ec, "miocpp::posix::pipe::Sender::write");
    return written;
  }
  std::size_t write_vectored(std::span<const IoSlice> slices) {
    std::error_code ec;
    const std::size_t written = write_vectored(slices, ec);
    miocpp::detail::throw_if_error(ec, "miocpp::posix::pipe::Sender::write_vectored");
    return written;
  }
#endif
};

/// The reading end. Register it for Interest::readable; read until
/// `std::errc::operation_would_block`. A read of 0 bytes (with read_closed reported) means every
/// writer is gone.
class Receiver : public detail::End {
 public:
  Receiver() noexcept = default;
  explicit Receiver(sys::FileDescriptor fd) noexcept : End(std::move(fd)) {}

  /// Adopts a descriptor (which should be non-blocking).
  static Receiver from_native(native_handle_type fd) noexcept {
    return Receiver(sys::FileDescriptor(fd));
  }

  std::size_t read(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return source_.do_io(
        [buffer](sys::FileDescriptor& fd, std::error_code& op_ec) noexcept {
          return sys::read(fd.native_handle(), buffer, op_ec);
        },
        ec);
  }

  /// Reads into several buffers in order with one readv.
  std::size_t read_vectored(std::span<IoSliceMut> slices, std::error_code& ec) noexcept {
    return source_.do_io(
        [slices](sys::FileDescriptor& fd, std::error_code& op_ec) noexcept {
          return sys::read_vectored(fd.native_handle(), miocpp::detail::as_io_vecs(slices), op_ec);
        },
        ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  std::size_t read(std::span<std::byte> buffer) {
    std::error_code ec;
    const std::size_t count = read(buffer, ec);
    miocpp::detail::throw_if_error(ec, "miocpp::posix::pipe::Receiver::read");
    return count;
  }
  std::size_t read_vectored(std::span<IoSliceMut> slices) {
    std::error_code ec;
    const std::size_t count = read_vectored(slices, ec);
    miocpp::detail::throw_if_error(ec, "miocpp::posix::pipe::Receiver::read_vectored");
    return count;
  }
#endif
};

/// Opens a pipe: both ends non-blocking and close-on-exec (one pipe2 call where the OS has it).
inline std::pair<Sender, Receiver> create(std::error_code& ec) noexcept {
  sys::posix::PipeEnds ends = sys::open_pipe(ec);
  return {Sender(std::move(ends.write_end)), Receiver(std::move(ends.read_end))};
}

#if MIOCPP_HAS_EXCEPTIONS
inline std::pair<Sender, Receiver> create() {
  std::error_code ec;
  auto ends = create(ec);
  miocpp::detail::throw_if_error(ec, "miocpp::posix::pipe::create");
  return ends;
}
#endif

}  // namespace miocpp::posix::pipe
