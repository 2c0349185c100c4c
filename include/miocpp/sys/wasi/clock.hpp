// The monotonic clock and the timeout of a wait, as WASI counts them (nanoseconds).
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <system_error>

#include <wasi/api.h>

#include "error.hpp"

namespace miocpp::sys::wasi {

/// The monotonic clock now, in nanoseconds.
inline __wasi_timestamp_t monotonic_now(std::error_code& ec) noexcept {
  __wasi_timestamp_t now = 0;
  check(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now), ec);
  return now;
}

/// `timeout` as a relative clock subscription's timeout: rounded up to a whole millisecond,
/// because some runtimes (Node's uvwasi) drop the sub-millisecond part, and a timer must not fire
/// early. Zero stays zero; negative counts as zero.
inline __wasi_timestamp_t subscription_timeout(std::chrono::nanoseconds timeout) noexcept {
  constexpr std::uint64_t millisecond = 1'000'000;
  if (timeout.count() <= 0) {
    return 0;
  }
  const auto nanoseconds = static_cast<std::uint64_t>(timeout.count());
  const std::uint64_t milliseconds = nanoseconds / millisecond + (nanoseconds % millisecond != 0);
  if (milliseconds > std::numeric_limits<__wasi_timestamp_t>::max() / millisecond) {
    return std::numeric_limits<__wasi_timestamp_t>::max();
  }
  return milliseconds * millisecond;
}

}  // namespace miocpp::sys::wasi
