// What a signal watcher shares with the handler that counts for it, on every OS: which signals it
// watches and how many times each arrived since it last looked. POSIX and Windows differ only in
// which signals there are (one slot per signal number, or per console control event) and in how
// their handler wakes the watcher.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include "../../signal_count.hpp"

namespace miocpp::sys::common {

/// `Size` slots, each standing for one signal; a higher slot stands for a higher signal number,
/// so that take() reports in signal-number order.
template <std::size_t Size>
struct SignalCounts {
  /// Set before the watcher is published to its handler, and never changed after.
  std::array<bool, Size> watched{};
  /// What the handler adds to (lock-free, so async-signal-safe) and take() empties.
  std::array<std::atomic<std::uint32_t>, Size> counts{};

  /// Marks `signals` watched; `slot_of(signal)` is a signal's slot, or Size for one that cannot
  /// be watched. `std::errc::invalid_argument` (and nothing marked) for an empty list or such a
  /// signal.
  template <class SlotOf>
  void watch(std::span<const int> signals, SlotOf slot_of, std::error_code& ec) noexcept {
    if (signals.empty()) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return;
    }
    for (const int signal : signals) {
      if (slot_of(signal) >= Size) {
        ec = std::make_error_code(std::errc::invalid_argument);
        return;
      }
    }
    for (const int signal : signals) {
      watched[slot_of(signal)] = true;
    }
    ec.clear();
  }

  /// The first watched signal, in slot order, that arrived since it was last taken, with its
  /// count (back to 0 now); `signal_of(slot)` is the slot's signal number.
  /// `std::errc::operation_would_block` when none did.
  ///
  /// The wake handle is drained (`drain()`) only when no count is pending, and then the counts
  /// are looked at once more: a handler counts before it wakes, so a signal whose wake the drain
  /// took is found by that second look, and one after the drain wakes the handle again. A round
  /// of takes after an event thus costs one drain, however many signals it reports.
  template <class Drain, class SignalOf>
  SignalCount take(Drain drain, SignalOf signal_of, std::error_code& ec) noexcept {
    SignalCount found = first_pending(signal_of);
    if (found.count == 0) {
      drain();
      found = first_pending(signal_of);
    }
    if (found.count == 0) {
      ec = std::make_error_code(std::errc::operation_would_block);
      return {};
    }
    ec.clear();
    return found;
  }

 private:
  /// The first watched slot with a count, taken; a count of 0 when there is none.
  template <class SignalOf>
  SignalCount first_pending(SignalOf signal_of) noexcept {
    for (std::size_t slot = 0; slot < Size; ++slot) {
      if (watched[slot]) {
        if (const std::uint32_t count = counts[slot].exchange(0); count != 0) {
          return {signal_of(slot), count};
        }
      }
    }
    return {};
  }
};

}  // namespace miocpp::sys::common
