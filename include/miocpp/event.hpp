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
/// now succeed, and a source must be drained until `std::errc::operation_would_block` -- or, for
/// a stream, until a read returns fewer bytes than asked -- before another event for it is
/// guaranteed (edge-triggered semantics, see Registry). Spurious events can occur.
///
/// Backends split and flag readiness differently, as mio's do; portable code tests each flag it
/// cares about and tolerates the rest:
///   - kqueue reports a source that is readable and writable at once as two events (one per
///     filter); epoll and poll(2) as one event with both flags.
///   - A pipe whose reading end is gone is write-closed everywhere; epoll and poll(2) also flag it
///     as an error.
///   - An ICMP error on a connected UDP socket is an error event on epoll and poll(2), a readable
///     one on kqueue; either way the next receive reports the error.
///   - The closed flags are hints: the reliable signals are a read returning 0 and a write
///     failing with `std::errc::broken_pipe` or `connection_reset`.
class Event {
 public:
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  Event(Event&&) = delete;
  Event& operator=(Event&&) = delete;
  ~Event() = default;

  /// The token given when the source was registered.
  [[nodiscard]] Token token() const noexcept { return inner_.token(); }
  /// The source may be read (or, for a listener, accepted from) without blocking. Read until
  /// `std::errc::operation_would_block`, or on a stream until a read returns fewer bytes than
  /// asked (drained); a read may still would-block (a spurious event).
  [[nodiscard]] bool is_readable() const noexcept { return inner_.is_readable(); }
  /// The source may be written without blocking; also how a non-blocking connect reports that it
  /// finished (successfully or not: see net::TcpStream::connect).
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
///
/// One Events per event loop, reused by every poll: a poll allocates nothing. Events that did not
/// fit stay queued in the OS for the next poll, so a small capacity costs extra polls, never lost
/// events.
class Events {
 public:
  /// The element type: a range of Event.
  using value_type = Event;
  /// The type of size() and capacity().
  using size_type = std::size_t;
  /// A random-access iterator over `const Event` (a pointer into the OS array).
  using const_iterator = const Event*;
  /// The same as const_iterator: events are read, never modified.
  using iterator = const_iterator;

  /// Allocates room for `capacity` events, once. A capacity of 0 makes Poll::poll report
  /// `std::errc::invalid_argument`. Throws `std::bad_alloc` when out of memory.
  explicit Events(std::size_t capacity) : storage_(capacity) {}

  /// Takes over the other buffer's storage (no allocation); reassign the moved-from one before use.
  Events(Events&&) noexcept = default;
  /// Takes over the other buffer's storage (no allocation); reassign the moved-from one before use.
  Events& operator=(Events&&) noexcept = default;
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;
  ~Events() = default;

  /// How many events one poll can report.
  [[nodiscard]] std::size_t capacity() const noexcept { return storage_.capacity(); }
  /// How many events the last poll reported (0 after a timeout or clear()).
  [[nodiscard]] std::size_t size() const noexcept { return storage_.size(); }
  /// Whether the last poll reported nothing (it timed out), or clear() was called.
  [[nodiscard]] bool empty() const noexcept { return storage_.size() == 0; }
  /// Forgets the reported events; the capacity stays.
  void clear() noexcept { storage_.clear(); }

  /// The first event.
  [[nodiscard]] iterator begin() const noexcept {
    // Event is a standard-layout wrapper of exactly one sys::Event, so the OS array is viewed in
    // place rather than copied.
    return reinterpret_cast<const Event*>(storage_.data());  // NOLINT(*-reinterpret-cast)
  }
  /// Past the last event.
  [[nodiscard]] iterator end() const noexcept { return begin() + size(); }

 private:
  friend class Poll;

  sys::Events storage_;
};

}  // namespace miocpp
