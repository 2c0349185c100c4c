// try_make_shared: std::make_shared for the noexcept calls that own shared state (a selector's
// table, a kernel queue's descriptor), reporting std::errc::not_enough_memory instead of throwing.
#pragma once

#include <memory>
#include <new>
#include <system_error>
#include <utility>

#include "../../config.hpp"

namespace miocpp::sys::common {

/// A new shared T built from `args`, or empty with `ec` set to std::errc::not_enough_memory.
/// Without exceptions an allocation failure ends the program, as everywhere in such a build.
template <class T, class... Args>
std::shared_ptr<T> try_make_shared(std::error_code& ec, Args&&... args) noexcept {
#if MIOCPP_HAS_EXCEPTIONS
  try {
#endif
    ec.clear();
    return std::make_shared<T>(std::forward<Args>(args)...);
#if MIOCPP_HAS_EXCEPTIONS
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
    return {};
  }
#endif
}

}  // namespace miocpp::sys::common
