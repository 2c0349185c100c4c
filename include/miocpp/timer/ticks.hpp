// The timing wheel's time: whole milliseconds since one instant, deadlines rounded up.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <ratio>

namespace miocpp::timer::detail {

using clock = std::chrono::steady_clock;

// A tick of 1 ms has to be a whole number of clock units.
static_assert(std::ratio_less_equal_v<clock::period, std::milli>,
              "steady_clock must count at least milliseconds");

/// Converts between steady_clock time points and ticks, the whole milliseconds since an origin.
/// A deadline rounds *up* to the next tick boundary, so no timer fires before its deadline; a
/// `now` rounds *down*, so a tick counts as reached only once all of it has passed.
///
/// The arithmetic is done on the clock's count as unsigned 64-bit numbers: every time point
/// after the origin is then a distance that fits, whatever the two values (time_point::max(), a
/// negative origin), so no subtraction can overflow.
class TickClock {
 public:
  /// Clock units in one tick.
  static constexpr std::uint64_t units_per_tick =
      static_cast<std::uint64_t>(clock::duration(std::chrono::milliseconds(1)).count());

  explicit TickClock(clock::time_point origin) noexcept : origin_(origin) {}

  [[nodiscard]] clock::time_point origin() const noexcept { return origin_; }

  /// The tick whose boundary a timer with `deadline` waits for: the first at or after it, 0 for
  /// any deadline at or before the origin. Below 2^45 for every time point.
  [[nodiscard]] std::uint64_t tick_of(clock::time_point deadline) const noexcept {
    if (deadline <= origin_) {
      return 0;
    }
    const std::uint64_t distance = units_since_origin(deadline);
    return distance / units_per_tick + (distance % units_per_tick != 0 ? 1 : 0);
  }

  /// The last tick boundary at or before `now`; nullopt before the origin (no tick reached).
  [[nodiscard]] std::optional<std::uint64_t> reached_by(clock::time_point now) const noexcept {
    if (now < origin_) {
      return std::nullopt;
    }
    return units_since_origin(now) / units_per_tick;
  }

  /// The time point at which `tick` begins, or time_point::max() if that is past the clock's
  /// range (a deadline within a millisecond of time_point::max()).
  [[nodiscard]] clock::time_point time_of(std::uint64_t tick) const noexcept {
    const std::uint64_t room = units_since_origin(clock::time_point::max());
    if (tick > room / units_per_tick) {
      return clock::time_point::max();
    }
    return origin_ + clock::duration(static_cast<clock::rep>(tick * units_per_tick));
  }

  /// `from` + `delta`, held at the ends of the clock's range instead of overflowing.
  [[nodiscard]] static clock::time_point later(clock::time_point from,
                                               clock::duration delta) noexcept {
    using limits = std::numeric_limits<clock::rep>;
    const clock::rep base = from.time_since_epoch().count();
    const clock::rep step = delta.count();
    if (step > 0 && base > limits::max() - step) {
      return clock::time_point::max();
    }
    if (step < 0 && base < limits::min() - step) {
      return clock::time_point::min();
    }
    return from + delta;
  }

  /// The nanoseconds from `now` until `then` (which is later), rounded up and held at
  /// nanoseconds::max().
  [[nodiscard]] static std::chrono::nanoseconds wait_until(clock::time_point then,
                                                           clock::time_point now) noexcept {
    const std::uint64_t units = static_cast<std::uint64_t>(then.time_since_epoch().count()) -
                                static_cast<std::uint64_t>(now.time_since_epoch().count());
    using unit_ratio = std::ratio_divide<clock::period, std::nano>;
    static_assert(unit_ratio::den == 1, "steady_clock finer than a nanosecond");
    constexpr auto per_unit = static_cast<std::uint64_t>(unit_ratio::num);
    constexpr auto most = static_cast<std::uint64_t>(std::chrono::nanoseconds::max().count());
    if (units > most / per_unit) {
      return std::chrono::nanoseconds::max();
    }
    return std::chrono::nanoseconds(static_cast<std::chrono::nanoseconds::rep>(units * per_unit));
  }

 private:
  /// Clock units from the origin to `point`, which is not before it.
  [[nodiscard]] std::uint64_t units_since_origin(clock::time_point point) const noexcept {
    return static_cast<std::uint64_t>(point.time_since_epoch().count()) -
           static_cast<std::uint64_t>(origin_.time_since_epoch().count());
  }

  clock::time_point origin_;
};

}  // namespace miocpp::timer::detail
