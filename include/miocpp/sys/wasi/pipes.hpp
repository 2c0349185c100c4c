// Non-blocking read/write on WASI descriptors (fd_read, fd_write): one call each, errors as
// std::error_code. WASI cannot create a pipe; one handed to the module (stdin, say) works.
#pragma once

#include <cstddef>
#include <span>
#include <system_error>
#include <utility>

#include <wasi/api.h>

#include "../unsupported/descriptor.hpp"
#include "../unsupported/pipes.hpp"
#include "error.hpp"
#include "io_vec.hpp"

namespace miocpp::sys::wasi {

/// concepts::Pipes over WASI descriptors.
struct Pipes {
  /// WASI preview1 has no pipe(): std::errc::not_supported.
  static std::pair<unsupported::Descriptor, unsupported::Descriptor> open(
      std::error_code& ec) noexcept {
    return unsupported::Pipes<unsupported::Descriptor, IoVec>::open(ec);
  }

  static std::size_t read(int fd, std::span<std::byte> buffer, std::error_code& ec) noexcept {
    const IoVec vec = IoVecs::make(buffer.data(), buffer.size());
    return read_vectored(fd, std::span<const IoVec>(&vec, 1), ec);
  }

  static std::size_t write(int fd, std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    const IoVec vec = IoVecs::make(bytes.data(), bytes.size());
    return write_vectored(fd, std::span<const IoVec>(&vec, 1), ec);
  }

  static std::size_t read_vectored(int fd, std::span<const IoVec> buffers,
                                   std::error_code& ec) noexcept {
    __wasi_size_t count = 0;
    const __wasi_errno_t error =
        __wasi_fd_read(static_cast<__wasi_fd_t>(fd), buffers.data(), buffers.size(), &count);
    return io_result(error, count, ec);
  }

  static std::size_t write_vectored(int fd, std::span<const IoVec> buffers,
                                    std::error_code& ec) noexcept {
    __wasi_size_t count = 0;
    const __wasi_errno_t error = __wasi_fd_write(static_cast<__wasi_fd_t>(fd),
                                                 as_const_io_vecs(buffers), buffers.size(), &count);
    return io_result(error, count, ec);
  }

  /// Switches __WASI_FDFLAGS_NONBLOCK, keeping the other flags WASI defines (some runtimes report
  /// host bits beside them, which fd_fdstat_set_flags would refuse).
  static void set_nonblocking(int fd, bool nonblocking, std::error_code& ec) noexcept {
    constexpr __wasi_fdflags_t wasi_flags = __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_DSYNC |
                                            __WASI_FDFLAGS_NONBLOCK | __WASI_FDFLAGS_RSYNC |
                                            __WASI_FDFLAGS_SYNC;
    __wasi_fdstat_t status{};
    if (!check(__wasi_fd_fdstat_get(static_cast<__wasi_fd_t>(fd), &status), ec)) {
      return;
    }
    auto flags =
        static_cast<__wasi_fdflags_t>(status.fs_flags & wasi_flags & ~__WASI_FDFLAGS_NONBLOCK);
    if (nonblocking) {
      flags = static_cast<__wasi_fdflags_t>(flags | __WASI_FDFLAGS_NONBLOCK);
    }
    check(__wasi_fd_fdstat_set_flags(static_cast<__wasi_fd_t>(fd), flags), ec);
  }
};

}  // namespace miocpp::sys::wasi
