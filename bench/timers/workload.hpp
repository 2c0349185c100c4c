// What every library's timers do in bench_timers: the same random deadlines, drawn the same way.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace bench {

using Clock = std::chrono::steady_clock;

/// splitmix64: fast, and the same sequence for every library from the same seed.
class Random {
 public:
  explicit Random(std::uint64_t seed) noexcept : state_(seed) {}

  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31U);
  }

  /// A number in [0, bound).
  std::size_t below(std::size_t bound) noexcept { return static_cast<std::size_t>(next() % bound); }

  /// A deadline offset for the live timers that never fire during a run: 60 to 120 s away, as
  /// idle and request timeouts are, spread over many slots of the higher wheel levels.
  std::chrono::nanoseconds far() noexcept {
    return std::chrono::seconds(60) + std::chrono::nanoseconds(next() % 60'000'000'000ULL);
  }

  /// A deadline offset for the timers that fire during start+expire: 1 to 4 ms away.
  std::chrono::nanoseconds near() noexcept {
    return std::chrono::milliseconds(1) + std::chrono::nanoseconds(next() % 3'000'000ULL);
  }

 private:
  std::uint64_t state_;
};

/// An offset in whole milliseconds, rounded up (libuv counts milliseconds).
inline std::uint64_t milliseconds_of(std::chrono::nanoseconds offset) noexcept {
  return static_cast<std::uint64_t>(std::chrono::ceil<std::chrono::milliseconds>(offset).count());
}

}  // namespace bench
