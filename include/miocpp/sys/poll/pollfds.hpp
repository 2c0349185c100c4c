// The pollfd array the poll(2) selector hands the kernel, the registrations behind it, and the
// edge-triggered emulation over it: what has been reported is disarmed until it is re-armed.
#pragma once

#include <fcntl.h>
#include <poll.h>

#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "../../config.hpp"
#include "../../interest.hpp"
#include "../../token.hpp"
#include "../common/registration_table.hpp"
#include "../posix/file_descriptor.hpp"
#include "../posix/timeout.hpp"
#include "../posix/wake_fd.hpp"
#include "event.hpp"

namespace miocpp::sys::poll {

/// poll(2) is level-triggered and stateless, so the edge-triggered contract is emulated, as mio
/// does: once a readiness has been reported its bits are taken out of the descriptor's pollfd
/// (disarmed) until the registration is re-armed, by IoSourceState::do_io when an operation would
/// block or by a reregistration. A pollfd whose bits are all used up stays in the array, because
/// poll(2) reports POLLHUP and POLLERR even for `events == 0`, and a hang-up or error that comes
/// later is a new edge (epoll reports it too). Once one has been reported, though, the pollfd gets
/// the descriptor -1, which poll(2) skips: otherwise every later poll would return at once.
///
/// Not thread-safe: SelectorState calls it under its mutex, except for the static checks.
class Pollfds {
 public:
  /// pollfd 0 is the selector's notification descriptor, pollfd 1 the Poll's Waker (-1 without
  /// one); the registration in slot `s` of the table is pollfd first_registration + s.
  static constexpr std::size_t notification_slot = 0;
  static constexpr std::size_t waker_slot = 1;
  static constexpr std::size_t first_registration = 2;

  explicit Pollfds(int notification_fd)
      : pollfds_{::pollfd{notification_fd, POLLIN, 0}, ::pollfd{-1, POLLIN, 0}} {}

  static bool check_interest(Interest interest, std::error_code& ec) noexcept {
    if (interest.is_aio() || interest.is_lio()) {
      ec = std::make_error_code(std::errc::not_supported);
      return false;
    }
    return true;
  }

  /// poll(2) would report a bad descriptor only later, as POLLNVAL.
  static bool check_descriptor(int fd, std::error_code& ec) noexcept {
    return Table::check_descriptor(fd, ec);
  }

  // ---- Registrations ----------------------------------------------------------------------------

  /// Adds `fd`; returns the registration's id (never 0), or 0 with `ec` set.
  std::uint64_t add(int fd, Token token, Interest interest, std::error_code& ec) noexcept {
    // The selector's own descriptors are not for registering (epoll refuses itself too).
    if (fd == pollfds_[notification_slot].fd || fd == waker_.native_handle()) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return 0;
    }
    const std::uint64_t id = table_.insert(
        fd, Registration{token, -1, to_poll(interest), 0}, ec,
        [&](std::size_t registrations) { pollfds_.reserve(first_registration + registrations); });
    if (id != 0) {
      pollfds_.push_back(::pollfd{fd, to_poll(interest), 0});
    }
    return id;
  }

  /// Replaces the token and interest of `fd` and arms all of the interest again.
  void modify(int fd, Token token, Interest interest, std::error_code& ec) noexcept {
    if (const std::size_t slot = table_.find(fd, ec); slot != table_.none) {
      table_[slot].token = token;
      table_[slot].interest = to_poll(interest);
      arm(slot);
    }
  }

  void remove(int fd, std::error_code& ec) noexcept {
    if (const std::size_t slot = table_.find(fd, ec); slot != table_.none) {
      erase(slot);
    }
  }

  /// Re-arms every readiness of registration `id` of `fd`, if it is still there.
  void rearm(int fd, std::uint64_t id) noexcept {
    if (const std::size_t slot = table_.slot_of(fd, id); slot != table_.none) {
      arm(slot);
    }
  }

  /// Removes registration `id` of `fd` if it is still there.
  void remove_registration(int fd, std::uint64_t id) noexcept {
    if (const std::size_t slot = table_.slot_of(fd, id); slot != table_.none) {
      erase(slot);
    }
  }

  /// Watches `waker` (a duplicate of the Waker's descriptor) with `token`, and hands back the
  /// previous Waker's duplicate in its place, for the caller to close outside the lock.
  void set_waker(posix::FileDescriptor& waker, Token token) noexcept {
    std::swap(waker_, waker);
    pollfds_[waker_slot].fd = waker_.native_handle();
    waker_token_ = token;
  }

  // ---- Waiting ----------------------------------------------------------------------------------

  /// poll(2) with the timeout rounded up to milliseconds, or ppoll(2) with nanoseconds where the
  /// rounding would matter. `truncated` says the OS got less than the whole timeout.
  int poll(std::optional<std::chrono::nanoseconds> timeout, bool& truncated) noexcept {
#if MIOCPP_OS_LINUX
    if (timeout && posix::needs_sub_millisecond_timer(*timeout)) {
      const ::timespec ts = posix::to_timespec(*timeout);
      return ::ppoll(pollfds_.data(), pollfds_.size(), &ts, nullptr);
    }
#endif
    truncated = timeout && *timeout > std::chrono::milliseconds(INT_MAX);
    return ::poll(pollfds_.data(), pollfds_.size(), posix::timeout_milliseconds(timeout));
  }

  /// Whether the last poll reported the notification descriptor.
  [[nodiscard]] bool notified() const noexcept {
    return pollfds_[notification_slot].revents != 0;
  }

  /// Copies up to events.capacity() of the `ready` reported pollfds (the notification descriptor
  /// left out) into `events` and disarms what they report. The scan resumes where a full buffer
  /// stopped the previous one. Returns the count.
  std::size_t collect(Events& events, int ready) noexcept {
    Event* out = events.writable_data();
    const std::size_t capacity = events.capacity();
    std::size_t count = 0;

    ::pollfd& waker = pollfds_[waker_slot];
    if (waker.revents != 0 && capacity > 0) {
      --ready;
      if ((waker.revents & POLLIN) != 0) {
        posix::drain_readable(waker.fd);
        out[count++] = Event{waker_token_.value, POLLIN};
      }
      if ((waker.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
        waker_.reset();  // the Waker's pipe lost its write end: that Waker is gone
        waker.fd = -1;
      }
    }

    bool closed = false;
    const std::size_t size = table_.size();
    std::size_t slot = table_.scan_from();
    for (std::size_t seen = 0; seen < size && ready > 0; ++seen) {
      ::pollfd& entry = pollfds_[first_registration + slot];
      if (entry.revents != 0) {
        if (count == capacity) {
          table_.resume_scan_at(slot);
          break;
        }
        --ready;
        if ((entry.revents & POLLNVAL) != 0) {
          // Closed while registered. epoll and kqueue forget such a descriptor silently; so does
          // this selector, once it notices (below, after the scan).
          entry.fd = -1;
          closed = true;
        } else {
          out[count++] = Event{table_[slot].token.value, entry.revents};
          disarm(entry);
        }
      }
      slot = slot + 1 == size ? 0 : slot + 1;
    }
    if (closed) {
      forget_closed();
    }
    return count;
  }

 private:
  struct Registration {
    Token token;
    int fd = -1;
    short interest = 0;  // the poll events the registration asked for
    std::uint64_t id = 0;
  };

  static bool is_open(int fd) noexcept {
    return fd >= 0 && ::fcntl(fd, F_GETFD) >= 0;
  }
  using Table = common::RegistrationTable<Registration, &is_open>;

  static constexpr int readable_events = POLLIN | pollrdhup;

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

  void arm(std::size_t slot) noexcept {
    pollfds_[first_registration + slot].fd = table_[slot].fd;
    pollfds_[first_registration + slot].events = table_[slot].interest;
  }

  /// Removes a registration and its pollfd, the last of each moving into the gap.
  void erase(std::size_t slot) noexcept {
    table_.erase(slot);
    pollfds_[first_registration + slot] = pollfds_.back();
    pollfds_.pop_back();
  }

  /// Erases the registrations whose descriptors poll(2) found closed (POLLNVAL).
  void forget_closed() noexcept {
    for (std::size_t slot = 0; slot < table_.size();) {
      ::pollfd& entry = pollfds_[first_registration + slot];
      if ((entry.revents & POLLNVAL) != 0) {
        entry.revents = 0;
        erase(slot);  // moves an unexamined entry here: look at this slot again
      } else {
        ++slot;
      }
    }
  }

  std::vector<::pollfd> pollfds_;
  Table table_;
  posix::FileDescriptor waker_;  // a duplicate of the Waker's descriptor
  Token waker_token_;
};

}  // namespace miocpp::sys::poll
