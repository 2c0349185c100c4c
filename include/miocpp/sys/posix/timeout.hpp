// Converting a poll timeout for the OS without ever firing early.
#pragma once

#include <chrono>
#include <climits>
#include <ctime>
#include <optional>

namespace miocpp::sys::posix {

/// Milliseconds for epoll_wait/poll: -1 blocks, a negative duration is 0, and any fraction of a
/// millisecond rounds *up*, so a 100 µs timeout waits ~1 ms instead of spinning at 0. Clamped to
/// INT_MAX (about 24.8 days).
inline int timeout_milliseconds(std::optional<std::chrono::nanoseconds> timeout) noexcept {
  if (!timeout) {
    return -1;
  }
  if (timeout->count() <= 0) {
    return 0;
  }
  const auto millis = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
  return millis > INT_MAX ? INT_MAX : static_cast<int>(millis);
}

/// True when `timeout` is not a whole number of milliseconds that fits an int, i.e. when a
/// millisecond-resolution call would have to round it.
inline bool needs_sub_millisecond_timer(std::chrono::nanoseconds timeout) noexcept {
  return timeout.count() > 0 && (timeout % std::chrono::milliseconds(1) != timeout.zero() ||
                                 timeout > std::chrono::milliseconds(INT_MAX));
}

inline ::timespec to_timespec(std::chrono::nanoseconds timeout) noexcept {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(timeout);
  return ::timespec{static_cast<std::time_t>(seconds.count()),
                    static_cast<long>((timeout - seconds).count())};
}

}  // namespace miocpp::sys::posix
