// TimerId: names one started timer until it fires or is cancelled, and nothing after that.
#pragma once

#include <cstdint>

namespace miocpp {

class Timers;

/// The name of a timer started on a Timers, for Timers::cancel and Timers::reset. It names that
/// timer until the timer fires (Timers::expire hands the id back one last time) or is cancelled;
/// from then on it is stale, and every call with it returns false and touches nothing, even once
/// the timer's storage holds another timer: each slot of a Timers counts the timers it has held
/// (a generation), and an id carries the count it was issued with.
///
/// A default-constructed id names no timer. Two ids are equal when they name the same start of
/// the same slot. Trivially copyable, the size of two 32-bit numbers.
class TimerId {
 public:
  /// Names no timer: Timers::cancel and Timers::reset return false for it.
  constexpr TimerId() noexcept = default;

  /// Equal when both name the same start of the same slot (or both are the default id).
  friend constexpr bool operator==(TimerId, TimerId) noexcept = default;

 private:
  friend class Timers;

  constexpr TimerId(std::uint32_t index, std::uint32_t generation) noexcept
      : index_(index), generation_(generation) {}

  std::uint32_t index_ = 0;
  // Live slots have odd generations, so the default 0 never matches one.
  std::uint32_t generation_ = 0;
};

}  // namespace miocpp
