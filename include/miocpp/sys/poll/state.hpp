// What the poll(2) selector shares between its clones: its pollfds, and the locking that lets
// other threads change them while one thread waits in poll(2).
#pragma once

#include <poll.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../posix/duplicate.hpp"
#include "../posix/error.hpp"
#include "../posix/file_descriptor.hpp"
#include "../posix/wake_fd.hpp"
#include "event.hpp"
#include "pollfds.hpp"

namespace miocpp::sys::poll {

/// The registrations of one Poll and the wait on them (common::SharedTable; the emulation of edge
/// triggering is Pollfds').
///
/// Cost: every select hands poll(2) every registration, so a wait costs O(registered descriptors)
/// in the kernel and in the scan of the results, however few are ready; choose epoll or kqueue
/// where they exist.
///
/// Threads: the waiting thread holds the mutex during poll(2), because the kernel writes the
/// pollfds' revents. A thread that changes them first counts itself in `waiting_`, then (if the
/// poller is inside poll(2)) notifies the wake descriptor, which is pollfd 0; the poller drains
/// it, sees the count, and releases the mutex on a condition variable until every waiting change
/// is done, then polls again with what remains of its timeout. So a change made while another
/// thread is blocked applies to that very wait, and a steady stream of waits cannot starve the
/// changes.
class SelectorState {
 public:
  using Events = poll::Events;

  /// Opens the wake descriptor; on failure `ec` is set and the state is unusable.
  explicit SelectorState(std::error_code& ec)
      : notification_(ec), pollfds_(notification_.read_fd()) {}

  // ---- Registrations ----------------------------------------------------------------------------

  /// Adds `fd`; returns the registration's id (never 0), or 0 with `ec` set.
  std::uint64_t add(int fd, Token token, Interest interest, std::error_code& ec) noexcept {
    if (!Pollfds::check_interest(interest, ec) || !Pollfds::check_descriptor(fd, ec)) {
      return 0;
    }
    std::uint64_t id = 0;
    change([&] { id = pollfds_.add(fd, token, interest, ec); });
    return id;
  }

  /// Replaces the token and interest of `fd` and arms all of the interest again.
  void modify(int fd, Token token, Interest interest, std::error_code& ec) noexcept {
    if (Pollfds::check_interest(interest, ec)) {
      change([&] { pollfds_.modify(fd, token, interest, ec); });
    }
  }

  void remove(int fd, std::error_code& ec) noexcept {
    change([&] { pollfds_.remove(fd, ec); });
  }

  /// Re-arms every readiness of registration `id` of `fd` (IoSourceState, after would-block).
  /// Does nothing when `fd` has been deregistered or registered anew since.
  void rearm(int fd, std::uint64_t id) noexcept {
    change([&] { pollfds_.rearm(fd, id); });
  }

  /// Removes registration `id` of `fd` if it is still there (IoSourceState going away).
  void remove_registration(int fd, std::uint64_t id) noexcept {
    change([&] { pollfds_.remove_registration(fd, id); });
  }

  /// Watches `fd` (an eventfd, or a pipe's read end) as the Poll's Waker, replacing any earlier
  /// one (a Poll has one Waker at a time). Unlike a registration it stays armed and is drained
  /// each time it is reported, so it reports at most once per select and never spins.
  ///
  /// The state watches a duplicate of `fd` that it owns: a Waker does not tell its selector when it
  /// goes away, and the number of a descriptor it has closed may be given to a socket that must
  /// not be drained. A Waker pipe that loses its write end reports POLLHUP, which closes the
  /// duplicate; an eventfd's duplicate is closed by the next Waker or with the Poll.
  void register_waker(int fd, Token token, std::error_code& ec) noexcept {
    posix::FileDescriptor duplicate = posix::duplicate(fd, ec);
    if (ec) {
      return;
    }
    change([&] { pollfds_.set_waker(duplicate, token); });
  }  // the previous Waker's duplicate (if any) is closed here, outside the lock

  // ---- Waiting ----------------------------------------------------------------------------------

  /// One select: waits until a registered descriptor or the Waker is ready, `timeout` passes
  /// (nullopt: forever) or a signal arrives (std::errc::interrupted). In the steady state that is
  /// one poll(2) call; a change from another thread costs another, and then -- for a positive
  /// timeout -- the wait resumes with the time that is left, measured from a clock reading taken
  /// on entry (only for a positive timeout, as nothing else needs it).
  void select(Events& events, std::optional<std::chrono::nanoseconds> timeout,
              std::error_code& ec) noexcept {
    using clock = std::chrono::steady_clock;
    events.clear();
    const bool timed = timeout && timeout->count() > 0;
    const clock::time_point start = timed ? clock::now() : clock::time_point();
    std::optional<std::chrono::nanoseconds> remaining = timeout;

    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      // Let every waiting change through before the pollfds are handed to the kernel again.
      while (waiting_.load() != 0) {
        poller_waiting_ = true;
        changes_done_.wait(lock);
        poller_waiting_ = false;
      }
      // Paired with change(): it counts itself in `waiting_` and then reads `polling_`; this
      // stores `polling_` and then reads `waiting_` (all sequentially consistent), so either the
      // change sees this thread polling and notifies it, or this thread sees the change and
      // waits for it instead of polling.
      polling_.store(true);
      if (waiting_.load() != 0) {
        polling_.store(false);
        continue;
      }
      bool truncated = false;
      int ready = pollfds_.poll(remaining, truncated);
      const int error = errno;
      polling_.store(false);

      if (ready < 0) {
        if (error == EAGAIN) {  // the kernel ran short of memory for the wait: try again
          continue;
        }
        ec = posix::errno_code(error);
        return;
      }
      const bool notified = ready > 0 && pollfds_.notified();
      if (notified) {
        notification_.drain();
        --ready;
      }
      if (ready > 0) {
        const std::size_t count = pollfds_.collect(events, ready);
        if (count > 0) {
          events.set_size(count);
          ec.clear();
          return;
        }
      } else if (!notified && !truncated) {
        ec.clear();  // the timeout passed
        return;
      }
      // Woken only by a change or by a closed descriptor, or the OS could not take the whole
      // timeout at once: wait again for the rest.
      if (timed) {
        remaining =
            *timeout - std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - start);
        if (remaining->count() <= 0) {
          ec.clear();
          return;
        }
      } else if (timeout) {
        ec.clear();  // a zero timeout only collects what is ready
        return;
      }
    }
  }

 private:
  /// Runs `apply` under the mutex, first getting a thread blocked in poll(2) out of the way.
  template <class Apply>
  void change(Apply&& apply) noexcept {
    waiting_.fetch_add(1);
    if (polling_.load()) {
      std::error_code ignored;  // it can fail only when it is readable already
      notification_.notify(ignored);
    }
    std::unique_lock<std::mutex> lock(mutex_);
    std::forward<Apply>(apply)();
    // Decremented under the mutex, so the poller cannot miss the last one between its check of
    // the count and its wait.
    const bool wake_poller = waiting_.fetch_sub(1) == 1 && poller_waiting_;
    lock.unlock();
    if (wake_poller) {
      changes_done_.notify_one();
    }
  }

  posix::WakeFd<> notification_;  // an eventfd where there is one, whatever the Waker uses
  std::mutex mutex_;
  std::condition_variable changes_done_;
  std::atomic<std::size_t> waiting_{0};  // changes waiting for the mutex
  std::atomic<bool> polling_{false};     // the poller is in (or about to enter) poll(2)

  // Under the mutex.
  bool poller_waiting_ = false;  // the poller waits on changes_done_
  Pollfds pollfds_;
};

}  // namespace miocpp::sys::poll
