// Fixed-capacity storage for the records a selector fills in one call (epoll_event, kevent, ...).
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

namespace miocpp::sys::common {

/// Owns `capacity` records of type `E` that the OS writes in place; `size` says how many are valid.
/// Allocates only on construction, so polling into it never allocates.
template <class E>
class EventBuffer {
 public:
  EventBuffer() noexcept = default;
  explicit EventBuffer(std::size_t capacity)
      : records_(capacity == 0 ? nullptr : std::make_unique_for_overwrite<E[]>(capacity)),
        capacity_(capacity) {}

  EventBuffer(EventBuffer&& other) noexcept
      : records_(std::move(other.records_)),
        capacity_(std::exchange(other.capacity_, 0)),
        size_(std::exchange(other.size_, 0)) {}
  EventBuffer& operator=(EventBuffer&& other) noexcept {
    records_ = std::move(other.records_);
    capacity_ = std::exchange(other.capacity_, 0);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }
  EventBuffer(const EventBuffer&) = delete;
  EventBuffer& operator=(const EventBuffer&) = delete;
  ~EventBuffer() = default;

  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] const E* data() const noexcept { return records_.get(); }
  void clear() noexcept { size_ = 0; }

  /// Where the selector writes; it then calls set_size with the count the OS reported.
  [[nodiscard]] E* writable_data() noexcept { return records_.get(); }
  void set_size(std::size_t size) noexcept { size_ = size; }

 private:
  std::unique_ptr<E[]> records_;  // NOLINT(*-avoid-c-arrays): a run-time sized array is the point
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
};

}  // namespace miocpp::sys::common
