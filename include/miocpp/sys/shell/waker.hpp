// The shell waker: there is no selector to wake, so making one reports std::errc::not_supported.
#pragma once

#include <system_error>

#include "../../token.hpp"
#include "selector.hpp"
#include "unsupported.hpp"

namespace miocpp::sys::shell {

/// Wakes nothing: there is no selector to wake. The WASI backend uses it too (preview1 has no
/// threads, and nothing can interrupt poll_oneoff), so it is made from any selector.
class Waker {
 public:
  Waker() noexcept = default;
  Waker(Waker&&) noexcept = default;
  Waker& operator=(Waker&&) noexcept = default;
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  ~Waker() = default;
  template <class AnySelector>
  Waker(const AnySelector& /*selector*/, Token /*token*/, std::error_code& ec) noexcept {
    not_supported(ec);
  }
  void wake(std::error_code& ec) const noexcept { not_supported(ec); }
};

}  // namespace miocpp::sys::shell
