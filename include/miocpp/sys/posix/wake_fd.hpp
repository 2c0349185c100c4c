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

/// A wake descriptor's ends, both non-blocking and close-on-exec. An eventfd is one descriptor,
/// read and written: then write_end is empty.
struct WakeEnds {
  FileDescriptor read_end;
  FileDescriptor write_end;

  /// The descriptor a notification is written to.
  [[nodiscard]] int write_fd() const noexcept {
    return write_end.is_open() ? write_end.native_handle() : read_end.native_handle();
  }
};

/// Opens a wake descriptor of kind `Kind`.
template <WakeFdKind Kind>
WakeEnds open_wake_ends(std::error_code& ec) noexcept {
  static_assert(Kind == WakeFdKind::pipe || MIOCPP_OS_LINUX, "eventfd is Linux's");
  if constexpr (Kind == WakeFdKind::eventfd) {
#if MIOCPP_OS_LINUX
    FileDescriptor eventfd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!eventfd.is_open()) {
      ec = last_error();
      return {};
    }
    ec.clear();
    return {std::move(eventfd), {}};
#endif
  } else {
    auto [read_end, write_end] = Pipes::open(ec);
    return {std::move(read_end), std::move(write_end)};
  }
}

/// Writes one notification to `write_fd` (an eventfd adds the 8-byte value written to its
/// counter; a pipe takes a byte): one write(2), so a signal handler may call it. False when it
/// was refused, with errno saying why (EAGAIN: a full pipe or counter).
template <WakeFdKind Kind>
bool write_wake_unit(int write_fd) noexcept {
  using Unit = std::conditional_t<Kind == WakeFdKind::eventfd, std::uint64_t, std::uint8_t>;
  const Unit one = 1;
  return ::write(write_fd, &one, sizeof one) == static_cast<ssize_t>(sizeof one);
}

/// A wake descriptor that keeps both its ends. Every notify() between two drains leaves it
/// readable once: notifications coalesce in it.
template <WakeFdKind Kind = native_wake_fd>
class WakeFd {
 public:
  /// Empty: read_fd() is -1 and notify() fails with EBADF.
  WakeFd() noexcept = default;

  explicit WakeFd(std::error_code& ec) noexcept : ends_(open_wake_ends<Kind>(ec)) {}

  /// The descriptor to watch for readability.
  [[nodiscard]] int read_fd() const noexcept { return ends_.read_end.native_handle(); }

  /// Makes read_fd() readable. A write is refused (EAGAIN) only when a pipe is full or the eventfd
  /// counter would overflow, after very many notifications that nobody drained: then it drains and
  /// writes again.
  void notify(std::error_code& ec) const noexcept {
    bool written = write_wake_unit<Kind>(ends_.write_fd());
    if (!written && errno == EAGAIN) {
      drain();
      written = write_wake_unit<Kind>(ends_.write_fd());
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
  WakeEnds ends_;
};

}  // namespace miocpp::sys::posix
