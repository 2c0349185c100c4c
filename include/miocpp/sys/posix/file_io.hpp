// What every descriptor call shares: its result as a count or a std::error_code, the iovec count
// limit, and switching O_NONBLOCK.
#pragma once

#include <fcntl.h>
#include <limits.h>  // IOV_MAX
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <span>
#include <system_error>

#include "error.hpp"

namespace miocpp::sys::posix {

/// The byte count of a read/write-style call, or 0 with `ec` set when it failed. EINTR is reported
/// as std::errc::interrupted, never retried behind the caller's back.
inline std::size_t io_result(ssize_t result, std::error_code& ec) noexcept {
  if (result < 0) {
    ec = last_error();
    return 0;
  }
  ec.clear();
  return static_cast<std::size_t>(result);
}

/// readv/writev refuse more than IOV_MAX buffers; a short transfer is allowed, so clamp.
inline int iov_count(std::size_t count) noexcept {
#ifdef IOV_MAX
  return static_cast<int>(std::min<std::size_t>(count, IOV_MAX));
#else
  return static_cast<int>(std::min<std::size_t>(count, 1024));
#endif
}

/// Switches O_NONBLOCK with a single ioctl (FIONBIO) instead of an fcntl read-modify-write pair.
inline void set_nonblocking(int fd, bool nonblocking, std::error_code& ec) noexcept {
  int value = nonblocking ? 1 : 0;
  if (::ioctl(fd, FIONBIO, &value) < 0) {
    ec = last_error();
    return;
  }
  ec.clear();
}

}  // namespace miocpp::sys::posix
