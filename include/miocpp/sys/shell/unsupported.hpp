// The one answer of the shell backend.
#pragma once

#include <system_error>

namespace miocpp::sys::shell {

/// Sets `ec` to std::errc::not_supported: this build has no OS readiness API to call.
inline void not_supported(std::error_code& ec) noexcept {
  ec = std::make_error_code(std::errc::not_supported);
}

}  // namespace miocpp::sys::shell
