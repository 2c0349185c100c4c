// The storage of a Timers: one fixed-size record per timer, reused through a free list.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <system_error>
#include <type_traits>
#include <utility>

#include "../token.hpp"
#include "ticks.hpp"

namespace miocpp::timer::detail {

/// "No entry": the end of a list, an empty slot.
inline constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

/// One timer, or a free record. 32 bytes on 64-bit targets, so a record never straddles two
/// cache lines: cancel and reset touch it and its two neighbours, nothing else.
struct TimerEntry {
  /// As the timer was started (or last reset) with: expire() reports it. The wheel works on
  /// its tick, computed again when needed rather than stored, to keep the record at 32 bytes.
  clock::time_point deadline;
  Token token;
  /// The neighbours in the wheel slot's list, or, for a free record, the next free one.
  std::uint32_t next = none;
  std::uint32_t prev = none;
  /// Odd while the record holds a live timer: the id of a timer that fired or was cancelled no
  /// longer matches, and neither does the default id (generation 0).
  std::uint32_t generation = 0;
  /// The wheel slot whose list holds the timer (level * 64 + slot).
  std::uint16_t slot = 0;
};

// Records are moved by realloc and come from malloc without a constructor run (the initializers
// above are for a record made any other way): an aggregate of trivially copyable members is an
// implicit-lifetime type, which malloc and realloc create.
static_assert(std::is_trivially_copyable_v<TimerEntry> &&
              std::is_trivially_destructible_v<TimerEntry>);

/// The records of every timer, in one block from malloc/realloc: a failed allocation comes back
/// as std::errc::not_enough_memory (under -fno-exceptions too) instead of a throw or an abort,
/// and growth can happen in place. Freed records go on a LIFO free list, so the next start
/// reuses the one most recently touched.
class TimerSlab {
 public:
  /// Records are indexed by 32-bit numbers, `none` excluded, and the block's size must fit.
  static constexpr std::size_t max_size =
      std::min<std::size_t>(none, std::numeric_limits<std::size_t>::max() / sizeof(TimerEntry));

  TimerSlab() noexcept = default;
  TimerSlab(TimerSlab&& other) noexcept
      : entries_(std::exchange(other.entries_, nullptr)),
        capacity_(std::exchange(other.capacity_, 0)),
        used_(std::exchange(other.used_, 0)),
        live_(std::exchange(other.live_, 0)),
        free_(std::exchange(other.free_, none)) {}
  TimerSlab& operator=(TimerSlab&& other) noexcept {
    TimerSlab moved(std::move(other));
    std::swap(entries_, moved.entries_);
    std::swap(capacity_, moved.capacity_);
    std::swap(used_, moved.used_);
    std::swap(live_, moved.live_);
    std::swap(free_, moved.free_);
    return *this;
  }
  TimerSlab(const TimerSlab&) = delete;
  TimerSlab& operator=(const TimerSlab&) = delete;
  ~TimerSlab() {
    std::free(entries_);  // NOLINT(*-no-malloc,*-owning-memory): see the class comment
  }

  [[nodiscard]] std::size_t size() const noexcept { return live_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] TimerEntry* data() const noexcept { return entries_; }

  /// Room for `wanted` records in all, allocated now.
  void reserve(std::size_t wanted, std::error_code& ec) noexcept {
    ec.clear();
    if (wanted > capacity_) {
      grow_to(wanted, ec);
    }
  }

  /// A free record, its generation made odd (live); `none` with `ec` set when none is left and
  /// the block cannot grow. Grows by doubling, so a run of starts costs O(1) each on average.
  [[nodiscard]] std::uint32_t acquire(std::error_code& ec) noexcept {
    std::uint32_t index = free_;
    if (index != none) {
      free_ = entries_[index].next;
    } else {
      if (used_ == capacity_ && !grow_to(next_capacity(), ec)) {
        return none;
      }
      // Records past used_ were never handed out: no free-list walk over them at reserve time,
      // and their pages are not touched before they are needed.
      index = static_cast<std::uint32_t>(used_++);
      entries_[index].generation = 0;
    }
    ++entries_[index].generation;
    ++live_;
    ec.clear();
    return index;
  }

  /// Frees a live record: its generation turns even, so the ids issued for it go stale.
  void release(std::uint32_t index) noexcept {
    TimerEntry& entry = entries_[index];
    ++entry.generation;
    entry.next = free_;
    free_ = index;
    --live_;
  }

  /// Whether `index` and `generation` (from a TimerId) name a live timer.
  [[nodiscard]] bool is_live(std::uint32_t index, std::uint32_t generation) const noexcept {
    return index < used_ && (generation & 1U) != 0 && entries_[index].generation == generation;
  }

  [[nodiscard]] TimerEntry& operator[](std::uint32_t index) const noexcept {
    return entries_[index];
  }

 private:
  /// The capacity after the block next grows: doubled, at least 64, at most max_size (where it
  /// stops growing).
  [[nodiscard]] std::size_t next_capacity() const noexcept {
    if (capacity_ < 32) {
      return 64;
    }
    return capacity_ >= max_size / 2 ? max_size : capacity_ * 2;
  }

  /// Reallocates the block for `wanted` (more than capacity_) records; false, with `ec` set,
  /// when that is past the index space or the allocator refuses. The block is unchanged then.
  bool grow_to(std::size_t wanted, std::error_code& ec) noexcept {
    if (wanted > max_size || wanted <= capacity_) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return false;
    }
    // NOLINTNEXTLINE(*-no-malloc,*-owning-memory): see the class comment
    void* grown = std::realloc(entries_, wanted * sizeof(TimerEntry));
    if (grown == nullptr) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return false;
    }
    entries_ = static_cast<TimerEntry*>(grown);
    capacity_ = wanted;
    return true;
  }

  TimerEntry* entries_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;  // records ever handed out
  std::size_t live_ = 0;
  std::uint32_t free_ = none;
};

}  // namespace miocpp::timer::detail
