// SignalCount: one signal a Signals watcher saw, and how many times.
#pragma once

#include <cstdint>

namespace miocpp {

/// A signal that arrived, and how many times since it was last received (at least 1). The OS
/// merges a signal that arrives while the same one is still pending, so the count says "at least
/// this many": a program that needs every occurrence must not rely on signals.
struct SignalCount {
  int signal = 0;
  std::uint32_t count = 0;

  friend bool operator==(const SignalCount&, const SignalCount&) = default;
};

}  // namespace miocpp
