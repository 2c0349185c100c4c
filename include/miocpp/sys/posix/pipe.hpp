// A non-blocking, close-on-exec pipe.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <system_error>

#include "error.hpp"
#include "file_descriptor.hpp"

namespace miocpp::sys::posix {

struct PipeEnds {
  FileDescriptor read_end;
  FileDescriptor write_end;
};

/// Opens a pipe whose both ends are non-blocking and close-on-exec. Where pipe2 exists this is one
/// system call, so no other thread's fork/exec can inherit a half-configured descriptor.
inline PipeEnds open_pipe(std::error_code& ec) noexcept {
  int fds[2] = {-1, -1};  // NOLINT(*-avoid-c-arrays): the pipe(2) interface
#if defined(__APPLE__)
  // No pipe2: set the flags right after; a concurrent fork may see the descriptors without them.
  if (::pipe(fds) < 0) {
    ec = last_error();
    return {};
  }
  PipeEnds ends{FileDescriptor(fds[0]), FileDescriptor(fds[1])};
  for (const int fd : fds) {
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
      ec = last_error();
      return {};
    }
  }
  ec.clear();
  return ends;
#else
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
    ec = last_error();
    return {};
  }
  ec.clear();
  return {FileDescriptor(fds[0]), FileDescriptor(fds[1])};
#endif
}

}  // namespace miocpp::sys::posix
