// SignalCount: one signal a Signals watcher saw, and how many times.
#pragma once

#include <cstdint>

namespace miocpp {

/// A signal that arrived, and how many times since it was last received (at least 1). The OS
/// merges a signal that arrives while the same one is still pending, so the count says "at least
/// this many": a program that needs every occurrence must not rely on signals.
struct SignalCount {
  /// The signal's number (SIGINT, SIGTERM, ...).
  int signal = 0;
  /// How many times it arrived since it was last received.
  std::uint32_t count = 0;

  /// Equal when both fields are.
  friend bool operator==(const SignalCount&, const SignalCount&) = default;
};

}  // namespace miocpp
