// The hierarchical timing wheel: which list holds each timer, and which list is due next.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "list_sort.hpp"
#include "slab.hpp"
#include "ticks.hpp"

namespace miocpp::timer::detail {

/// Timers bucketed by tick in 8 levels of 64 slots (Varghese & Lauck's hierarchical wheel, laid
/// out as tokio's): a slot of level l spans 64^l ticks, so level 0 holds single milliseconds and
/// the eight levels together span 2^48 ms, more than any steady_clock time point can be from
/// another (2^64 ns is under 2^45 ms). Six levels (tokio's) reach only 2.2 years and would have
/// to park later deadlines in the top level and re-insert them; here no deadline is out of range.
///
/// A timer's level is that of the highest 6-bit group in which its tick differs from the tick the
/// wheel has reached (elapsed_); its slot is its tick's digit in that group. So level 0 holds
/// the timers of the current 64 ms, level 1 those of the current 4 s, and so on, and every slot
/// of a level comes before every slot of the levels above it: the next slot due is the first
/// occupied one of the lowest occupied level. A 64-bit occupancy mask per level finds it with
/// one count of trailing zeros. When the wheel reaches a slot above level 0, its timers move
/// down (a cascade); a timer moves at most 7 times in its life, and start, cancel and reset are
/// O(1): each slot's list is doubly linked through the slab records.
// Every index into the arrays below is a level (< 8) or a list number (< 512), made from shifts
// and masks; .at() would add a check and an exception path that the O(1) operations do without.
// NOLINTBEGIN(cppcoreguidelines-pro-bounds-constant-array-index)
class TimerWheel {
 public:
  static constexpr unsigned level_bits = 6;
  static constexpr unsigned slots_per_level = 1U << level_bits;
  static constexpr unsigned levels = 8;

  /// An occupied slot, and the tick at which it begins.
  struct Slot {
    unsigned level;
    unsigned index;  // into the list heads: level * 64 + slot
    std::uint64_t start;
  };

  explicit TimerWheel(clock::time_point origin) noexcept : ticks_(origin) { clear(); }
  /// Takes `other`'s lists (which index `other`'s slab, moved alongside); `other` is left empty.
  TimerWheel(TimerWheel&& other) noexcept
      : ticks_(other.ticks_),
        elapsed_(other.elapsed_),
        occupied_(other.occupied_),
        sorted_(other.sorted_),
        heads_(other.heads_),
        tails_(other.tails_) {
    other.clear();
  }
  TimerWheel& operator=(TimerWheel&& other) noexcept {
    if (this != &other) {
      ticks_ = other.ticks_;
      elapsed_ = other.elapsed_;
      occupied_ = other.occupied_;
      sorted_ = other.sorted_;
      heads_ = other.heads_;
      tails_ = other.tails_;
      other.clear();
    }
    return *this;
  }
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;
  ~TimerWheel() = default;

  [[nodiscard]] const TickClock& ticks() const noexcept { return ticks_; }

  /// Moves the wheel's position forward to `tick` (never back). Only up to the start of the
  /// next occupied slot: Timers::expire processes that slot before going past it.
  void advance_to(std::uint64_t tick) noexcept { elapsed_ = tick > elapsed_ ? tick : elapsed_; }

  /// Appends the record `index` to the list of the slot of `tick`, the tick it is due at
  /// (ticks().tick_of(its deadline), or an earlier one). A tick the wheel has already reached
  /// goes to the current tick's slot, to fire at the next expire().
  void insert(TimerEntry* entries, std::uint32_t index, std::uint64_t tick) noexcept {
    TimerEntry& entry = entries[index];
    tick = std::max(tick, elapsed_);
    const unsigned level = level_for(tick);
    const unsigned slot = digit(tick, level);
    const unsigned list = level * slots_per_level + slot;
    entry.slot = static_cast<std::uint16_t>(list);
    entry.next = none;
    entry.prev = tails_[list];
    const std::uint64_t bit = std::uint64_t{1} << slot;
    if (entry.prev == none) {
      heads_[list] = index;
      occupied_[level] |= bit;
      sorted_[level] |= bit;
    } else {
      TimerEntry& tail = entries[entry.prev];
      tail.next = index;
      // A slot above level 0 spans many ticks; see earliest_tick() for why its order matters.
      if (level != 0 && ticks_.tick_of(tail.deadline) > tick) {
        sorted_[level] &= ~bit;
      }
    }
    tails_[list] = index;
  }

  /// Unlinks the record `index` from its slot's list.
  void remove(TimerEntry* entries, std::uint32_t index) noexcept {
    const TimerEntry& entry = entries[index];
    const unsigned list = entry.slot;
    if (entry.prev == none) {
      heads_[list] = entry.next;
    } else {
      entries[entry.prev].next = entry.next;
    }
    if (entry.next == none) {
      tails_[list] = entry.prev;
    } else {
      entries[entry.next].prev = entry.prev;
    }
    if (heads_[list] == none) {
      occupied_[list / slots_per_level] &= ~(std::uint64_t{1} << (list % slots_per_level));
    }
  }

  /// The occupied slot the wheel reaches first, or nullopt when no timer is live.
  [[nodiscard]] std::optional<Slot> next_slot() const noexcept {
    for (unsigned level = 0; level < levels; ++level) {
      const std::uint64_t occupied = occupied_[level];
      if (occupied == 0) {
        continue;
      }
      // Slots of a level are ahead of elapsed_'s own digit in it and within the same slot of
      // the level above: rotating the mask so that elapsed_'s digit is bit 0 puts the next
      // occupied slot at the lowest set bit.
      const unsigned shift = level * level_bits;
      const unsigned here = digit(elapsed_, level);
      const auto ahead =
          static_cast<unsigned>(std::countr_zero(std::rotr(occupied, static_cast<int>(here))));
      const unsigned slot = (here + ahead) % slots_per_level;
      const std::uint64_t level_start =
          elapsed_ & ~((std::uint64_t{1} << (shift + level_bits)) - 1);
      return Slot{level, level * slots_per_level + slot,
                  level_start + (std::uint64_t{slot} << shift)};
    }
    return std::nullopt;
  }

  /// The first record of `slot`'s list (none when empty).
  [[nodiscard]] std::uint32_t front(const Slot& slot) const noexcept { return heads_[slot.index]; }

  /// Moves every timer of `slot` (above level 0, which the wheel has just reached) to the
  /// lower levels, in list order, so that same-tick timers keep their start order.
  void cascade(TimerEntry* entries, const Slot& slot) noexcept {
    std::uint32_t at = heads_[slot.index];
    heads_[slot.index] = none;
    tails_[slot.index] = none;
    occupied_[slot.level] &= ~(std::uint64_t{1} << (slot.index % slots_per_level));
    while (at != none) {
      const std::uint32_t next = entries[at].next;
      insert(entries, at, ticks_.tick_of(entries[at].deadline));
      at = next;
    }
  }

  /// The tick of the earliest live timer, given the slot next_slot() found. For level 0 that is
  /// the slot's own tick. A slot above spans 64^l ticks and its timers are in start order: the
  /// first time it is asked, the list is sorted by tick (stably, so same-tick timers keep their
  /// order), then its head is the answer for as long as timers join it in deadline order (as
  /// they do when every timeout is the same length) or leave it. Without this, a loop asking
  /// for its poll timeout would have to walk the whole slot each time, or wake up early.
  ///
  /// Sorting changes nothing anyone can observe, hence const (the lists are mutable).
  [[nodiscard]] std::uint64_t earliest_tick(TimerEntry* entries, const Slot& slot) const noexcept {
    if (slot.level == 0) {
      return slot.start;
    }
    const std::uint64_t bit = std::uint64_t{1} << (slot.index % slots_per_level);
    if ((sorted_[slot.level] & bit) == 0) {
      sort_list(entries, heads_[slot.index], tails_[slot.index],
                [this](const TimerEntry& entry) { return ticks_.tick_of(entry.deadline); });
      sorted_[slot.level] |= bit;
    }
    return ticks_.tick_of(entries[heads_[slot.index]].deadline);
  }

 private:
  /// The level of a timer due at `tick`: that of the highest 6-bit group in which `tick`
  /// differs from elapsed_ (tick >= elapsed_); 0 when they differ in the lowest group only.
  [[nodiscard]] unsigned level_for(std::uint64_t tick) const noexcept {
    const std::uint64_t differing = (tick ^ elapsed_) | (slots_per_level - 1);
    const auto highest = static_cast<unsigned>(std::bit_width(differing)) - 1;
    return highest / level_bits;
  }

  /// `tick`'s slot in `level`.
  [[nodiscard]] static unsigned digit(std::uint64_t tick, unsigned level) noexcept {
    return static_cast<unsigned>(tick >> (level * level_bits)) % slots_per_level;
  }

  void clear() noexcept {
    elapsed_ = 0;
    occupied_.fill(0);
    sorted_.fill(0);
    heads_.fill(none);
    tails_.fill(none);
  }

  TickClock ticks_;
  std::uint64_t elapsed_ = 0;
  std::array<std::uint64_t, levels> occupied_{};
  mutable std::array<std::uint64_t, levels> sorted_{};  // per occupied slot above level 0
  mutable std::array<std::uint32_t, std::size_t{levels} * slots_per_level> heads_{};
  mutable std::array<std::uint32_t, std::size_t{levels} * slots_per_level> tails_{};
};
// NOLINTEND(cppcoreguidelines-pro-bounds-constant-array-index)

}  // namespace miocpp::timer::detail
