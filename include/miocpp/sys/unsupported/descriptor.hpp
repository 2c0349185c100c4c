// An owned int descriptor for the backends without a descriptor type of their own (the shell,
// WASI, Windows): a descriptor handed over with from_native is still owned, and closed where the
// host has close().
#pragma once

#include "../../config.hpp"
#include "../common/owned_handle.hpp"

// wasi-libc's close() is fd_close; a Windows host has no close() for an int handle.
#if MIOCPP_OS_POSIX || MIOCPP_OS_WASI
#include <unistd.h>
#endif

namespace miocpp::sys::unsupported {

/// What such a descriptor is to common::OwnedHandle: an int, -1 when empty.
struct Descriptors {
  using native_handle_type = int;
  static constexpr int empty = -1;
  static bool is_valid(int fd) noexcept { return fd >= 0; }
  static void close([[maybe_unused]] int fd) noexcept {
#if MIOCPP_OS_POSIX || MIOCPP_OS_WASI
    ::close(fd);
#endif
  }
};

/// Closes its descriptor on destruction (on POSIX and WASI hosts). Move-only.
using Descriptor = common::OwnedHandle<Descriptors>;

}  // namespace miocpp::sys::unsupported
