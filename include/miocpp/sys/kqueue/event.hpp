// The record the kqueue selector reports: one kevent as the kernel wrote it.
#pragma once

#include <cstddef>
#include <ostream>

#include "../../token.hpp"
#include "../common/event_buffer.hpp"
#include "event_debug.hpp"
#include "kevent.hpp"

namespace miocpp::sys::kqueue {

/// The token lives in `udata`. A descriptor is watched through one filter per kind of readiness,
/// so each event is about one filter.
struct Event {
  KEvent raw;

  [[nodiscard]] Token token() const noexcept {
    return Token(static_cast<std::size_t>(kevent_user_data(raw)));
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
    return aio_filter && filter_is(*aio_filter);
  }
  [[nodiscard]] bool is_lio() const noexcept {
    return lio_filter && filter_is(*lio_filter);
  }

  void debug_details(std::ostream& os) const {
    print_kevent(os, raw);
  }

 private:
  [[nodiscard]] bool filter_is(long long filter) const noexcept {
    return is_kevent_filter(raw, filter);
  }
  [[nodiscard]] bool has(unsigned long long flags) const noexcept {
    return has_kevent_flags(raw, flags);
  }
};

using Events = common::EventBuffer<Event>;

}  // namespace miocpp::sys::kqueue
