// The Linux selector: one epoll instance, every registration edge-triggered (EPOLLET).
#pragma once

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
#include <system_error>
#include <utility>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../posix/error.hpp"
#include "../posix/kernel_queue.hpp"
#include "../posix/timeout.hpp"
#include "event.hpp"

namespace miocpp::sys::epoll {

/// Whether epoll_pwait2 (Linux 5.11) answered ENOSYS once; then select() stops trying it.
inline std::atomic<bool> epoll_pwait2_missing{false};

/// concepts::Selector; cloning, the Waker and the descriptor come from posix::KernelQueue.
class Selector : public posix::KernelQueue<Selector> {
 public:
  /// An empty selector: every call on it fails with EBADF.
  Selector() noexcept = default;

  explicit Selector(std::error_code& ec) noexcept
      : KernelQueue(::epoll_create1(EPOLL_CLOEXEC), ec) {}

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
      count =
          ::epoll_wait(native_handle(), records, capacity, posix::timeout_milliseconds(timeout));
    }
    finish_select(events, count, ec);
  }

  void register_fd(int fd, Token token, Interest interest, std::error_code& ec) const noexcept {
    control(EPOLL_CTL_ADD, fd, token, interest, ec);
  }

  void reregister_fd(int fd, Token token, Interest interest, std::error_code& ec) const noexcept {
    control(EPOLL_CTL_MOD, fd, token, interest, ec);
  }

  void deregister_fd(int fd, std::error_code& ec) const noexcept {
    remove(native_handle(), fd, ec);
  }

  /// Deletes `fd` from the epoll set `epfd`: deregister_fd, and what a source does before it
  /// closes its descriptor (IoSourceState), through the queue it holds.
  static void remove(int epfd, int fd, std::error_code& ec) noexcept {
    // A non-null event pointer keeps kernels before 2.6.9 happy; it is otherwise ignored.
    ::epoll_event unused{};
    if (::epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused) < 0) {
      ec = posix::last_error();
      return;
    }
    ec.clear();
  }

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
    if (::epoll_ctl(native_handle(), operation, fd, &event) < 0) {
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
          ::syscall(SYS_epoll_pwait2, native_handle(), records, capacity, &ts, nullptr, 0));
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
};

}  // namespace miocpp::sys::epoll
