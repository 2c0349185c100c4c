// ExitStatus: how a child process ended.
#pragma once

namespace miocpp {

/// How a child process ended: it exited with a code, or a signal ended it.
struct ExitStatus {
  /// The exit code (0 to 255) when it exited; -1 when a signal ended it.
  int code = -1;
  /// The signal that ended it; 0 when it exited.
  int signal = 0;

  /// Whether it exited with code 0.
  [[nodiscard]] constexpr bool success() const noexcept { return code == 0; }

  /// Equal when both fields are.
  friend constexpr bool operator==(const ExitStatus&, const ExitStatus&) = default;
};

}  // namespace miocpp
