// Pipes: opening a non-blocking, close-on-exec pipe, and plain descriptor I/O on its ends.
#pragma once

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstddef>
#include <span>
#include <system_error>
#include <utility>

#include "../../config.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "file_io.hpp"
#include "io_vec.hpp"

namespace miocpp::sys::posix {

/// concepts::Pipes over descriptors.
struct Pipes {
  /// A pipe (read end, write end) whose both ends are non-blocking and close-on-exec. Where pipe2
  /// exists this is one system call, so no other thread's fork/exec can inherit a
  /// half-configured descriptor.
  static std::pair<FileDescriptor, FileDescriptor> open(std::error_code& ec) noexcept {
    int fds[2] = {-1, -1};  // NOLINT(*-avoid-c-arrays): the pipe(2) interface
#if MIOCPP_OS_APPLE
    // No pipe2: set the flags right after; a concurrent fork may see them without.
    if (::pipe(fds) < 0) {
      ec = last_error();
      return {};
    }
    std::pair<FileDescriptor, FileDescriptor> ends{FileDescriptor(fds[0]), FileDescriptor(fds[1])};
    for (const int fd : fds) {
      if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        ec = last_error();
        return {};
      }
      set_nonblocking(fd, true, ec);
      if (ec) {
        return {};
      }
    }
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

  static std::size_t read(int fd, std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return io_result(::read(fd, buffer.data(), buffer.size()), ec);
  }

  static std::size_t write(int fd, std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    return io_result(::write(fd, bytes.data(), bytes.size()), ec);
  }

  static std::size_t read_vectored(int fd, std::span<const IoVec> buffers,
                                   std::error_code& ec) noexcept {
    return io_result(::readv(fd, buffers.data(), iov_count(buffers.size())), ec);
  }

  static std::size_t write_vectored(int fd, std::span<const IoVec> buffers,
                                    std::error_code& ec) noexcept {
    return io_result(::writev(fd, buffers.data(), iov_count(buffers.size())), ec);
  }

  static void set_nonblocking(int fd, bool nonblocking, std::error_code& ec) noexcept {
    posix::set_nonblocking(fd, nonblocking, ec);
  }
};

}  // namespace miocpp::sys::posix
