// ReceivedWithFds: what one receive that takes descriptors (UnixStream::recv_with_fds,
// UnixDatagram::recv_with_fds) reports, and how many descriptors one message may carry.
#pragma once

#include <cstddef>

namespace miocpp::net {

/// The most descriptors one message may carry, on every platform: 253, Linux's SCM_MAX_FD (its
/// sendmsg refuses more). Other systems bound a message's descriptors otherwise (by the size of
/// its control data); one cap everywhere means that a sender that works on one system works on
/// all, and it fixes the size of the control buffer a receive keeps on its stack (about 1 KiB,
/// no allocation). Sending more is `std::errc::invalid_argument` before any system call; a
/// receive offers room for at most this many.
inline constexpr std::size_t max_fds_per_message = 253;

/// The outcome of one receive with descriptors.
struct ReceivedWithFds {
  /// The bytes received into the buffer (on a stream 0 means end-of-stream).
  std::size_t bytes = 0;
  /// The descriptors received, now owned by the first `fds` slots given to the call.
  std::size_t fds = 0;
};

}  // namespace miocpp::net
