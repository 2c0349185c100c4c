// Completions that the selector hands back to their owner (named-pipe I/O) instead of reading
// them as AFD polls.
#pragma once

#include <cstdint>

#include "windows.hpp"

namespace miocpp::sys::windows {

/// An OVERLAPPED with the function that makes sense of its completion. It is the first member,
/// so the OVERLAPPED* a completion carries is a pointer to the CompletionTarget.
struct CompletionTarget {
  /// Handles one completion of `target`. Returns the readiness to report for `token` (0 for
  /// none). With `discard` set the selector is closing: only release what the operation held.
  using Handler = std::uint32_t (*)(CompletionTarget& target, const OVERLAPPED_ENTRY& entry,
                                    bool discard, std::uint64_t& token) noexcept;

  OVERLAPPED overlapped{};
  Handler handler = nullptr;

  static CompletionTarget& from(OVERLAPPED* overlapped) noexcept {
    return *reinterpret_cast<CompletionTarget*>(overlapped);  // NOLINT(*-reinterpret-cast)
  }
};

// Completion keys: which kind of handle a completion comes from. Wake-ups carry no OVERLAPPED and
// their token as the key.
inline constexpr ULONG_PTR afd_completion_key = 1;
inline constexpr ULONG_PTR pipe_completion_key = 2;

}  // namespace miocpp::sys::windows
