// The macOS/iOS and BSD selector: one kqueue, every registration edge-triggered (EV_CLEAR).
//
// A descriptor is watched through one kevent filter per kind of readiness (EVFILT_READ,
// EVFILT_WRITE), so a source that is both readable and writable is reported as two events with
// the same token, one per filter.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

#include "../../config.hpp"
#include "../../interest.hpp"
#include "../../token.hpp"
#include "../posix/error.hpp"
#include "../posix/kernel_queue.hpp"
#include "../posix/timeout.hpp"
#include "event.hpp"
#include "kevent.hpp"
#include "open_kqueue.hpp"

namespace miocpp::sys::kqueue {

/// concepts::Selector; cloning, the Waker and the descriptor come from posix::KernelQueue.
class Selector : public posix::KernelQueue<Selector> {
 public:
  /// An empty selector: every call on it fails with EBADF.
  Selector() noexcept = default;

  explicit Selector(std::error_code& ec) noexcept : KernelQueue(open_kqueue(), ec) {}

  /// Waits for events: one kevent call with a nanosecond timeout (which the kernel rounds up, never
  /// down), never retried on EINTR.
  void select(Events& events, std::optional<std::chrono::nanoseconds> timeout,
              std::error_code& ec) const noexcept {
    events.clear();
    const auto capacity =
        static_cast<KEventCount>(std::min<std::size_t>(events.capacity(), INT_MAX));
    ::timespec wait{};
    if (timeout) {
      wait = to_kevent_timeout(*timeout);
    }
    auto* records = reinterpret_cast<KEvent*>(events.writable_data());
    const int count =
        ::kevent(native_handle(), nullptr, 0, records, capacity, timeout ? &wait : nullptr);
    finish_select(events, count, ec);
  }

  /// One kevent call adding a filter per interest. kqueue has no "add only if absent": registering
  /// a descriptor that is already registered updates its filters and token instead of failing. If
  /// the kernel refuses one of the filters, the ones it accepted are removed again (even where an
  /// earlier registration had added them), so a failed registration leaves nothing behind.
  void register_fd(int fd, Token token, Interest interest, std::error_code& ec) const noexcept {
    KEventChanges changes;
    if (!add_filters(changes, fd, token, interest, ec) || !apply(changes, ec)) {
      return;
    }
    int error = 0;
    for (std::size_t i = 0; i < changes.size() && error == 0; ++i) {
      error = ignore_epipe(changes.error(i));
    }
    if (error != 0) {
      undo_added(changes, fd);
      ec = posix::errno_code(error);
      return;
    }
    ec.clear();
  }

  /// One kevent call that adds (or updates) the wanted filters and deletes the others. A delete
  /// that finds nothing (ENOENT) is what was wanted; since adding is what kqueue does for an
  /// unknown descriptor, reregistering one that was never registered registers it. kevent has no
  /// transactions: when the kernel refuses one change, the others still apply, and the first
  /// error is reported.
  void reregister_fd(int fd, Token token, Interest interest, std::error_code& ec) const noexcept {
    KEventChanges changes;
    if (!add_filters(changes, fd, token, interest, ec)) {
      return;
    }
    delete_filters(changes, fd, !interest.is_readable(), !interest.is_writable());
    if (!apply(changes, ec)) {
      return;
    }
    for (std::size_t i = 0; i < changes.size(); ++i) {
      const bool deleting = has_kevent_flags(changes[i], EV_DELETE);
      const int error = deleting ? ignore_enoent(changes.error(i)) : ignore_epipe(changes.error(i));
      if (error != 0) {
        ec = posix::errno_code(error);
        return;
      }
    }
    ec.clear();
  }

  /// One kevent call deleting both filters. Only one of them need exist (a source registered for
  /// reading alone has no write filter), so one ENOENT is normal; both mean the descriptor was not
  /// registered, which is reported as ENOENT like epoll does.
  void deregister_fd(int fd, std::error_code& ec) const noexcept {
    KEventChanges changes;
    delete_filters(changes, fd, true, true);
    if (!apply(changes, ec)) {
      return;
    }
    bool any_deleted = false;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      const int error = changes.error(i);
      if (error != 0 && error != ENOENT) {
        ec = posix::errno_code(error);
        return;
      }
      any_deleted = any_deleted || error == 0;
    }
    if (!any_deleted) {
      ec = posix::errno_code(ENOENT);
      return;
    }
    ec.clear();
  }

 private:
  /// Adds an edge-triggered (EV_CLEAR) filter per interest to `changes`. priority has no kqueue
  /// filter; aio and lio have one where the system defines it. The kernel decides what an AIO or
  /// LIO filter on a descriptor means; current kernels attach them only to the requests that name
  /// the kqueue (aio_read with SIGEV_KEVENT, lio_listio), so those usually report the kernel's
  /// refusal. False, with std::errc::not_supported, for an interest without a filter: checked
  /// before any call, so an unsupported interest changes nothing.
  static bool add_filters(KEventChanges& changes, int fd, Token token, Interest interest,
                          std::error_code& ec) noexcept {
    if (interest.is_priority() || (interest.is_aio() && !aio_filter) ||
        (interest.is_lio() && !lio_filter)) {
      ec = std::make_error_code(std::errc::not_supported);
      return false;
    }
    const auto ident = static_cast<std::uintptr_t>(fd);
    const auto user_data = static_cast<std::uintptr_t>(token.value);
    const unsigned long long flags = EV_ADD | EV_CLEAR;
    if (interest.is_readable()) {
      changes.add(ident, EVFILT_READ, flags, user_data);
    }
    if (interest.is_writable()) {
      changes.add(ident, EVFILT_WRITE, flags, user_data);
    }
    if (interest.is_aio()) {
      changes.add(ident, *aio_filter, flags, user_data);
    }
    if (interest.is_lio()) {
      changes.add(ident, *lio_filter, flags, user_data);
    }
    return true;
  }

  static void delete_filters(KEventChanges& changes, int fd, bool read, bool write) noexcept {
    const auto ident = static_cast<std::uintptr_t>(fd);
    if (read) {
      changes.add(ident, EVFILT_READ, EV_DELETE, 0);
    }
    if (write) {
      changes.add(ident, EVFILT_WRITE, EV_DELETE, 0);
    }
  }

  /// One kevent call for `changes`; false with `ec` set when the call itself failed.
  bool apply(KEventChanges& changes, std::error_code& ec) const noexcept {
    if (!changes.apply(native_handle())) {
      ec = posix::last_error();
      return false;
    }
    return true;
  }

  /// Deletes the filters of `changes` that the kernel accepted (after another one was refused).
  void undo_added(const KEventChanges& added, int fd) const noexcept {
    KEventChanges undo;
    for (std::size_t i = 0; i < added.size(); ++i) {
      if (added.error(i) == 0) {
        undo.add(static_cast<std::uintptr_t>(fd), added[i].filter, EV_DELETE, 0);
      }
    }
    if (undo.size() != 0) {
      (void)undo.apply(native_handle());
    }
  }

  /// Some macOS versions refuse a filter on a pipe or socket whose peer is gone with EPIPE, yet
  /// go on to report its events (EOF included); that registration has worked, as in mio.
  static int ignore_epipe(int error) noexcept { return error == EPIPE ? 0 : error; }
  static int ignore_enoent(int error) noexcept { return error == ENOENT ? 0 : error; }

  /// A negative timeout polls; one too long for time_t waits as long as time_t allows.
  static ::timespec to_kevent_timeout(std::chrono::nanoseconds timeout) noexcept {
    if (timeout.count() <= 0) {
      return ::timespec{0, 0};
    }
    if constexpr (sizeof(std::time_t) < sizeof(std::chrono::seconds::rep)) {
      constexpr auto longest = std::chrono::seconds(std::numeric_limits<std::time_t>::max());
      if (timeout >= longest) {
        return ::timespec{std::numeric_limits<std::time_t>::max(), 0};
      }
    }
    return posix::to_timespec(timeout);
  }
};

}  // namespace miocpp::sys::kqueue
