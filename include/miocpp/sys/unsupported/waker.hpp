// A Waker that cannot be made: the shell has no selector to wake, and WASI preview1 has no
// threads and nothing that interrupts poll_oneoff. With no wake ever delivered there is nothing to
// coalesce.
#pragma once

#include <system_error>

#include "../../token.hpp"
#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// concepts::Waker for any selector: making one reports std::errc::not_supported, and so does
/// wake().
class Waker : MoveOnly {
 public:
  Waker() noexcept = default;
  template <class Selector>
  Waker(const Selector&, Token, std::error_code& ec) noexcept {
    refuse(ec);
  }

  void wake(std::error_code& ec) const noexcept { refuse(ec); }
};

}  // namespace miocpp::sys::unsupported
