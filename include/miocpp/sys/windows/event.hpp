// The event record of the IOCP selector, and the buffer select fills.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <utility>

#include "../../token.hpp"
#include "../common/debug_flags.hpp"
#include "../common/event_buffer.hpp"
#include "afd/poll.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// One readiness event: the registration's token and the AFD poll bits that fired (sockets), or
/// the same bits set by miocpp itself (named pipes: receive / send; wakers: receive).
struct Event {
  std::uint64_t token_value;
  std::uint32_t flags;

  [[nodiscard]] Token token() const noexcept {
    return Token(static_cast<std::size_t>(token_value));
  }
  [[nodiscard]] bool is_readable() const noexcept {
    return any(afd::readable_events | afd::priority_events);
  }
  [[nodiscard]] bool is_writable() const noexcept { return any(afd::writable_events); }
  [[nodiscard]] bool is_error() const noexcept { return any(afd::error_events); }
  [[nodiscard]] bool is_read_closed() const noexcept { return any(afd::read_closed_events); }
  [[nodiscard]] bool is_write_closed() const noexcept { return any(afd::write_closed_events); }
  [[nodiscard]] bool is_priority() const noexcept { return any(afd::priority_events); }
  [[nodiscard]] bool is_aio() const noexcept { return false; }
  [[nodiscard]] bool is_lio() const noexcept { return false; }

  void debug_details(std::ostream& os) const {
    os << "afd_event { flags: ";
    common::print_flags(os, flags,
                        {{afd::poll_receive, "AFD_POLL_RECEIVE"},
                         {afd::poll_receive_expedited, "AFD_POLL_RECEIVE_EXPEDITED"},
                         {afd::poll_send, "AFD_POLL_SEND"},
                         {afd::poll_disconnect, "AFD_POLL_DISCONNECT"},
                         {afd::poll_abort, "AFD_POLL_ABORT"},
                         {afd::poll_local_close, "AFD_POLL_LOCAL_CLOSE"},
                         {afd::poll_connect, "AFD_POLL_CONNECT"},
                         {afd::poll_accept, "AFD_POLL_ACCEPT"},
                         {afd::poll_connect_fail, "AFD_POLL_CONNECT_FAIL"}});
    os << ", data: " << token_value << " }";
  }

 private:
  [[nodiscard]] bool any(std::uint32_t mask) const noexcept { return (flags & mask) != 0; }
};

/// The events of one select, and the completion records they are made from. Both arrays are
/// allocated here, once: a completion yields at most one event, so `capacity` of each suffices
/// and select never allocates.
class Events {
 public:
  Events() noexcept = default;
  explicit Events(std::size_t capacity)
      : events_(capacity),
        entries_(capacity == 0 ? nullptr
                               : std::make_unique_for_overwrite<OVERLAPPED_ENTRY[]>(capacity)) {}

  [[nodiscard]] std::size_t capacity() const noexcept { return events_.capacity(); }
  [[nodiscard]] std::size_t size() const noexcept { return events_.size(); }
  [[nodiscard]] const Event* data() const noexcept { return events_.data(); }
  void clear() noexcept { events_.clear(); }

  [[nodiscard]] OVERLAPPED_ENTRY* entries() noexcept { return entries_.get(); }

  /// Appends an event; the selector never produces more than capacity().
  void push(std::uint64_t token, std::uint32_t flags) noexcept {
    events_.writable_data()[events_.size()] = Event{token, flags};
    events_.set_size(events_.size() + 1);
  }

 private:
  common::EventBuffer<Event> events_;
  std::unique_ptr<OVERLAPPED_ENTRY[]> entries_;  // NOLINT(*-avoid-c-arrays): run-time size
};

}  // namespace miocpp::sys::windows
