// The shell's per-source state: registration reports std::errc::not_supported.
#pragma once

#include <system_error>
#include <utility>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "unsupported.hpp"

namespace miocpp::sys::shell {

/// Registration always fails; I/O runs the operation, which reports not_supported itself.
class IoSourceState {
 public:
  template <class Operation>
  decltype(auto) do_io(Operation&& operation, std::error_code& ec) noexcept {
    return std::forward<Operation>(operation)(ec);
  }
  template <class AnySelector>
  void register_source(const AnySelector& /*selector*/, int /*handle*/, Token /*token*/,
                       Interest /*interest*/, std::error_code& ec) noexcept {
    not_supported(ec);
  }
  template <class AnySelector>
  void reregister(const AnySelector& /*selector*/, int /*handle*/, Token /*token*/,
                  Interest /*interest*/, std::error_code& ec) noexcept {
    not_supported(ec);
  }
  template <class AnySelector>
  void deregister(const AnySelector& /*selector*/, int /*handle*/, std::error_code& ec) noexcept {
    not_supported(ec);
  }
};

}  // namespace miocpp::sys::shell
