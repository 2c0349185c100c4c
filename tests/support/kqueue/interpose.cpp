// The calls the emulation interposes with the linker's --wrap: close(2), so that closing a
// descriptor drops its knotes as on FreeBSD; and getsockopt(SOL_SOCKET, SO_ERROR) and the
// receiving calls, so that a socket error the emulation had to read (Linux clears it on reading)
// to fill in fflags still reaches the program the way a BSD kernel would deliver it.
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <mutex>

#include "emulation.hpp"

namespace kqemu {
namespace {

/// A socket error read from the kernel and not yet handed to the program. The inode makes a
/// reused descriptor number a different socket.
struct KeptError {
  int fd = -1;
  dev_t device = 0;
  ino_t inode = 0;
  int error = 0;
};

// A handful of sockets at a time have an unreported error; a fixed table keeps the wrappers free
// of allocations. When it is full the oldest entry gives way (that error is then lost, as it
// would be on Linux anyway).
constexpr std::size_t kept_capacity = 64;

struct KeptErrors {
  std::mutex mutex;
  std::array<KeptError, kept_capacity> entries{};
  std::size_t next = 0;
  // Lets getsockopt and close skip the lock entirely in the usual case of nothing kept.
  std::atomic<std::size_t> count{0};
};

KeptErrors& kept() noexcept {
  static KeptErrors errors;
  return errors;
}

bool identify(int fd, dev_t& device, ino_t& inode) noexcept {
  struct stat status {};
  if (::fstat(fd, &status) < 0) {
    return false;
  }
  device = status.st_dev;
  inode = status.st_ino;
  return true;
}

/// Finds the live entry for this socket and removes entries for an older socket with its number.
KeptError* find(KeptErrors& errors, int fd, dev_t device, ino_t inode) noexcept {
  KeptError* found = nullptr;
  for (KeptError& entry : errors.entries) {
    if (entry.fd != fd) {
      continue;
    }
    if (entry.device == device && entry.inode == inode) {
      found = &entry;
    } else {
      entry = KeptError{};
      errors.count.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  return found;
}

}  // namespace

int peek_socket_error(int fd) noexcept {
  dev_t device = 0;
  ino_t inode = 0;
  if (!identify(fd, device, inode)) {
    return 0;
  }
  KeptErrors& errors = kept();
  const std::lock_guard lock(errors.mutex);
  if (const KeptError* entry = find(errors, fd, device, inode)) {
    return entry->error;
  }
  int error = 0;
  socklen_t length = sizeof error;
  if (__real_getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0 || error == 0) {
    return 0;
  }
  KeptError& slot = errors.entries[errors.next];
  errors.next = (errors.next + 1) % kept_capacity;
  if (slot.fd < 0) {
    errors.count.fetch_add(1, std::memory_order_relaxed);
  }
  slot = KeptError{fd, device, inode, error};
  return error;
}

void forget_socket_error(int fd) noexcept {
  KeptErrors& errors = kept();
  if (errors.count.load(std::memory_order_relaxed) == 0) {
    return;
  }
  const std::lock_guard lock(errors.mutex);
  for (KeptError& entry : errors.entries) {
    if (entry.fd == fd) {
      entry = KeptError{};
      errors.count.fetch_sub(1, std::memory_order_relaxed);
    }
  }
}

/// For a receiving call: the kept error of `fd`, taken, when no data is queued (FreeBSD's
/// soreceive returns queued data first, then so_error, and clears it unless peeking); else 0.
int take_receive_error(int fd, bool peek) noexcept {
  KeptErrors& errors = kept();
  if (errors.count.load(std::memory_order_relaxed) == 0) {
    return 0;
  }
  dev_t device = 0;
  ino_t inode = 0;
  if (!identify(fd, device, inode)) {
    return 0;
  }
  const std::lock_guard lock(errors.mutex);
  KeptError* entry = find(errors, fd, device, inode);
  if (entry == nullptr) {
    return 0;
  }
  int queued = 0;
  if (::ioctl(fd, FIONREAD, &queued) == 0 && queued > 0) {
    return 0;
  }
  const int error = entry->error;
  if (!peek) {
    *entry = KeptError{};
    errors.count.fetch_sub(1, std::memory_order_relaxed);
  }
  return error;
}

}  // namespace kqemu

extern "C" {
ssize_t __real_read(int fd, void* buffer, size_t length);
ssize_t __real_readv(int fd, const iovec* vectors, int count);
ssize_t __real_recv(int fd, void* buffer, size_t length, int flags);
ssize_t __real_recvfrom(int fd, void* buffer, size_t length, int flags, sockaddr* address,
                        socklen_t* address_length);
ssize_t __real_recvmsg(int fd, msghdr* message, int flags);
}

// Sending needs no wrapper: FreeBSD's sosend fails with EPIPE once the connection is gone and
// leaves so_error for the next receive, which is what Linux does with the error cleared.
extern "C" ssize_t __wrap_read(int fd, void* buffer, size_t length) {
  if (const int error = kqemu::take_receive_error(fd, false); error != 0) {
    errno = error;
    return -1;
  }
  return __real_read(fd, buffer, length);
}

extern "C" ssize_t __wrap_readv(int fd, const iovec* vectors, int count) {
  if (const int error = kqemu::take_receive_error(fd, false); error != 0) {
    errno = error;
    return -1;
  }
  return __real_readv(fd, vectors, count);
}

extern "C" ssize_t __wrap_recv(int fd, void* buffer, size_t length, int flags) {
  if (const int error = kqemu::take_receive_error(fd, (flags & MSG_PEEK) != 0); error != 0) {
    errno = error;
    return -1;
  }
  return __real_recv(fd, buffer, length, flags);
}

extern "C" ssize_t __wrap_recvfrom(int fd, void* buffer, size_t length, int flags,
                                   sockaddr* address, socklen_t* address_length) {
  if (const int error = kqemu::take_receive_error(fd, (flags & MSG_PEEK) != 0); error != 0) {
    errno = error;
    return -1;
  }
  return __real_recvfrom(fd, buffer, length, flags, address, address_length);
}

extern "C" ssize_t __wrap_recvmsg(int fd, msghdr* message, int flags) {
  if (const int error = kqemu::take_receive_error(fd, (flags & MSG_PEEK) != 0); error != 0) {
    errno = error;
    return -1;
  }
  return __real_recvmsg(fd, message, flags);
}

extern "C" int __wrap_getsockopt(int fd, int level, int name, void* value, socklen_t* length) {
  kqemu::KeptErrors& errors = kqemu::kept();
  if (level != SOL_SOCKET || name != SO_ERROR || value == nullptr || length == nullptr ||
      *length < sizeof(int) || errors.count.load(std::memory_order_relaxed) == 0) {
    return __real_getsockopt(fd, level, name, value, length);
  }
  dev_t device = 0;
  ino_t inode = 0;
  if (kqemu::identify(fd, device, inode)) {
    const std::lock_guard lock(errors.mutex);
    if (kqemu::KeptError* entry = kqemu::find(errors, fd, device, inode)) {
      // Reported once and cleared, as the kernel does with the error it holds.
      std::memcpy(value, &entry->error, sizeof(int));
      *length = sizeof(int);
      *entry = kqemu::KeptError{};
      errors.count.fetch_sub(1, std::memory_order_relaxed);
      return 0;
    }
  }
  return __real_getsockopt(fd, level, name, value, length);
}

extern "C" int __wrap_close(int fd) {
  if (fd >= 0) {
    kqemu::descriptor_closing(fd);
    kqemu::forget_socket_error(fd);
  }
  return __real_close(fd);
}
