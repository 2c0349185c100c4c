// WASI's errno values as std::error_code.
#pragma once

#include <cstddef>
#include <system_error>

#include <wasi/api.h>

namespace miocpp::sys::wasi {

/// wasi-libc's errno values are WASI's own (EAGAIN is __WASI_ERRNO_AGAIN, ...), so a WASI error is
/// an errno value and std::errc comparisons hold, `operation_would_block` included.
inline std::error_code errno_code(__wasi_errno_t error) noexcept {
  return {static_cast<int>(error), std::system_category()};
}

/// Sets `ec` from the result of a WASI call; true when it succeeded.
inline bool check(__wasi_errno_t error, std::error_code& ec) noexcept {
  if (error != __WASI_ERRNO_SUCCESS) {
    ec = errno_code(error);
    return false;
  }
  ec.clear();
  return true;
}

/// The byte count of a transfer, or 0 with `ec` set when it failed.
inline std::size_t io_result(__wasi_errno_t error, __wasi_size_t count,
                             std::error_code& ec) noexcept {
  return check(error, ec) ? count : 0;
}

}  // namespace miocpp::sys::wasi
