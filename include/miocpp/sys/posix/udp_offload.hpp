// Linux's UDP segmentation offload (UDP_SEGMENT, GSO, Linux 4.18) and receive coalescing
// (UDP_GRO, Linux 5.0): their numbers, and whether the running kernel has GSO. Elsewhere there is
// neither.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <system_error>

#include "../../config.hpp"

#if MIOCPP_OS_LINUX
#include <netinet/udp.h>
#endif

namespace miocpp::sys::posix {

/// Whether this OS can offload UDP segmentation at all (at build time; the kernel may still
/// lack it: see kernel_has_gso).
inline constexpr bool has_udp_offload = MIOCPP_OS_LINUX == 1;

// The option and ancillary message numbers are the kernel's ABI; a C library older than the
// kernel feature may not name them yet.
/// UDP_SEGMENT, at level IPPROTO_UDP: a send's segment size (option and ancillary message).
inline constexpr int udp_segment = 103;
/// UDP_GRO, at level IPPROTO_UDP: coalescing on (option); a run's segment size (ancillary).
inline constexpr int udp_gro = 104;
#if defined(UDP_SEGMENT)
static_assert(UDP_SEGMENT == udp_segment);
#endif
#if defined(UDP_GRO)
static_assert(UDP_GRO == udp_gro);
#endif

/// An option of UDP offload on a kernel that predates it answers ENOPROTOOPT (EINVAL from some
/// builds): the running system lacks it, which miocpp reports as not_supported.
inline void unknown_to_this_kernel(std::error_code& ec) noexcept {
  if (ec == std::errc::no_protocol_option || ec == std::errc::invalid_argument) {
    ec = std::make_error_code(std::errc::not_supported);
  }
}

/// Whether the running kernel cuts sends into segments (UDP_SEGMENT), asked of `fd`, a UDP
/// socket. A kernel without it would ignore the ancillary message and send one big datagram, so a
/// send with a segment size asks this first. The kernel's answer is kept for the process: one
/// getsockopt on the first call, none after. An answer about `fd` itself (not a socket, closed)
/// is not kept, and counts as yes: the send then reports that error.
inline bool kernel_has_gso(int fd) noexcept {
#if MIOCPP_OS_LINUX
  enum : int { unknown, yes, no };
  static std::atomic<int> answer{unknown};
  const int known = answer.load(std::memory_order_relaxed);
  if (known != unknown) {
    return known == yes;
  }
  int size = 0;
  ::socklen_t length = sizeof size;
  if (::getsockopt(fd, IPPROTO_UDP, udp_segment, &size, &length) == 0) {
    answer.store(yes, std::memory_order_relaxed);
    return true;
  }
  if (errno == ENOPROTOOPT) {
    answer.store(no, std::memory_order_relaxed);
    return false;
  }
  return true;
#else
  (void)fd;
  return false;
#endif
}

}  // namespace miocpp::sys::posix
