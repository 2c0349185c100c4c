// MoveOnly: the base of the types that own OS state through copyable members (a shared pointer,
// nothing at all) yet must not be copied: a copy would be a second owner nobody asked for.
#pragma once

namespace miocpp::sys::common {

/// Empty and move-only; deriving from it makes a type move-only with its implicit members.
/// Declaring the moves deletes the copies. Clones are made on purpose, with try_clone.
struct MoveOnly {
  MoveOnly() noexcept = default;
  MoveOnly(MoveOnly&&) noexcept = default;
  MoveOnly& operator=(MoveOnly&&) noexcept = default;
};

}  // namespace miocpp::sys::common
