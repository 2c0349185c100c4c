// Slab: connections by index, the index being the event's token (epoll's data.u64, miocpp's
// Token); closed slots are reused, so a token stays small and a lookup is one array access.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace echo {

template <class T>
class Slab {
 public:
  std::size_t insert(T value) {
    if (free_.empty()) {
      slots_.emplace_back(std::move(value));
      return slots_.size() - 1;
    }
    const std::size_t index = free_.back();
    free_.pop_back();
    slots_[index].emplace(std::move(value));
    return index;
  }
  /// The value at `index`, which must be in use.
  T& at(std::size_t index) noexcept { return *slots_[index]; }
  /// The value at `index`, or null for a slot already freed (an event queued before the close).
  T* find(std::size_t index) noexcept {
    return index < slots_.size() && slots_[index] ? &*slots_[index] : nullptr;
  }
  void erase(std::size_t index) {
    slots_[index].reset();
    free_.push_back(index);
  }

 private:
  std::vector<std::optional<T>> slots_;
  std::vector<std::size_t> free_;
};

}  // namespace echo
