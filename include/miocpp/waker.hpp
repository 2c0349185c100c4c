// Waker: wakes a Poll from another thread.
#pragma once

#include <system_error>
#include <utility>

#include "detail/poll_identity.hpp"
#include "detail/registry_access.hpp"
#include "detail/throw_error.hpp"
#include "registry.hpp"
#include "sys/sys.hpp"
#include "token.hpp"

namespace miocpp {

/// Makes a blocked (or the next) Poll::poll return a readable event carrying the Waker's token.
/// wake() is thread-safe and allocation-free. Wakes coalesce: however many wake() calls happen
/// between two polls, that Poll reports the Waker's event at most once per poll.
///
/// A Poll has at most one Waker at a time (the backends register one OS object per Poll): creating
/// a second while the first lives gives `std::errc::file_exists`. Destroying the Waker frees the
/// slot. On WASI there are no threads and the constructor reports `std::errc::not_supported`.
///
/// Backends: an eventfd on Linux (epoll and poll(2)), `EVFILT_USER` on macOS and FreeBSD, a
/// self-pipe on the other BSDs and POSIX systems (or with `MIOCPP_FORCE_WAKER_PIPE`),
/// `PostQueuedCompletionStatus` on Windows. The event needs no draining: the next wake() after a
/// poll that reported it produces a new one.
class Waker {
 public:
#if MIOCPP_HAS_EXCEPTIONS
  /// The same as the constructor taking `ec`, throwing `std::system_error` with its code.
  Waker(const Registry& registry, Token token) {
    std::error_code ec;
    *this = Waker(registry, token, ec);
    detail::throw_if_error(ec, "miocpp::Waker");
  }
#endif

  /// Registers a waker with `registry`'s Poll; its events carry `token`. Errors:
  /// `std::errc::file_exists` when that Poll has a live Waker already,
  /// `std::errc::not_supported` on WASI and the shell backend, `std::errc::bad_file_descriptor`
  /// for an empty (failed or moved-from) Poll, else what the OS reports (out of descriptors).
  /// On error the Waker is empty and wake() on it fails.
  Waker(const Registry& registry, Token token, std::error_code& ec) noexcept {
    const detail::PollIdentity& identity = detail::RegistryAccess::identity(registry);
    if (identity.id() == 0) {
      // A Poll that failed to open (or was moved from): the backend says why, as it does for
      // every other call on it -- bad_file_descriptor from an OS selector, not_supported where
      // there is no OS poll.
      (void)sys::Waker(registry.selector(), token, ec);
      if (!ec) {
        ec = std::make_error_code(std::errc::bad_file_descriptor);
      }
      return;
    }
    if (!identity.claim_waker()) {
      ec = std::make_error_code(std::errc::file_exists);
      return;
    }
    inner_ = sys::Waker(registry.selector(), token, ec);
    if (ec) {
      identity.release_waker();
      return;
    }
    identity_ = identity;
  }

  /// Takes over the waker (and its Poll's slot); the moved-from Waker is empty.
  Waker(Waker&& other) noexcept = default;
  /// Frees this Waker's slot and takes over `other`'s waker and slot.
  Waker& operator=(Waker&& other) noexcept {
    if (this != &other) {
      identity_.release_waker();
      inner_ = std::move(other.inner_);
      identity_ = std::move(other.identity_);
    }
    return *this;
  }
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  ~Waker() {
    identity_.release_waker();
  }

  /// Makes the Poll report the Waker's event: a blocked poll returns, or the next poll does not
  /// block. Thread-safe, allocation-free, and never blocks. A wake while an earlier one is
  /// pending (made, and the Poll has not returned since) costs no system call and writes no
  /// shared memory: it coalesces with it, and the poller, handling the Waker's event after that
  /// poll returns, sees what the waking thread did before the wake (through the mutex or atomics
  /// it shares work with). A wake after the poll returned always brings a new event. Fails only
  /// for an empty Waker or as the OS call does.
  void wake(std::error_code& ec) const noexcept {
    if (identity_.mark_wake_pending()) {
      ec.clear();
      return;
    }
    inner_.wake(ec);
    if (ec) {
      identity_.unmark_wake_pending();
    }
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// wake(), throwing `std::system_error` with the code the overload taking `ec` reports.
  void wake() const {
    std::error_code ec;
    wake(ec);
    detail::throw_if_error(ec, "miocpp::Waker::wake");
  }
#endif

 private:
  sys::Waker inner_;
  detail::PollIdentity identity_;  // empty unless this Waker holds its Poll's slot
};

}  // namespace miocpp
