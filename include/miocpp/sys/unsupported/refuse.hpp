// What every refusal in this folder shares: the one answer (std::errc::not_supported and an empty
// value), and the move-only shape of the refusing types, which hold nothing (common::MoveOnly).
#pragma once

#include <system_error>
#include <type_traits>

#include "../common/move_only.hpp"

namespace miocpp::sys::unsupported {

/// Sets `ec` to std::errc::not_supported and returns an empty `Result`: the body of every call a
/// backend cannot make (no OS poll at all, or a platform that lacks the feature).
template <class Result = void>
Result refuse(std::error_code& ec) noexcept {
  ec = std::make_error_code(std::errc::not_supported);
  if constexpr (!std::is_void_v<Result>) {
    return Result{};
  }
}

/// The base of the refusing types: empty, and move-only like the handles they stand in for
/// (concepts::Owning).
using common::MoveOnly;

}  // namespace miocpp::sys::unsupported
