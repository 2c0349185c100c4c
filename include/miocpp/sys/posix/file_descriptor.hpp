// An owned POSIX file descriptor.
#pragma once

#include <unistd.h>

#include "../common/owned_handle.hpp"

namespace miocpp::sys::posix {

/// What a descriptor is to common::OwnedHandle: an int, -1 when empty, any negative value none.
struct Descriptors {
  using native_handle_type = int;
  static constexpr int empty = -1;
  static bool is_valid(int fd) noexcept { return fd >= 0; }
  /// The result of close is ignored: on Linux and the BSDs the descriptor is gone even when close
  /// reports EINTR or EIO, so a retry could close a descriptor another thread has just been given.
  static void close(int fd) noexcept { ::close(fd); }
};

/// Closes its descriptor on destruction. Move-only.
using FileDescriptor = common::OwnedHandle<Descriptors>;

}  // namespace miocpp::sys::posix
