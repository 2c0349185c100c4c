// What the WASI selector shares between its clones: the registrations and the poll_oneoff wait on
// them.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>
#include <vector>

#include <wasi/api.h>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../common/registration_table.hpp"
#include "clock.hpp"
#include "error.hpp"
#include "event.hpp"

namespace miocpp::sys::wasi {

/// The registrations of one Poll and the wait on them.
///
/// poll_oneoff is stateless: every call takes the whole list of subscriptions, one FD_READ or
/// FD_WRITE subscription per descriptor and direction, and reports what is ready now (level
/// triggered). The edge-triggered contract is emulated as on the poll(2) backend and as mio does
/// there: once a direction has been reported it is left out of the list (disarmed) until the
/// registration is re-armed, by IoSourceState::do_io when an operation would block or by a
/// reregistration. A direction that is ready but not delivered (the Events were full) stays armed
/// and comes back on the next select.
///
/// Each subscription's userdata is its registration's slot and direction, so that an event names
/// exactly the subscription to disarm however many registrations share a token; the event handed
/// to the caller carries the token instead.
///
/// Single-threaded: WASI preview1 has no threads, so nothing here locks. The vectors grow only
/// when a registration is added, so a select allocates nothing. It is the common::SharedTable
/// behind the Selector.
class SelectorState {
 public:
  using Events = wasi::Events;

  /// Nothing to open: the table grows with the registrations.
  explicit SelectorState(std::error_code& ec) noexcept { ec.clear(); }

  // ---- Registrations ----------------------------------------------------------------------------

  /// Adds `fd`; returns the registration's id (never 0), or 0 with `ec` set.
  std::uint64_t add(int fd, Token token, Interest interest, std::error_code& ec) noexcept {
    // poll_oneoff would report a bad descriptor only later, if at all.
    if (!check_interest(interest, ec) || !Table::check_descriptor(fd, ec)) {
      return 0;
    }
    // At most two subscriptions per registration and the clock: with room for them, no select
    // allocates until the next registration.
    const std::uint64_t id = table_.insert(
        fd,
        Registration{token, -1, interest.is_readable(), interest.is_writable(), false, false, 0},
        ec, [&](std::size_t registrations) {
          const std::size_t subscriptions = 2 * registrations + 1;
          subscriptions_.reserve(subscriptions);
          if (results_.size() < subscriptions) {
            results_.resize(std::max(subscriptions, results_.size() * 2));
          }
        });
    if (id != 0) {
      arm(table_[table_.size() - 1]);
    }
    return id;
  }

  /// Replaces the token and interest of `fd` and arms all of the interest again.
  void modify(int fd, Token token, Interest interest, std::error_code& ec) noexcept {
    if (!check_interest(interest, ec)) {
      return;
    }
    if (const std::size_t slot = table_.find(fd, ec); slot != table_.none) {
      Registration& registration = table_[slot];
      registration.token = token;
      registration.readable = interest.is_readable();
      registration.writable = interest.is_writable();
      arm(registration);
    }
  }

  void remove(int fd, std::error_code& ec) noexcept {
    if (const std::size_t slot = table_.find(fd, ec); slot != table_.none) {
      table_.erase(slot);
    }
  }

  /// Re-arms registration `id` of `fd` (IoSourceState, after would-block). Does nothing when `fd`
  /// has been deregistered or registered anew since.
  void rearm(int fd, std::uint64_t id) noexcept {
    if (const std::size_t slot = table_.slot_of(fd, id); slot != table_.none) {
      arm(table_[slot]);
    }
  }

  /// Removes registration `id` of `fd` if it is still there (IoSourceState going away).
  void remove_registration(int fd, std::uint64_t id) noexcept {
    if (const std::size_t slot = table_.slot_of(fd, id); slot != table_.none) {
      table_.erase(slot);
    }
  }

  // ---- Waiting ----------------------------------------------------------------------------------

  /// One select: waits until an armed subscription fires or `timeout` passes (nullopt: forever).
  ///
  /// The timeout is a relative monotonic clock subscription, rounded up to whole milliseconds. A
  /// runtime may still wake early (Node measures it against a loop time that it truncated to a
  /// millisecond), so a positive timeout reads the clock on entry, and a wake that brought no event
  /// before the deadline waits again for the rest. Nothing armed and no timeout would wait for
  /// ever in a single-threaded module, where nothing else can run: that reports
  /// std::errc::resource_deadlock_would_occur instead.
  ///
  /// A zero timeout stays zero, as the spec means it: collect what is ready. Node's uvwasi
  /// answers a clock under 1 ms with the clock alone, ready descriptors or not, so there a
  /// zero-timeout poll reports nothing; give it 1 ms to see them.
  void select(Events& events, std::optional<std::chrono::nanoseconds> timeout,
              std::error_code& ec) noexcept {
    events.clear();
    const bool timed = timeout && timeout->count() > 0;
    __wasi_timestamp_t start = 0;
    if (timed) {
      start = monotonic_now(ec);
      if (ec) {
        return;
      }
    }
    std::optional<std::chrono::nanoseconds> remaining = timeout;
    for (;;) {
      const std::size_t count = subscribe(remaining);
      if (count == 0) {
        ec = std::make_error_code(std::errc::resource_deadlock_would_occur);
        return;
      }
      __wasi_size_t fired = 0;
      if (!check(__wasi_poll_oneoff(subscriptions_.data(), results_.data(), count, &fired), ec)) {
        return;
      }
      if (collect(events, std::min<std::size_t>(fired, count)) != 0 || !timed) {
        return;
      }
      const __wasi_timestamp_t now = monotonic_now(ec);
      if (ec) {
        return;
      }
      const auto elapsed = std::chrono::nanoseconds(static_cast<std::int64_t>(now - start));
      if (elapsed >= *timeout) {
        return;
      }
      remaining = *timeout - elapsed;
    }
  }

 private:
  struct Registration {
    Token token;
    int fd = -1;
    bool readable = false;  // the interest
    bool writable = false;
    bool read_armed = false;  // the directions in the next subscription list
    bool write_armed = false;
    std::uint64_t id = 0;
  };

  static bool check_interest(Interest interest, std::error_code& ec) noexcept {
    if (interest.is_priority() || interest.is_aio() || interest.is_lio()) {
      ec = std::make_error_code(std::errc::not_supported);
      return false;
    }
    return true;
  }

  static bool is_open(int fd) noexcept {
    __wasi_fdstat_t status{};
    return fd >= 0 && __wasi_fd_fdstat_get(static_cast<__wasi_fd_t>(fd), &status) == 0;
  }
  using Table = common::RegistrationTable<Registration, &is_open>;

  static void arm(Registration& registration) noexcept {
    registration.read_armed = registration.readable;
    registration.write_armed = registration.writable;
  }

  /// Fills subscriptions_ with the armed directions, starting at the registration where a full
  /// Events stopped the last collect (so a few busy sources cannot keep the others out), then the
  /// clock. Returns the count; never allocates (see reserve_for).
  std::size_t subscribe(std::optional<std::chrono::nanoseconds> timeout) noexcept {
    subscriptions_.clear();
    const std::size_t size = table_.size();
    for (std::size_t seen = 0, slot = table_.scan_from(); seen < size;
         ++seen, slot = slot + 1 == size ? 0 : slot + 1) {
      const Registration& registration = table_[slot];
      // Both directions of one descriptor go in, the read first. Node's uvwasi reports only the
      // first subscription of a descriptor in one call; the other, still armed, comes next time.
      if (registration.read_armed) {
        subscriptions_.push_back(fd_subscription(registration.fd, slot, __WASI_EVENTTYPE_FD_READ));
      }
      if (registration.write_armed) {
        subscriptions_.push_back(fd_subscription(registration.fd, slot, __WASI_EVENTTYPE_FD_WRITE));
      }
    }
    if (timeout) {
      ::__wasi_subscription_t clock{};
      clock.u.tag = __WASI_EVENTTYPE_CLOCK;
      clock.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
      clock.u.u.clock.timeout = subscription_timeout(*timeout);
      clock.u.u.clock.precision = 0;
      clock.u.u.clock.flags = 0;  // relative: Node never fires an absolute monotonic timer
      subscriptions_.push_back(clock);
    }
    return subscriptions_.size();
  }

  /// userdata: the registration's slot, and the direction in the lowest bit.
  static ::__wasi_subscription_t fd_subscription(int fd, std::size_t slot,
                                                 __wasi_eventtype_t type) noexcept {
    ::__wasi_subscription_t subscription{};
    subscription.userdata = (static_cast<__wasi_userdata_t>(slot) << 1U) |
                            (type == __WASI_EVENTTYPE_FD_WRITE ? 1U : 0U);
    subscription.u.tag = type;
    subscription.u.u.fd_read.file_descriptor = static_cast<__wasi_fd_t>(fd);
    return subscription;
  }

  /// Copies up to events.capacity() of the `fired` results into `events`, with the token in
  /// userdata, and disarms each delivered direction. Returns the count.
  std::size_t collect(Events& events, std::size_t fired) noexcept {
    Event* out = events.writable_data();
    const std::size_t capacity = events.capacity();
    std::size_t count = 0;
    for (std::size_t i = 0; i < fired; ++i) {
      const ::__wasi_event_t& result = results_[i];
      if (result.type != __WASI_EVENTTYPE_FD_READ && result.type != __WASI_EVENTTYPE_FD_WRITE) {
        continue;  // the clock
      }
      const auto slot = static_cast<std::size_t>(result.userdata >> 1U);
      if (slot >= table_.size()) {
        continue;  // not a userdata this selector wrote: ignore it rather than trust it
      }
      if (count == capacity) {
        table_.resume_scan_at(slot);
        break;
      }
      Registration& registration = table_[slot];
      out[count] = Event{result};
      out[count].raw.userdata = registration.token.value;
      ++count;
      if (result.type == __WASI_EVENTTYPE_FD_READ) {
        registration.read_armed = false;
      } else {
        registration.write_armed = false;
      }
    }
    events.set_size(count);
    return count;
  }

  Table table_;
  std::vector<::__wasi_subscription_t> subscriptions_;  // rebuilt by each select
  std::vector<::__wasi_event_t> results_;               // what poll_oneoff writes
};

}  // namespace miocpp::sys::wasi
