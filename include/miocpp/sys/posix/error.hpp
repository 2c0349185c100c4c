// errno as std::error_code.
#pragma once

#include <cerrno>
#include <system_error>

namespace miocpp::sys::posix {

/// `err` in the system category. EAGAIN is folded into EWOULDBLOCK where the two differ, so that
/// `ec == std::errc::operation_would_block` holds for every "try again" the OS reports.
inline std::error_code errno_code(int err) noexcept {
#if EAGAIN != EWOULDBLOCK
  if (err == EAGAIN) {
    err = EWOULDBLOCK;
  }
#endif
  return {err, std::system_category()};
}

/// The error of the system call that just failed.
inline std::error_code last_error() noexcept {
  return errno_code(errno);
}

}  // namespace miocpp::sys::posix
