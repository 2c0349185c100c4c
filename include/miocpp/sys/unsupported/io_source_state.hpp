// Per-source state where no source can be registered: registration reports
// std::errc::not_supported.
#pragma once

#include <system_error>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../common/plain_io.hpp"
#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// concepts::IoSourceState for any selector. I/O runs the operation, which on such a backend
/// reports not_supported by itself.
class IoSourceState : public common::PlainIo {
 public:
  template <class Selector>
  void register_source(const Selector&, int, Token, Interest, std::error_code& ec) noexcept {
    refuse(ec);
  }
  template <class Selector>
  void reregister(const Selector&, int, Token, Interest, std::error_code& ec) noexcept {
    refuse(ec);
  }
  template <class Selector>
  void deregister(const Selector&, int, std::error_code& ec) noexcept {
    refuse(ec);
  }

  /// Nothing to forget: nothing was ever registered.
  void forget() noexcept {}
};

}  // namespace miocpp::sys::unsupported
