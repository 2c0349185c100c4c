// The Linux selector: one epoll instance, every registration edge-triggered (EPOLLET).
#pragma once

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <optional>
#include <ostream>
#include <system_error>

#include "../../../interest.hpp"
#include "../../../token.hpp"
#include "../../debug_flags.hpp"
#include "../../event_buffer.hpp"
#include "../error.hpp"
#include "../file_descriptor.hpp"
#include "../timeout.hpp"

namespace miocpp::sys::epoll {

/// One epoll_event as the kernel wrote it; the token lives in `data.u64`.
struct Event {
  ::epoll_event raw;

  [[nodiscard]] Token token() const noexcept {
    return Token(static_cast<std::size_t>(raw.data.u64));
  }

  // The conversions below are mio's: epoll reports a peer's shutdown and a pipe's lost end in
  // several ways, and these are the combinations that mean what the name says.
  [[nodiscard]] bool is_readable() const noexcept { return any(EPOLLIN | EPOLLPRI); }
  [[nodiscard]] bool is_writable() const noexcept { return any(EPOLLOUT); }
  [[nodiscard]] bool is_error() const noexcept { return any(EPOLLERR); }
  [[nodiscard]] bool is_read_closed() const noexcept {
    // Both halves closed, or FIN received / shutdown(SHUT_RD) while readable.
    return any(EPOLLHUP) || (any(EPOLLIN) && any(EPOLLRDHUP));
  }
  [[nodiscard]] bool is_write_closed() const noexcept {
    // Both halves closed, or a pipe's write end whose reader is gone (EPOLLOUT|EPOLLERR, or
    // EPOLLERR alone).
    return any(EPOLLHUP) || (any(EPOLLOUT) && any(EPOLLERR)) || flags() == EPOLLERR;
  }
  [[nodiscard]] bool is_priority() const noexcept { return any(EPOLLPRI); }
  [[nodiscard]] bool is_aio() const noexcept { return false; }
  [[nodiscard]] bool is_lio() const noexcept { return false; }

  void debug_details(std::ostream& os) const {
    os << "epoll_event { events: ";
    print_flags(os, flags(),
                {{EPOLLIN, "EPOLLIN"},
                 {EPOLLPRI, "EPOLLPRI"},
                 {EPOLLOUT, "EPOLLOUT"},
                 {EPOLLRDNORM, "EPOLLRDNORM"},
                 {EPOLLRDBAND, "EPOLLRDBAND"},
                 {EPOLLWRNORM, "EPOLLWRNORM"},
                 {EPOLLWRBAND, "EPOLLWRBAND"},
                 {EPOLLMSG, "EPOLLMSG"},
                 {EPOLLERR, "EPOLLERR"},
                 {EPOLLHUP, "EPOLLHUP"},
                 {EPOLLRDHUP, "EPOLLRDHUP"}});
    os << ", u64: " << raw.data.u64 << " }";
  }

 private:
  [[nodiscard]] std::uint32_t flags() const noexcept { return raw.events; }
  [[nodiscard]] bool any(std::uint32_t mask) const noexcept { return (raw.events & mask) != 0; }
};

using Events = EventBuffer<Event>;

/// Whether epoll_pwait2 (Linux 5.11) answered ENOSYS once; then select() stops trying it.
inline std::atomic<bool> epoll_pwait2_missing{false};

class Selector {
 public:
  /// An empty selector: every call on it fails with EBADF.
  Selector() noexcept = default;

  explicit Selector(std::error_code& ec) noexcept : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (!epoll_.is_open()) {
      ec = posix::last_error();
      return;
    }
    ec.clear();
  }

  /// A second handle on the same epoll instance (a dup of its descriptor).
  [[nodiscard]] Selector try_clone(std::error_code& ec) const noexcept {
    Selector clone;
    clone.epoll_.reset(::fcntl(epoll_.native_handle(), F_DUPFD_CLOEXEC, 0));
    if (!clone.epoll_.is_open()) {
      ec = posix::last_error();
      return Selector();
    }
    ec.clear();
    return clone;
  }

  /// Waits for events: one epoll_wait (or epoll_pwait2 for a timeout with a sub-millisecond
  /// part), never retried on EINTR.
  void select(Events& events, std::optional<std::chrono::nanoseconds> timeout,
              std::error_code& ec) const noexcept {
    events.clear();
    const int capacity = static_cast<int>(std::min<std::size_t>(events.capacity(), INT_MAX));
    auto* records = reinterpret_cast<::epoll_event*>(events.writable_data());
    int count = -1;
    const bool precise = timeout && posix::needs_sub_millisecond_timer(*timeout);
    if (!precise || !try_pwait2(records, capacity, *timeout, count)) {
      count = ::epoll_wait(epoll_.native_handle(), records, capacity,
                           posix::timeout_milliseconds(timeout));
    }
    if (count < 0) {
      ec = posix::last_error();
      return;
    }
    events.set_size(static_cast<std::size_t>(count));
    ec.clear();
  }

  void register_fd(int fd, Token token, Interest interest, std::error_code& ec) const noexcept {
    control(EPOLL_CTL_ADD, fd, token, interest, ec);
  }

  void reregister_fd(int fd, Token token, Interest interest, std::error_code& ec) const noexcept {
    control(EPOLL_CTL_MOD, fd, token, interest, ec);
  }

  void deregister_fd(int fd, std::error_code& ec) const noexcept {
    // A non-null event pointer keeps kernels before 2.6.9 happy; it is otherwise ignored.
    ::epoll_event unused{};
    if (::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_DEL, fd, &unused) < 0) {
      ec = posix::last_error();
      return;
    }
    ec.clear();
  }

  [[nodiscard]] int native_handle() const noexcept { return epoll_.native_handle(); }

 private:
  static std::uint32_t to_epoll(Interest interest) noexcept {
    std::uint32_t flags = EPOLLET;
    if (interest.is_readable()) {
      flags |= EPOLLIN | EPOLLRDHUP;
    }
    if (interest.is_writable()) {
      flags |= EPOLLOUT;
    }
    if (interest.is_priority()) {
      flags |= EPOLLPRI;
    }
    return flags;
  }

  void control(int operation, int fd, Token token, Interest interest,
               std::error_code& ec) const noexcept {
    if (interest.is_aio() || interest.is_lio()) {
      ec = std::make_error_code(std::errc::not_supported);
      return;
    }
    ::epoll_event event{};
    event.events = to_epoll(interest);
    event.data.u64 = token.value;
    if (::epoll_ctl(epoll_.native_handle(), operation, fd, &event) < 0) {
      ec = posix::last_error();
      return;
    }
    ec.clear();
  }

  /// epoll_pwait2 with a nanosecond timeout. False when the kernel or libc lacks it, so the caller
  /// falls back to epoll_wait with the timeout rounded up to a millisecond.
  bool try_pwait2(::epoll_event* records, int capacity, std::chrono::nanoseconds timeout,
                  int& count) const noexcept {
#if defined(SYS_epoll_pwait2)
    if (!epoll_pwait2_missing.load(std::memory_order_relaxed)) {
      const ::timespec ts = posix::to_timespec(timeout);
      count = static_cast<int>(
          ::syscall(SYS_epoll_pwait2, epoll_.native_handle(), records, capacity, &ts, nullptr, 0));
      // Seccomp filters that predate the call answer EPERM rather than ENOSYS.
      if (count >= 0 || (errno != ENOSYS && errno != EPERM)) {
        return true;
      }
      epoll_pwait2_missing.store(true, std::memory_order_relaxed);
    }
#else
    (void)records;
    (void)capacity;
    (void)timeout;
    (void)count;
#endif
    return false;
  }

  posix::FileDescriptor epoll_;
};

}  // namespace miocpp::sys::epoll
