// is_short: the rule the backends that re-arm registrations themselves (poll(2), WASI, Windows)
// apply to a stream read or write, so that a short one re-arms as a would-block does.
#pragma once

#include <cstddef>

namespace miocpp::sys::common {

/// Whether a stream read or write that moved `done` of `requested` bytes stopped short: more
/// than 0 and fewer than asked. The kernel moves all it can in one call, so the source had no
/// more to read (or no more room) at that moment. 0 is not short: it is end-of-stream or an
/// empty request, neither of which says anything about readiness.
constexpr bool is_short(std::size_t done, std::size_t requested) noexcept {
  return done != 0 && done < requested;
}

}  // namespace miocpp::sys::common
