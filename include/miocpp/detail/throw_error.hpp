// The bridge from the std::error_code overloads to the throwing ones (std::filesystem style).
#pragma once

#include <system_error>
#include <type_traits>
#include <utility>

#include "../config.hpp"

#if MIOCPP_HAS_EXCEPTIONS
namespace miocpp::detail {

/// Throws std::system_error carrying `ec` when it holds an error; `what` names the failed call.
inline void throw_if_error(const std::error_code& ec, const char* what) {
  if (ec) {
    throw std::system_error(ec, what);
  }
}

/// Calls `call(ec)` -- an error_code overload -- and throws what it reports, else returns its
/// result. The throwing overloads are written with it in one line each.
template <class Call>
decltype(auto) or_throw(const char* what, Call&& call) {
  std::error_code ec;
  if constexpr (std::is_void_v<std::invoke_result_t<Call&, std::error_code&>>) {
    std::forward<Call>(call)(ec);
    throw_if_error(ec, what);
  } else {
    auto result = std::forward<Call>(call)(ec);
    throw_if_error(ec, what);
    return result;
  }
}

}  // namespace miocpp::detail
#endif
