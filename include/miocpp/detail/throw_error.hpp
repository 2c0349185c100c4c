// The bridge from the std::error_code overloads to the throwing ones (std::filesystem style).
#pragma once

#include <system_error>

#include "../config.hpp"

#if MIOCPP_HAS_EXCEPTIONS
namespace miocpp::detail {

/// Throws std::system_error carrying `ec` when it holds an error; `what` names the failed call.
inline void throw_if_error(const std::error_code& ec, const char* what) {
  if (ec) {
    throw std::system_error(ec, what);
  }
}

}  // namespace miocpp::detail
#endif
