// The rule the backends that re-arm registrations themselves (poll(2), WASI, Windows) apply to a
// stream read or write: a short one uses the readiness up as surely as a would-block does.
#pragma once

#include <cstddef>
#include <system_error>

namespace miocpp::sys::common {

/// Whether a stream read or write that moved `done` of `requested` bytes stopped short: more
/// than 0 and fewer than asked. The kernel moves all it can in one call, so the source had no
/// more to read (or no more room) at that moment. 0 is not short: it is end-of-stream or an
/// empty request, neither of which says anything about readiness.
constexpr bool is_short(std::size_t done, std::size_t requested) noexcept {
  return done != 0 && done < requested;
}

/// Whether a stream read or write that moved `done` of `requested` bytes, with outcome `ec`, has
/// used up the readiness that was reported: it would block, or it stopped short. Then the
/// registration is re-armed, and the next event may come.
inline bool stream_readiness_used_up(std::size_t done, std::size_t requested,
                                     const std::error_code& ec) noexcept {
  return ec ? ec == std::errc::operation_would_block : is_short(done, requested);
}

}  // namespace miocpp::sys::common
