// Opening a close-on-exec kqueue: for the selector, and for the private queue of each watched
// child process.
#pragma once

// <sys/types.h> first: older BSD <sys/event.h> headers use its types without including it.
// clang-format off
#include <sys/types.h>
#include <sys/event.h>
// clang-format on
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "../../config.hpp"

namespace miocpp::sys::kqueue {

/// A new close-on-exec kqueue, or -1 with errno set. NetBSD (kqueue1) and FreeBSD 14 (kqueuex)
/// create it so in one call; elsewhere FD_CLOEXEC is set right after, and a fork+exec in another
/// thread between the two calls can inherit the descriptor: there is no way to close that gap on
/// those systems.
inline int open_kqueue() noexcept {
#if MIOCPP_OS_NETBSD
  return ::kqueue1(O_CLOEXEC);
#elif MIOCPP_OS_FREEBSD && defined(KQUEUE_CLOEXEC)
  return ::kqueuex(KQUEUE_CLOEXEC);
#else
  const int kq = ::kqueue();
  if (kq >= 0 && ::fcntl(kq, F_SETFD, FD_CLOEXEC) < 0) {
    const int error = errno;
    ::close(kq);
    errno = error;
    return -1;
  }
  return kq;
#endif
}

}  // namespace miocpp::sys::kqueue
