// Watching a child process for its exit with kqueue: a private kqueue holding one EVFILT_PROC
// NOTE_EXIT filter for the child. A kqueue is readable (to EVFILT_READ in another kqueue, and to
// poll/select) while it holds a pending event, so that private queue is what the Poll watches:
// it becomes readable when the child exits, until the child is reaped. Nothing process-wide is
// touched (no SIGCHLD handler), and other children are left to whoever waits for them.
#pragma once

#include <sys/types.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <ctime>
#include <system_error>
#include <utility>

#include "../../exit_status.hpp"
#include "../posix/duplicate.hpp"
#include "../posix/error.hpp"
#include "../posix/file_descriptor.hpp"
#include "../posix/wait_child.hpp"
#include "kevent.hpp"
#include "open_kqueue.hpp"

#if !defined(EVFILT_USER)
#include "../posix/pipes.hpp"
#endif

namespace miocpp::sys::kqueue {

/// concepts::ChildWatch over EVFILT_PROC: the child `pid`. The descriptor handed out is the
/// private queue, which the caller owns and registers.
class ChildWatch {
 public:
  /// A process id, as EVFILT_PROC's ident and waitid take it.
  using process_id = ::pid_t;
  /// What watch() hands out to be registered: the private kqueue (where the system has no
  /// EVFILT_USER, a pipe in its place for a child that had exited before it was watched).
  using wake_type = posix::FileDescriptor;

  /// Watches nothing: try_wait reports `std::errc::bad_file_descriptor`.
  ChildWatch() noexcept = default;
  /// Takes the watch over; `other` watches nothing from then on.
  ChildWatch(ChildWatch&& other) noexcept : pid_(std::exchange(other.pid_, 0)) {}
  /// Takes the watch over; `other` watches nothing from then on.
  ChildWatch& operator=(ChildWatch&& other) noexcept {
    pid_ = std::exchange(other.pid_, 0);
    return *this;
  }
  ChildWatch(const ChildWatch&) = delete;
  ChildWatch& operator=(const ChildWatch&) = delete;
  ~ChildWatch() = default;

  /// Watches the child `pid`. `std::errc::no_child_process` when `pid` is not a child of this
  /// process (or was reaped already); `invalid_argument` for a pid below 1.
  ///
  /// A child may have exited already. FreeBSD attaches EVFILT_PROC to such a zombie and reports
  /// its exit at once; macOS and OpenBSD answer ESRCH. Then, once waitid says that it is still
  /// our unreaped child, the queue is made readable by other means, so that either way its exit
  /// is reported at the first poll.
  static ChildWatch watch(process_id pid, wake_type& wake, std::error_code& ec) noexcept {
    // EVFILT_PROC would accept any process this one can see: only children can be reaped.
    if (!posix::is_unreaped_child(pid, ec)) {
      return {};
    }
    posix::FileDescriptor queue = posix::adopt(open_kqueue(), ec);
    if (ec) {
      return {};
    }
    KEventChanges changes;
    changes.add(static_cast<std::uintptr_t>(pid), EVFILT_PROC, EV_ADD, 0, NOTE_EXIT);
    if (!changes.apply(queue.native_handle())) {
      ec = posix::last_error();
      return {};
    }
    if (const int error = changes.error(0); error == ESRCH) {
      if (!posix::is_unreaped_child(pid, ec)) {
        return {};  // reaped by someone else in the meantime
      }
      make_readable(queue, ec);
      if (ec) {
        return {};
      }
    } else if (error != 0) {
      ec = posix::errno_code(error);
      return {};
    }
    wake = std::move(queue);
    ChildWatch result;
    result.pid_ = pid;
    ec.clear();
    return result;
  }

  /// The child's status, reaping it, once it has exited; `std::errc::operation_would_block`
  /// while it runs. `wake` is the queue watch() handed out: once the child is reaped, its exit
  /// event is taken, so that the queue has nothing left to report and is no longer readable.
  /// (While the child runs there is nothing to take: an exit right after this look must stay
  /// pending, to be reported.)
  ExitStatus try_wait(int wake, std::error_code& ec) noexcept {
    const ExitStatus status = posix::reap_child(pid_, ec);
    if (!ec) {
      take_events(wake);
    }
    return status;
  }

 private:
  /// Makes `queue` readable, for a child that has exited already.
  static void make_readable(posix::FileDescriptor& queue, std::error_code& ec) noexcept {
#if defined(EVFILT_USER)
    // A user event added already triggered: pending until taken, once, as the exit would be.
    KEventChanges changes;
    changes.add(0, EVFILT_USER, EV_ADD | EV_ONESHOT, 0, NOTE_TRIGGER);
    if (!changes.apply(queue.native_handle())) {
      ec = posix::last_error();
      return;
    }
    ec = changes.error(0) != 0 ? posix::errno_code(changes.error(0)) : std::error_code{};
#else
    // No user events (older NetBSD and OpenBSD): the read end of a pipe whose write end is closed
    // is readable (end of file) for good, and takes the queue's place.
    auto ends = posix::Pipes::open(ec);
    if (!ec) {
      queue = std::move(ends.first);
    }
#endif
  }

  /// Takes what the queue holds without waiting: the exit event of a child that has been reaped.
  /// Errors are of no consequence, as the child is gone. (Where a pipe stands in for the queue,
  /// kevent refuses it and the pipe stays readable: nothing is watched through it any more.)
  static void take_events(int queue) noexcept {
    std::array<KEvent, 2> taken{};
    const ::timespec no_wait{};
    (void)::kevent(queue, nullptr, 0, taken.data(), static_cast<KEventCount>(taken.size()),
                   &no_wait);
  }

  process_id pid_ = 0;  // 0 once reaped, or when watching nothing
};

}  // namespace miocpp::sys::kqueue
