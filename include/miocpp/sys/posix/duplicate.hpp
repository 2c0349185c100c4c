// Taking ownership of a descriptor a system call has just returned, and duplicating one: how the
// selectors and wakers open their kernel objects and share them between clones.
#pragma once

#include <fcntl.h>

#include <system_error>

#include "error.hpp"
#include "file_descriptor.hpp"

namespace miocpp::sys::posix {

/// Owns `fd`, the result of a call that returns a descriptor or -1; for -1, `ec` is that call's
/// errno and the result is empty.
inline FileDescriptor adopt(int fd, std::error_code& ec) noexcept {
  FileDescriptor owned(fd);
  if (!owned.is_open()) {
    ec = last_error();
    return owned;
  }
  ec.clear();
  return owned;
}

/// A second, close-on-exec descriptor for the open file behind `fd`.
inline FileDescriptor duplicate(int fd, std::error_code& ec) noexcept {
  return adopt(::fcntl(fd, F_DUPFD_CLOEXEC, 0), ec);
}

}  // namespace miocpp::sys::posix
