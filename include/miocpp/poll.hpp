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
///
/// One thread polls; any thread may register through registry() meanwhile, and a Waker wakes the
/// poll from another thread. Dropping the Poll closes its selector handle; registries cloned
/// with Registry::try_clone hold their own, so the OS selector and its registrations last until
/// the Poll and all its clones are gone.
///
/// Backends: epoll (Linux, Android), kqueue (macOS, iOS, the BSDs), poll(2) (other POSIX systems,
/// or `MIOCPP_FORCE_POLL`), IOCP with AFD polling (Windows), `poll_oneoff` (WASI preview 1).
/// Where there is none (or with `MIOCPP_NO_OS_POLL`) opening a Poll reports
/// `std::errc::not_supported`.
class Poll {
 public:
#if MIOCPP_HAS_EXCEPTIONS
  /// Opens a selector; throws std::system_error when the OS refuses (e.g. out of descriptors).
  Poll() : registry_(open()) {}
#endif

  /// Opens a selector; on failure `ec` is set and the Poll is empty (every call on it fails).
  explicit Poll(std::error_code& ec) noexcept : registry_(ec) {}

  /// Takes over the selector; the moved-from Poll is empty.
  Poll(Poll&&) noexcept = default;
  /// Closes this Poll's selector and takes over `other`'s; the moved-from Poll is empty.
  Poll& operator=(Poll&&) noexcept = default;
  Poll(const Poll&) = delete;
  Poll& operator=(const Poll&) = delete;
  ~Poll() = default;

  /// The Registry through which sources (and a Waker) are registered with this Poll. Use
  /// Registry::try_clone for one that outlives a move of the Poll or lives in another object.
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
  ///
  /// A timeout with a sub-millisecond part uses `epoll_pwait2` where the kernel has it (Linux
  /// 5.11), else rounds up to the next millisecond. On WASI, a poll with nothing registered and
  /// no timeout would hang a single-threaded program for good and reports
  /// `std::errc::resource_deadlock_would_occur` instead. On error `events` is empty.
  void poll(Events& events, std::optional<std::chrono::nanoseconds> timeout,
            std::error_code& ec) noexcept {
    if (events.capacity() == 0) {
      events.clear();
      ec = std::make_error_code(std::errc::invalid_argument);
      return;
    }
    registry_.selector().select(events.storage_, timeout, ec);
    registry_.identity().clear_wake_pending();
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// The same, throwing `std::system_error` with the code the overload above reports
  /// (`std::errc::interrupted` included).
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
