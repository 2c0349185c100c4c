// RegistryAccess: the one way into a Registry's record of its Poll, for the sources and the Waker
// that must know which Poll they belong to (users never need it).
#pragma once

#include "../registry.hpp"
#include "poll_identity.hpp"

namespace miocpp::detail {

struct RegistryAccess {
  /// The identity of the Poll behind `registry` (shared by its clones).
  static const PollIdentity& identity(const Registry& registry) noexcept {
    return registry.identity();
  }
};

}  // namespace miocpp::detail
