// Waker: wakes a Poll from another thread.
#pragma once

#include <system_error>
#include <utility>

#include "detail/poll_identity.hpp"
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
class Waker {
 public:
#if MIOCPP_HAS_EXCEPTIONS
  Waker(const Registry& registry, Token token) {
    std::error_code ec;
    *this = Waker(registry, token, ec);
    detail::throw_if_error(ec, "miocpp::Waker");
  }
#endif

  Waker(const Registry& registry, Token token, std::error_code& ec) noexcept {
    const detail::PollIdentity& identity = registry.identity();
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

  Waker(Waker&& other) noexcept = default;
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

  void wake(std::error_code& ec) const noexcept {
    inner_.wake(ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
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
