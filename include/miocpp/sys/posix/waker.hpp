// The descriptor Waker of the POSIX selectors: a WakeFd (an eventfd on Linux, a self-pipe elsewhere
// or with MIOCPP_FORCE_WAKER_PIPE) that the selector watches for reading. Wakes coalesce: every
// wake() until the selector reports the descriptor gives that one readable event (an edge for epoll
// and kqueue; poll(2) drains it when reporting).
#pragma once

#include <system_error>

#include "../../token.hpp"
#include "../concepts.hpp"
#include "wake_fd.hpp"

namespace miocpp::sys::posix {

class Waker {
 public:
  Waker() noexcept = default;

  /// Registers the descriptor through register_waker: an edge-triggered selector registers it like
  /// any readable descriptor, and since every write is a new edge nobody reads it back; poll(2)
  /// keeps it armed and empties it after each report, or it would report it forever.
  template <concepts::WakerHost Selector>
  Waker(const Selector& selector, Token token, std::error_code& ec) noexcept : fd_(ec) {
    if (ec) {
      return;
    }
    selector.register_waker(fd_.read_fd(), token, ec);
    if (ec) {
      fd_ = {};
    }
  }

  void wake(std::error_code& ec) const noexcept { fd_.notify(ec); }

 private:
  WakeFd<waker_wake_fd> fd_;
};

}  // namespace miocpp::sys::posix
