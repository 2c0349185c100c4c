// Watching signals, refused: for the backends that have no signals to watch (WASI preview 1 and
// the shell).
#pragma once

#include <span>
#include <system_error>

#include "../../signal_count.hpp"
#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// concepts::SignalWatch where watching reports std::errc::not_supported.
template <class Descriptor>
struct SignalWatch : MoveOnly {
  using wake_type = Descriptor;

  static SignalWatch watch(std::span<const int> /*signals*/, Descriptor& /*wake*/,
                           std::error_code& ec) noexcept {
    return refuse<SignalWatch>(ec);
  }
  SignalCount take(typename Descriptor::native_handle_type /*wake*/, std::error_code& ec) noexcept {
    return refuse<SignalCount>(ec);
  }
};

}  // namespace miocpp::sys::unsupported
