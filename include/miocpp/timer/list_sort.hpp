// Sorting one wheel slot's list by tick, stably and without allocating.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "slab.hpp"

namespace miocpp::timer::detail {

/// The list from `head` (linked through `next`, ending in `none`) merged with the one from
/// `later` (whose timers all joined the slot after `head`'s), by `key`; on equal keys `head`'s
/// come first, which keeps the sort stable.
template <class Key>
std::uint32_t merge_lists(TimerEntry* entries, std::uint32_t head, std::uint32_t later,
                          const Key& key) noexcept {
  std::uint32_t merged = none;
  std::uint32_t* tail = &merged;
  while (head != none && later != none) {
    std::uint32_t& taken = key(entries[later]) < key(entries[head]) ? later : head;
    *tail = taken;
    tail = &entries[taken].next;
    taken = entries[taken].next;
  }
  *tail = head != none ? head : later;
  return merged;
}

/// Sorts the list of `head` ... `tail` by `key`, stably: same-key timers keep the order in which
/// they joined the slot (start order, which expire() promises within a tick). A bottom-up merge
/// sort on the links themselves: O(n log n), no memory but 64 run heads on the stack (enough
/// for 2^64 records). Sets `head`, `tail` and every `prev` link to the new order.
template <class Key>
void sort_list(TimerEntry* entries, std::uint32_t& head, std::uint32_t& tail,
               const Key& key) noexcept {
  // runs[i] is a sorted run of 2^i records, or none; higher runs hold earlier records. i stays
  // below 64: a run there would hold 2^64 records.
  // NOLINTBEGIN(cppcoreguidelines-pro-bounds-constant-array-index)
  std::array<std::uint32_t, 64> runs{};
  runs.fill(none);
  std::size_t used = 0;
  for (std::uint32_t next = head; next != none;) {
    std::uint32_t carry = next;
    next = entries[carry].next;
    entries[carry].next = none;
    std::size_t i = 0;
    for (; i < used && runs[i] != none; ++i) {
      carry = merge_lists(entries, runs[i], carry, key);
      runs[i] = none;
    }
    runs[i] = carry;
    used = i == used ? used + 1 : used;
  }
  std::uint32_t sorted = none;
  for (std::size_t i = 0; i < used; ++i) {
    if (runs[i] != none) {
      sorted = sorted == none ? runs[i] : merge_lists(entries, runs[i], sorted, key);
    }
  }
  // NOLINTEND(cppcoreguidelines-pro-bounds-constant-array-index)
  head = sorted;
  std::uint32_t previous = none;
  for (std::uint32_t at = sorted; at != none; at = entries[at].next) {
    entries[at].prev = previous;
    previous = at;
  }
  tail = previous;
}

}  // namespace miocpp::timer::detail
