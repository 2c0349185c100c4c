// The wake descriptor: one that any thread makes readable to end another thread's wait on it, an
// eventfd (Linux) or a self-pipe. The Waker's is a self-pipe with MIOCPP_FORCE_WAKER_PIPE.
#pragma once

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <system_error>
#include <type_traits>
#include <utility>

#include "../../config.hpp"
#include "duplicate.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "pipes.hpp"

#if MIOCPP_OS_LINUX
#include <sys/eventfd.h>
#endif

namespace miocpp::sys::posix {

enum class WakeFdKind { eventfd, pipe };

/// What the system has: an eventfd is one descriptor where a pipe is two.
inline constexpr WakeFdKind native_wake_fd =
    MIOCPP_OS_LINUX ? WakeFdKind::eventfd : WakeFdKind::pipe;

/// The Waker's: MIOCPP_FORCE_WAKER_PIPE exists to test the self-pipe Waker where there is an
/// eventfd. It chooses the Waker only, never what a selector uses inside.
inline constexpr WakeFdKind waker_wake_fd =
    MIOCPP_FORCE_WAKER_PIPE ? WakeFdKind::pipe : native_wake_fd;

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

/// Non-blocking and close-on-exec. Every notify() between two drains leaves the descriptor
/// readable once: notifications coalesce in it.
template <WakeFdKind Kind = native_wake_fd>
class WakeFd {
  static_assert(Kind == WakeFdKind::pipe || MIOCPP_OS_LINUX, "eventfd is Linux's");

 public:
  /// Empty: read_fd() is -1 and notify() fails with EBADF.
  WakeFd() noexcept = default;

  explicit WakeFd(std::error_code& ec) noexcept {
    if constexpr (Kind == WakeFdKind::eventfd) {
      read_end_ = adopt(open_eventfd(), ec);
    } else {
      auto [read_end, write_end] = Pipes::open(ec);
      read_end_ = std::move(read_end);
      write_end_ = std::move(write_end);
    }
  }

  /// The descriptor to watch for readability.
  [[nodiscard]] int read_fd() const noexcept { return read_end_.native_handle(); }

  /// Makes read_fd() readable. A write is refused (EAGAIN) only when a pipe is full or the eventfd
  /// counter would overflow, after very many notifications that nobody drained: then it drains and
  /// writes again.
  void notify(std::error_code& ec) const noexcept {
    bool written = write_one();
    if (!written && errno == EAGAIN) {
      drain();
      written = write_one();
    }
    if (!written) {
      ec = last_error();
      return;
    }
    ec.clear();
  }

  /// Consumes every pending notify(), so that read_fd() stops being readable.
  void drain() const noexcept { drain_readable(read_fd()); }

 private:
  static constexpr bool is_eventfd = Kind == WakeFdKind::eventfd;

  /// An eventfd adds the 8-byte value written to its counter; a pipe takes a byte.
  using Unit = std::conditional_t<is_eventfd, std::uint64_t, std::uint8_t>;

  static int open_eventfd() noexcept {
#if MIOCPP_OS_LINUX
    return ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
#else
    return -1;  // not reached: see the static_assert
#endif
  }

  [[nodiscard]] bool write_one() const noexcept {
    const int fd = is_eventfd ? read_end_.native_handle() : write_end_.native_handle();
    const Unit one = 1;
    return ::write(fd, &one, sizeof one) == static_cast<ssize_t>(sizeof one);
  }

  FileDescriptor read_end_;   // an eventfd is both ends
  FileDescriptor write_end_;  // the pipe's; empty for an eventfd
};

}  // namespace miocpp::sys::posix
