// What the poll(2) selector shares between its clones: the pollfd table, and the locking that lets
// other threads change it while one thread waits in poll(2).
#pragma once

#include <fcntl.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "../../../config.hpp"
#include "../../../interest.hpp"
#include "../../../token.hpp"
#include "../error.hpp"
#include "../file_descriptor.hpp"
#include "../notification.hpp"
#include "../timeout.hpp"
#include "poll_event.hpp"

namespace miocpp::sys::poll {

/// The registrations of one Poll and the wait on them.
///
/// poll(2) is level-triggered and stateless, so the edge-triggered contract is emulated, as mio
/// does: once a readiness has been reported its bits are taken out of the descriptor's pollfd
/// (disarmed) until the registration is re-armed, by IoSourceState::do_io when an operation would
/// block or by a reregistration. A pollfd whose bits are all used up stays in the table, because
/// poll(2) reports POLLHUP and POLLERR even for `events == 0`, and a hang-up or error that comes
/// later is a new edge (epoll reports it too). Once one has been reported, though, the pollfd gets
/// the descriptor -1, which poll(2) skips: otherwise every later poll would return at once.
///
/// Cost: every select hands poll(2) the whole table, so a wait costs O(registered descriptors) in
/// the kernel and in the scan of the results, however few are ready; choose epoll or kqueue where
/// they exist.
///
/// Threads: the waiting thread holds the mutex during poll(2), because the kernel writes the
/// table's revents. A thread that changes the table first counts itself in `waiting_`, then (if
/// the poller is inside poll(2)) writes to the notification descriptor, which is pollfd 0; the
/// poller drains it, sees the count, and releases the mutex on a condition variable until every
/// waiting change is done, then polls again with what remains of its timeout. So a change made
/// while another thread is blocked applies to that very wait, and a steady stream of waits cannot
/// starve the changes.
class SelectorState {
 public:
  /// pollfd 0 is the notification descriptor, pollfd 1 the Poll's Waker (-1 without one);
  /// registrations follow.
  static constexpr std::size_t notification_slot = 0;
  static constexpr std::size_t waker_slot = 1;
  static constexpr std::size_t first_registration = 2;

  /// Opens the notification descriptor; on failure `ec` is set and the state is unusable.
  explicit SelectorState(std::error_code& ec) : notification_(ec) {
    if (ec) {
      return;
    }
    pollfds_.push_back(::pollfd{notification_.read_fd(), POLLIN, 0});
    pollfds_.push_back(::pollfd{-1, POLLIN, 0});
    registrations_.resize(first_registration);
  }

  // ---- Registrations ----------------------------------------------------------------------------

  /// Adds `fd`; returns the registration's id (never 0), or 0 with `ec` set.
  std::uint64_t add(int fd, Token token, Interest interest, std::error_code& ec) noexcept {
    if (!check_interest(interest, ec) || !check_descriptor(fd, ec)) {
      return 0;
    }
    std::uint64_t id = 0;
    change([&] {
      if (slot_of(fd) != 0) {
        ec = std::make_error_code(std::errc::file_exists);
        return;
      }
      // The state's own descriptors are not for registering (epoll refuses itself too).
      if (fd == notification_.read_fd() || fd == waker_.native_handle()) {
        ec = std::make_error_code(std::errc::invalid_argument);
        return;
      }
      if (!reserve_for(fd, ec)) {
        return;
      }
      id = next_id_++;
      slot_of_fd_[static_cast<std::size_t>(fd)] = static_cast<std::uint32_t>(pollfds_.size());
      pollfds_.push_back(::pollfd{fd, to_poll(interest), 0});
      registrations_.push_back(Registration{token, fd, to_poll(interest), id});
      ec.clear();
    });
    return id;
  }

  /// Replaces the token and interest of `fd` and arms all of the interest again.
  void modify(int fd, Token token, Interest interest, std::error_code& ec) noexcept {
    if (!check_interest(interest, ec)) {
      return;
    }
    change([&] {
      const std::size_t slot = slot_of(fd);
      if (slot == 0) {
        ec = not_registered(fd);
        return;
      }
      registrations_[slot].token = token;
      registrations_[slot].interest = to_poll(interest);
      arm(slot);
      ec.clear();
    });
  }

  void remove(int fd, std::error_code& ec) noexcept {
    change([&] {
      const std::size_t slot = slot_of(fd);
      if (slot == 0) {
        ec = not_registered(fd);
        return;
      }
      erase(slot);
      ec.clear();
    });
  }

  /// Re-arms every readiness of registration `id` of `fd` (IoSourceState, after would-block).
  /// Does nothing when `fd` has been deregistered or registered anew since.
  void rearm(int fd, std::uint64_t id) noexcept {
    change([&] {
      const std::size_t slot = slot_of(fd);
      if (slot != 0 && registrations_[slot].id == id) {
        arm(slot);
      }
    });
  }

  /// Removes registration `id` of `fd` if it is still there (IoSourceState going away).
  void remove_registration(int fd, std::uint64_t id) noexcept {
    change([&] {
      const std::size_t slot = slot_of(fd);
      if (slot != 0 && registrations_[slot].id == id) {
        erase(slot);
      }
    });
  }

  /// Watches `fd` (an eventfd, or a pipe's read end) as the Poll's Waker, replacing any earlier
  /// one (a Poll has one Waker at a time). Unlike a registration it stays armed and is drained
  /// each time it is reported, so it reports at most once per select and never spins.
  ///
  /// The state watches a duplicate of `fd` that it owns: a Waker does not tell its selector when it
  /// goes away, and the number of a descriptor it has closed may be given to a socket that must
  /// not be drained. A Waker pipe that loses its write end reports POLLHUP, which closes the
  /// duplicate; an eventfd's duplicate is closed by the next Waker or with the Poll.
  void set_waker(int fd, Token token, std::error_code& ec) noexcept {
    posix::FileDescriptor duplicate(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    if (!duplicate.is_open()) {
      ec = posix::last_error();
      return;
    }
    change([&] {
      std::swap(waker_, duplicate);
      pollfds_[waker_slot].fd = waker_.native_handle();
      registrations_[waker_slot].token = token;
    });
    ec.clear();
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
      // Let every waiting change through before the table is handed to the kernel again.
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
      int ready = wait(remaining, truncated);
      const int error = errno;
      polling_.store(false);

      if (ready < 0) {
        if (error == EAGAIN) {  // the kernel ran short of memory for the wait: try again
          continue;
        }
        ec = posix::errno_code(error);
        return;
      }
      const bool notified = ready > 0 && pollfds_[notification_slot].revents != 0;
      if (notified) {
        notification_.drain();
        --ready;
      }
      if (ready > 0) {
        const std::size_t count = collect(events, ready);
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
  struct Registration {
    Token token;
    int fd = -1;
    short interest = 0;    // the poll events the registration asked for
    std::uint64_t id = 0;  // tells successive registrations of one descriptor number apart
  };

  // ---- The locking protocol ---------------------------------------------------------------------

  /// Runs `apply` under the mutex, first getting a thread blocked in poll(2) out of the way.
  template <class Apply>
  void change(Apply&& apply) noexcept {
    waiting_.fetch_add(1);
    if (polling_.load()) {
      notification_.notify();
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

  // ---- The table (all under the mutex) ----------------------------------------------------------

  static bool check_interest(Interest interest, std::error_code& ec) noexcept {
    if (interest.is_aio() || interest.is_lio()) {
      ec = std::make_error_code(std::errc::not_supported);
      return false;
    }
    return true;
  }

  /// poll(2) would report a bad descriptor only later, as POLLNVAL; registration reports EBADF
  /// now, as epoll_ctl and kevent do.
  static bool check_descriptor(int fd, std::error_code& ec) noexcept {
    if (fd < 0 || ::fcntl(fd, F_GETFD) < 0) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return false;
    }
    return true;
  }

  static constexpr int readable_events = POLLIN | pollrdhup;

  /// The error for an unregistered `fd`: EBADF for a descriptor that is not open (as epoll_ctl
  /// answers), ENOENT otherwise.
  static std::error_code not_registered(int fd) noexcept {
    std::error_code ec;
    return check_descriptor(fd, ec) ? std::make_error_code(std::errc::no_such_file_or_directory)
                                    : ec;
  }

  static short to_poll(Interest interest) noexcept {
    int events = 0;
    if (interest.is_readable()) {
      events |= readable_events;
    }
    if (interest.is_writable()) {
      events |= POLLOUT;
    }
    if (interest.is_priority()) {
      events |= POLLPRI;
    }
    return static_cast<short>(events);
  }

  /// Takes out of `entry` the readiness its revents report. Each bit is its own edge: a reported
  /// POLLIN leaves POLLRDHUP armed, so that a later shutdown by the peer is still reported, as
  /// epoll reports it. A hang-up or error ends the registration's edges until it is re-armed, so
  /// it takes the descriptor out as well.
  static void disarm(::pollfd& entry) noexcept {
    if ((entry.revents & (POLLHUP | POLLERR)) != 0) {
      entry.fd = -1;
      entry.events = 0;
      return;
    }
    entry.events = static_cast<short>(entry.events & ~entry.revents);
  }

  /// The pollfd index of `fd`, 0 when it is not registered.
  [[nodiscard]] std::size_t slot_of(int fd) const noexcept {
    const auto index = static_cast<std::size_t>(fd);
    return fd >= 0 && index < slot_of_fd_.size() ? slot_of_fd_[index] : 0;
  }

  /// Makes room for one more registration, so that the pushes after it cannot fail.
  bool reserve_for(int fd, std::error_code& ec) noexcept {
#if MIOCPP_HAS_EXCEPTIONS
    try {
#endif
      const auto index = static_cast<std::size_t>(fd);
      if (index >= slot_of_fd_.size()) {
        slot_of_fd_.resize(std::max(index + 1, slot_of_fd_.size() * 2), 0);
      }
      pollfds_.reserve(pollfds_.size() + 1);
      registrations_.reserve(registrations_.size() + 1);
      return true;
#if MIOCPP_HAS_EXCEPTIONS
    } catch (...) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return false;
    }
#else
    (void)ec;
#endif
  }

  void arm(std::size_t slot) noexcept {
    pollfds_[slot].fd = registrations_[slot].fd;
    pollfds_[slot].events = registrations_[slot].interest;
  }

  /// Removes a registration by moving the last one into its place.
  void erase(std::size_t slot) noexcept {
    slot_of_fd_[static_cast<std::size_t>(registrations_[slot].fd)] = 0;
    const std::size_t last = pollfds_.size() - 1;
    if (slot != last) {
      pollfds_[slot] = pollfds_[last];
      registrations_[slot] = registrations_[last];
      slot_of_fd_[static_cast<std::size_t>(registrations_[slot].fd)] =
          static_cast<std::uint32_t>(slot);
    }
    pollfds_.pop_back();
    registrations_.pop_back();
    if (scan_from_ >= pollfds_.size()) {
      scan_from_ = first_registration;
    }
  }

  /// poll(2) with the timeout rounded up to milliseconds, or ppoll(2) with nanoseconds where the
  /// rounding would matter. `truncated` says the OS got less than the whole timeout.
  int wait(std::optional<std::chrono::nanoseconds> timeout, bool& truncated) noexcept {
#if MIOCPP_OS_LINUX
    if (timeout && posix::needs_sub_millisecond_timer(*timeout)) {
      const ::timespec ts = posix::to_timespec(*timeout);
      return ::ppoll(pollfds_.data(), pollfds_.size(), &ts, nullptr);
    }
#endif
    truncated = timeout && *timeout > std::chrono::milliseconds(INT_MAX);
    return ::poll(pollfds_.data(), pollfds_.size(), posix::timeout_milliseconds(timeout));
  }

  /// Copies up to events.capacity() of the `ready` reported pollfds into `events` and disarms what
  /// they report. The scan resumes where a full buffer stopped the previous one, so a few busy
  /// descriptors cannot keep the others from being reported. Returns the count.
  std::size_t collect(Events& events, int ready) noexcept {
    Event* out = events.writable_data();
    const std::size_t capacity = events.capacity();
    std::size_t count = 0;

    ::pollfd& waker = pollfds_[waker_slot];
    if (waker.revents != 0 && capacity > 0) {
      --ready;
      if ((waker.revents & POLLIN) != 0) {
        posix::drain_readable(waker.fd);
        out[count++] = Event{registrations_[waker_slot].token.value, POLLIN};
      }
      if ((waker.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
        waker_.reset();  // the Waker's pipe lost its write end: that Waker is gone
        waker.fd = -1;
      }
    }

    bool closed = false;
    const std::size_t size = pollfds_.size();
    const std::size_t span = size - first_registration;
    std::size_t slot = scan_from_;
    for (std::size_t seen = 0; seen < span && ready > 0; ++seen) {
      ::pollfd& entry = pollfds_[slot];
      if (entry.revents != 0) {
        if (count == capacity) {
          scan_from_ = slot;
          break;
        }
        --ready;
        if ((entry.revents & POLLNVAL) != 0) {
          // Closed while registered. epoll and kqueue forget such a descriptor silently; so does
          // this selector, once it notices (below, after the scan).
          entry.fd = -1;
          closed = true;
        } else {
          out[count++] = Event{registrations_[slot].token.value, entry.revents};
          disarm(entry);
        }
      }
      slot = slot + 1 == size ? first_registration : slot + 1;
    }
    if (closed) {
      forget_closed();
    }
    return count;
  }

  /// Erases the registrations whose descriptors poll(2) found closed (POLLNVAL).
  void forget_closed() noexcept {
    for (std::size_t slot = first_registration; slot < pollfds_.size();) {
      if ((pollfds_[slot].revents & POLLNVAL) != 0) {
        pollfds_[slot].revents = 0;
        erase(slot);  // moves an unexamined entry here: look at this slot again
      } else {
        ++slot;
      }
    }
  }

  posix::Notification notification_;
  std::mutex mutex_;
  std::condition_variable changes_done_;
  std::atomic<std::size_t> waiting_{0};  // changes waiting for the mutex
  std::atomic<bool> polling_{false};     // the poller is in (or about to enter) poll(2)

  // Under the mutex.
  bool poller_waiting_ = false;  // the poller waits on changes_done_
  std::vector<::pollfd> pollfds_;
  std::vector<Registration> registrations_;  // parallel to pollfds_ (first two unused but tokens)
  std::vector<std::uint32_t> slot_of_fd_;    // descriptor number -> pollfd index (0: none)
  posix::FileDescriptor waker_;              // a duplicate of the Waker's descriptor
  std::uint64_t next_id_ = 1;
  std::size_t scan_from_ = first_registration;
};

}  // namespace miocpp::sys::poll
