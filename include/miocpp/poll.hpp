// Poll: the event loop's wait point.
#pragma once

#include <chrono>
#include <optional>
#include <system_error>

#include "detail/throw_error.hpp"
#include "event.hpp"
#include "registry.hpp"

namespace miocpp {

/// Owns an OS selector (epoll, kqueue, IOCP, ...) and waits on it for readiness events of the
/// sources registered through registry().
///
/// ```
/// miocpp::Poll poll;
/// miocpp::Events events(128);
/// poll.registry().register_source(socket, miocpp::Token{0}, miocpp::Interest::readable);
/// for (;;) {
///   poll.poll(events, std::nullopt);
///   for (const miocpp::Event& event : events) { /* drain event.token()'s source */ }
/// }
/// ```
class Poll {
 public:
#if MIOCPP_HAS_EXCEPTIONS
  /// Opens a selector; throws std::system_error when the OS refuses (e.g. out of descriptors).
  Poll() : registry_(open()) {}
#endif

  /// Opens a selector; on failure `ec` is set and the Poll is empty (every call on it fails).
  explicit Poll(std::error_code& ec) noexcept : registry_(ec) {}

  Poll(Poll&&) noexcept = default;
  Poll& operator=(Poll&&) noexcept = default;
  Poll(const Poll&) = delete;
  Poll& operator=(const Poll&) = delete;
  ~Poll() = default;

  [[nodiscard]] const Registry& registry() const noexcept {
    return registry_;
  }

  /// Waits until at least one event is ready or `timeout` passes (nullopt: wait forever), then
  /// replaces the contents of `events` with at most events.capacity() events.
  ///
  /// The timeout never expires early: where the OS counts in milliseconds a fraction is rounded
  /// up. A zero (or negative) timeout only collects what is ready. A signal interrupts the wait
  /// with `std::errc::interrupted` (not retried, so the caller can react to the signal). An
  /// `events` with capacity 0 gives `std::errc::invalid_argument`. Allocates nothing.
  void poll(Events& events, std::optional<std::chrono::nanoseconds> timeout,
            std::error_code& ec) noexcept {
    if (events.capacity() == 0) {
      events.clear();
      ec = std::make_error_code(std::errc::invalid_argument);
      return;
    }
    registry_.selector().select(events.storage_, timeout, ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  void poll(Events& events, std::optional<std::chrono::nanoseconds> timeout) {
    std::error_code ec;
    poll(events, timeout, ec);
    detail::throw_if_error(ec, "miocpp::Poll::poll");
  }
#endif

 private:
#if MIOCPP_HAS_EXCEPTIONS
  static Registry open() {
    std::error_code ec;
    Registry registry(ec);
    detail::throw_if_error(ec, "miocpp::Poll");
    return registry;
  }
#endif

  Registry registry_;
};

}  // namespace miocpp
