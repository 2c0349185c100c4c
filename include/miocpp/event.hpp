// Event and Events: what Poll::poll reports.
#pragma once

#include <cstddef>
#include <ostream>
#include <type_traits>

#include "sys/sys.hpp"
#include "token.hpp"

namespace miocpp {

/// One readiness event: which registration (token) and what became ready.
///
/// An Event is a view of the OS record inside an Events buffer, valid until the next poll; it is
/// neither copied nor constructed by users. Events are hints: a readable event means a read may
/// now succeed, and a source must be drained until `std::errc::operation_would_block` before
/// another event for it is guaranteed (edge-triggered semantics). Spurious events can occur.
class Event {
 public:
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  Event(Event&&) = delete;
  Event& operator=(Event&&) = delete;
  ~Event() = default;

  /// The token given when the source was registered.
  [[nodiscard]] Token token() const noexcept { return inner_.token(); }
  [[nodiscard]] bool is_readable() const noexcept { return inner_.is_readable(); }
  [[nodiscard]] bool is_writable() const noexcept { return inner_.is_writable(); }
  /// An error is pending on the source (e.g. take_error() on a socket returns it).
  [[nodiscard]] bool is_error() const noexcept { return inner_.is_error(); }
  /// The read half is closed: the peer shut down its writing side or the source hung up.
  [[nodiscard]] bool is_read_closed() const noexcept { return inner_.is_read_closed(); }
  /// The write half is closed: the peer is gone or the source hung up.
  [[nodiscard]] bool is_write_closed() const noexcept { return inner_.is_write_closed(); }
  /// Out-of-band / priority data (Linux EPOLLPRI).
  [[nodiscard]] bool is_priority() const noexcept { return inner_.is_priority(); }
  /// An AIO request completed (kqueue on FreeBSD/macOS).
  [[nodiscard]] bool is_aio() const noexcept { return inner_.is_aio(); }
  /// A lio_listio batch completed (kqueue on FreeBSD).
  [[nodiscard]] bool is_lio() const noexcept { return inner_.is_lio(); }

  /// Prints `Event { token: 7, readable, write_closed, os: <backend's raw record> }`.
  friend std::ostream& operator<<(std::ostream& os, const Event& event) {
    os << "Event { token: " << event.token().value;
    const auto flag = [&](bool set, const char* name) {
      if (set) {
        os << ", " << name;
      }
    };
    flag(event.is_readable(), "readable");
    flag(event.is_writable(), "writable");
    flag(event.is_error(), "error");
    flag(event.is_read_closed(), "read_closed");
    flag(event.is_write_closed(), "write_closed");
    flag(event.is_priority(), "priority");
    flag(event.is_aio(), "aio");
    flag(event.is_lio(), "lio");
    os << ", os: ";
    event.inner_.debug_details(os);
    return os << " }";
  }

 private:
  sys::Event inner_;
};

static_assert(sizeof(Event) == sizeof(sys::Event) && alignof(Event) == alignof(sys::Event));
static_assert(std::is_standard_layout_v<Event>);

/// The buffer Poll::poll fills. It allocates its capacity once, here, and never again: a poll
/// reports at most capacity() events and leaves the rest for the next call.
///
/// A random-access range of `const Event&`, valid until the next poll or clear().
class Events {
 public:
  using value_type = Event;
  using size_type = std::size_t;
  using const_iterator = const Event*;
  using iterator = const_iterator;

  explicit Events(std::size_t capacity) : storage_(capacity) {}

  Events(Events&&) noexcept = default;
  Events& operator=(Events&&) noexcept = default;
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;
  ~Events() = default;

  [[nodiscard]] std::size_t capacity() const noexcept { return storage_.capacity(); }
  [[nodiscard]] std::size_t size() const noexcept { return storage_.size(); }
  [[nodiscard]] bool empty() const noexcept { return storage_.size() == 0; }
  void clear() noexcept { storage_.clear(); }

  [[nodiscard]] iterator begin() const noexcept {
    // Event is a standard-layout wrapper of exactly one sys::Event, so the OS array is viewed in
    // place rather than copied.
    return reinterpret_cast<const Event*>(storage_.data());  // NOLINT(*-reinterpret-cast)
  }
  [[nodiscard]] iterator end() const noexcept { return begin() + size(); }

 private:
  friend class Poll;

  sys::Events storage_;
};

}  // namespace miocpp
