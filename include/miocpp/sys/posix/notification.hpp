// A descriptor that one thread makes readable to interrupt another thread's poll(2).
#pragma once

#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <system_error>

#include "../../config.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "pipe.hpp"

#if MIOCPP_OS_LINUX
#include <sys/eventfd.h>
#endif

namespace miocpp::sys::posix {

/// Reads `fd` (non-blocking) until it is empty. Works for an eventfd (one read returns its whole
/// counter) and for a pipe (bytes). A read shorter than the buffer means the descriptor was empty
/// at that instant, which saves the final read that would only say EAGAIN.
inline void drain_readable(int fd) noexcept {
  std::array<std::byte, 512> sink{};
  for (;;) {
    const ssize_t count = ::read(fd, sink.data(), sink.size());
    if (count < static_cast<ssize_t>(sink.size())) {
      return;
    }
  }
}

/// An eventfd on Linux (one descriptor), a pipe elsewhere; non-blocking and close-on-exec.
class Notification {
 public:
  /// Empty: read_fd() is -1 and notify() does nothing.
  Notification() noexcept = default;

  explicit Notification(std::error_code& ec) noexcept {
#if MIOCPP_OS_LINUX
    fd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!fd_.is_open()) {
      ec = last_error();
      return;
    }
    ec.clear();
#else
    ends_ = open_pipe(ec);
#endif
  }

  /// The descriptor to poll for POLLIN.
  [[nodiscard]] int read_fd() const noexcept {
#if MIOCPP_OS_LINUX
    return fd_.native_handle();
#else
    return ends_.read_end.native_handle();
#endif
  }

  /// Makes read_fd() readable. Errors are ignored: the only one possible on a valid descriptor is
  /// EAGAIN (a full pipe or a saturated counter), and then it is readable already.
  void notify() const noexcept {
#if MIOCPP_OS_LINUX
    const std::uint64_t one = 1;
    (void)::write(fd_.native_handle(), &one, sizeof one);
#else
    const std::byte byte{1};
    (void)::write(ends_.write_end.native_handle(), &byte, 1);
#endif
  }

  /// Consumes every pending notify(), so that read_fd() stops being readable.
  void drain() const noexcept {
    drain_readable(read_fd());
  }

 private:
#if MIOCPP_OS_LINUX
  FileDescriptor fd_;
#else
  PipeEnds ends_;
#endif
};

}  // namespace miocpp::sys::posix
