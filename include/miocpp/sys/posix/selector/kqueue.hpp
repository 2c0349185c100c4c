// The macOS/iOS and BSD selector: one kqueue, every registration edge-triggered (EV_CLEAR).
//
// A descriptor is watched through one kevent filter per kind of readiness (EVFILT_READ,
// EVFILT_WRITE), so a source that is both readable and writable is reported as two events with
// the same token, one per filter.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <limits>
#include <optional>
#include <ostream>
#include <system_error>

#include "../../../interest.hpp"
#include "../../../token.hpp"
#include "../../debug_flags.hpp"
#include "../../event_buffer.hpp"
#include "../error.hpp"
#include "../file_descriptor.hpp"
#include "../kevent.hpp"
#include "../timeout.hpp"

namespace miocpp::sys::kqueue {

/// One kevent as the kernel wrote it; the token lives in `udata`.
struct Event {
  posix::KEvent raw;

  [[nodiscard]] Token token() const noexcept {
    return Token(static_cast<std::size_t>(posix::kevent_user_data(raw)));
  }

  // The readings below are mio's. EVFILT_USER is the Waker's filter: it reads as readable, like
  // the eventfd or pipe a Waker uses elsewhere.
  [[nodiscard]] bool is_readable() const noexcept {
#if defined(EVFILT_USER)
    if (filter_is(EVFILT_USER)) {
      return true;
    }
#endif
    return filter_is(EVFILT_READ);
  }
  [[nodiscard]] bool is_writable() const noexcept {
    return filter_is(EVFILT_WRITE);
  }
  [[nodiscard]] bool is_error() const noexcept {
    // An EV_ERROR entry is a change the kernel refused; EV_EOF with a non-zero fflags carries the
    // socket's pending error (ECONNRESET, ECONNREFUSED, ...).
    return has(EV_ERROR) || (has(EV_EOF) && raw.fflags != 0);
  }
  [[nodiscard]] bool is_read_closed() const noexcept {
    return filter_is(EVFILT_READ) && has(EV_EOF);
  }
  [[nodiscard]] bool is_write_closed() const noexcept {
    return filter_is(EVFILT_WRITE) && has(EV_EOF);
  }
  /// kqueue has no out-of-band readiness: Interest::priority cannot be registered here.
  [[nodiscard]] bool is_priority() const noexcept {
    return false;
  }
  [[nodiscard]] bool is_aio() const noexcept {
#if defined(EVFILT_AIO)
    return filter_is(EVFILT_AIO);
#else
    return false;
#endif
  }
  [[nodiscard]] bool is_lio() const noexcept {
#if defined(EVFILT_LIO)
    return filter_is(EVFILT_LIO);
#else
    return false;
#endif
  }

  void debug_details(std::ostream& os) const {
    os << "kevent { ident: " << raw.ident << ", filter: ";
    print_filter(os);
    os << ", flags: ";
    // One flag per line, some only where the system defines them.
    // clang-format off
    print_flags(os, static_cast<unsigned long long>(raw.flags), {
        {EV_ADD, "EV_ADD"},
        {EV_DELETE, "EV_DELETE"},
        {EV_ENABLE, "EV_ENABLE"},
        {EV_DISABLE, "EV_DISABLE"},
        {EV_ONESHOT, "EV_ONESHOT"},
        {EV_CLEAR, "EV_CLEAR"},
        {EV_RECEIPT, "EV_RECEIPT"},
        {EV_DISPATCH, "EV_DISPATCH"},
#if defined(EV_DROP)
        {EV_DROP, "EV_DROP"},
#endif
#if defined(EV_KEEPUDATA)
        {EV_KEEPUDATA, "EV_KEEPUDATA"},
#endif
#if defined(EV_POLL)
        {EV_POLL, "EV_POLL"},
#endif
#if defined(EV_OOBAND)
        {EV_OOBAND, "EV_OOBAND"},
#endif
#if defined(EV_NODATA)
        {EV_NODATA, "EV_NODATA"},
#endif
#if defined(EV_FLAG0)
        {EV_FLAG0, "EV_FLAG0"},
#endif
#if defined(EV_FLAG1)
        {EV_FLAG1, "EV_FLAG1"},
#endif
        {EV_ERROR, "EV_ERROR"},
        {EV_EOF, "EV_EOF"},
    });
    // clang-format on
    os << ", fflags: ";
    print_fflags(os);
    os << ", data: " << static_cast<long long>(raw.data) << ", udata: " << token().value << " }";
  }

 private:
  [[nodiscard]] bool filter_is(long long filter) const noexcept {
    return posix::is_kevent_filter(raw, filter);
  }
  [[nodiscard]] bool has(unsigned long long flags) const noexcept {
    return posix::has_kevent_flags(raw, flags);
  }

  void print_filter(std::ostream& os) const {
    struct Name {
      long long filter;
      const char* name;
    };
    // One filter per line, most only where the system defines them.
    // clang-format off
    static constexpr Name names[] = {  // NOLINT(*-avoid-c-arrays): a constant table
      {EVFILT_READ, "EVFILT_READ"},
      {EVFILT_WRITE, "EVFILT_WRITE"},
#if defined(EVFILT_AIO)
      {EVFILT_AIO, "EVFILT_AIO"},
#endif
#if defined(EVFILT_VNODE)
      {EVFILT_VNODE, "EVFILT_VNODE"},
#endif
#if defined(EVFILT_PROC)
      {EVFILT_PROC, "EVFILT_PROC"},
#endif
#if defined(EVFILT_SIGNAL)
      {EVFILT_SIGNAL, "EVFILT_SIGNAL"},
#endif
#if defined(EVFILT_TIMER)
      {EVFILT_TIMER, "EVFILT_TIMER"},
#endif
#if defined(EVFILT_PROCDESC)
      {EVFILT_PROCDESC, "EVFILT_PROCDESC"},
#endif
#if defined(EVFILT_FS)
      {EVFILT_FS, "EVFILT_FS"},
#endif
#if defined(EVFILT_LIO)
      {EVFILT_LIO, "EVFILT_LIO"},
#endif
#if defined(EVFILT_USER)
      {EVFILT_USER, "EVFILT_USER"},
#endif
#if defined(EVFILT_SENDFILE)
      {EVFILT_SENDFILE, "EVFILT_SENDFILE"},
#endif
#if defined(EVFILT_EMPTY)
      {EVFILT_EMPTY, "EVFILT_EMPTY"},
#endif
#if defined(EVFILT_EXCEPT)
      {EVFILT_EXCEPT, "EVFILT_EXCEPT"},
#endif
#if defined(EVFILT_MACHPORT)
      {EVFILT_MACHPORT, "EVFILT_MACHPORT"},
#endif
#if defined(EVFILT_VM)
      {EVFILT_VM, "EVFILT_VM"},
#endif
    };
    // clang-format on
    for (const Name& entry : names) {
      if (filter_is(entry.filter)) {
        os << entry.name;
        return;
      }
    }
    os << static_cast<long long>(raw.filter);
  }

  /// fflags mean something different per filter: NOTE_* bits for EVFILT_USER, the socket error
  /// (an errno) for a read or write filter with EV_EOF.
  void print_fflags(std::ostream& os) const {
#if defined(EVFILT_USER) && defined(NOTE_TRIGGER)
    if (filter_is(EVFILT_USER)) {
      print_flags(os, raw.fflags, {{NOTE_TRIGGER, "NOTE_TRIGGER"}});
      return;
    }
#endif
    os << raw.fflags;
  }
};

using Events = EventBuffer<Event>;

class Selector {
 public:
  /// An empty selector: every call on it fails with EBADF.
  Selector() noexcept = default;

  explicit Selector(std::error_code& ec) noexcept : kq_(open_kqueue()) {
    if (!kq_.is_open()) {
      ec = posix::last_error();
      return;
    }
    ec.clear();
  }

  /// A second handle on the same kqueue (a dup of its descriptor).
  [[nodiscard]] Selector try_clone(std::error_code& ec) const noexcept {
    Selector clone;
    clone.kq_.reset(::fcntl(kq_.native_handle(), F_DUPFD_CLOEXEC, 0));
    if (!clone.kq_.is_open()) {
      ec = posix::last_error();
      return Selector();
    }
    ec.clear();
    return clone;
  }

  /// Waits for events: one kevent call with a nanosecond timeout (which the kernel rounds up, never
  /// down), never retried on EINTR.
  void select(Events& events, std::optional<std::chrono::nanoseconds> timeout,
              std::error_code& ec) const noexcept {
    events.clear();
    const auto capacity =
        static_cast<posix::KEventCount>(std::min<std::size_t>(events.capacity(), INT_MAX));
    ::timespec wait{};
    if (timeout) {
      wait = to_kevent_timeout(*timeout);
    }
    auto* records = reinterpret_cast<posix::KEvent*>(events.writable_data());
    const int count =
        ::kevent(kq_.native_handle(), nullptr, 0, records, capacity, timeout ? &wait : nullptr);
    if (count < 0) {
      ec = posix::last_error();
      return;
    }
    events.set_size(static_cast<std::size_t>(count));
    ec.clear();
  }

  /// One kevent call adding a filter per interest. kqueue has no "add only if absent": registering
  /// a descriptor that is already registered updates its filters and token instead of failing. If
  /// the kernel refuses one of the filters, the ones it accepted are removed again (even where an
  /// earlier registration had added them), so a failed registration leaves nothing behind.
  void register_fd(int fd, Token token, Interest interest, std::error_code& ec) const noexcept {
    if (!supported(interest, ec)) {
      return;
    }
    posix::KEventChanges changes;
    add_filters(changes, fd, token, interest, EV_ADD | EV_CLEAR);
    if (!changes.apply(kq_.native_handle())) {
      ec = posix::last_error();
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
    if (!supported(interest, ec)) {
      return;
    }
    posix::KEventChanges changes;
    add_filters(changes, fd, token, interest, EV_ADD | EV_CLEAR);
    const auto ident = static_cast<std::uintptr_t>(fd);
    if (!interest.is_readable()) {
      changes.add(ident, EVFILT_READ, EV_DELETE, 0);
    }
    if (!interest.is_writable()) {
      changes.add(ident, EVFILT_WRITE, EV_DELETE, 0);
    }
    if (!changes.apply(kq_.native_handle())) {
      ec = posix::last_error();
      return;
    }
    for (std::size_t i = 0; i < changes.size(); ++i) {
      const bool deleting = posix::has_kevent_flags(changes[i], EV_DELETE);
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
    posix::KEventChanges changes;
    const auto ident = static_cast<std::uintptr_t>(fd);
    changes.add(ident, EVFILT_READ, EV_DELETE, 0);
    changes.add(ident, EVFILT_WRITE, EV_DELETE, 0);
    if (!changes.apply(kq_.native_handle())) {
      ec = posix::last_error();
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

  [[nodiscard]] int native_handle() const noexcept { return kq_.native_handle(); }

 private:
  /// A close-on-exec kqueue. NetBSD (kqueue1) and FreeBSD 14 (kqueuex) create it so in one call;
  /// elsewhere FD_CLOEXEC is set right after, and a fork+exec in another thread between the two
  /// calls can inherit the descriptor: there is no way to close that gap on those systems.
  static int open_kqueue() noexcept {
#if defined(__NetBSD__)
    return ::kqueue1(O_CLOEXEC);
#elif defined(__FreeBSD__) && defined(KQUEUE_CLOEXEC)
    return ::kqueuex(KQUEUE_CLOEXEC);
#else
    const int kq = ::kqueue();
    if (kq >= 0 && ::fcntl(kq, F_SETFD, FD_CLOEXEC) < 0) {
      const int error = errno;
      ::close(kq);
      errno = error;
      return -1;
    }
    return kq;
#endif
  }

  /// priority has no kqueue filter; aio and lio map to EVFILT_AIO / EVFILT_LIO where the system
  /// defines them. Checked before any call, so an unsupported interest changes nothing.
  static bool supported(Interest interest, std::error_code& ec) noexcept {
    bool ok = !interest.is_priority();
#if !defined(EVFILT_AIO)
    ok = ok && !interest.is_aio();
#endif
#if !defined(EVFILT_LIO)
    ok = ok && !interest.is_lio();
#endif
    if (!ok) {
      ec = std::make_error_code(std::errc::not_supported);
    }
    return ok;
  }

  static void add_filters(posix::KEventChanges& changes, int fd, Token token, Interest interest,
                          unsigned long long flags) noexcept {
    const auto ident = static_cast<std::uintptr_t>(fd);
    const auto user_data = static_cast<std::uintptr_t>(token.value);
    if (interest.is_readable()) {
      changes.add(ident, EVFILT_READ, flags, user_data);
    }
    if (interest.is_writable()) {
      changes.add(ident, EVFILT_WRITE, flags, user_data);
    }
    // The kernel decides what an AIO or LIO filter on a descriptor means; current kernels attach
    // them only to the requests that name the kqueue (aio_read with SIGEV_KEVENT, lio_listio), so
    // this usually reports the kernel's refusal.
#if defined(EVFILT_AIO)
    if (interest.is_aio()) {
      changes.add(ident, EVFILT_AIO, flags, user_data);
    }
#endif
#if defined(EVFILT_LIO)
    if (interest.is_lio()) {
      changes.add(ident, EVFILT_LIO, flags, user_data);
    }
#endif
  }

  /// Deletes the filters of `changes` that the kernel accepted (after another one was refused).
  void undo_added(const posix::KEventChanges& added, int fd) const noexcept {
    posix::KEventChanges undo;
    for (std::size_t i = 0; i < added.size(); ++i) {
      if (added.error(i) == 0) {
        undo.add(static_cast<std::uintptr_t>(fd), added[i].filter, EV_DELETE, 0);
      }
    }
    if (undo.size() != 0) {
      (void)undo.apply(kq_.native_handle());
    }
  }

  /// Some macOS versions refuse a filter on a pipe or socket whose peer is gone with EPIPE, yet
  /// go on to report its events (EOF included); that registration has worked, as in mio.
  static int ignore_epipe(int error) noexcept {
    return error == EPIPE ? 0 : error;
  }
  static int ignore_enoent(int error) noexcept {
    return error == ENOENT ? 0 : error;
  }

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

  posix::FileDescriptor kq_;
};

}  // namespace miocpp::sys::kqueue
