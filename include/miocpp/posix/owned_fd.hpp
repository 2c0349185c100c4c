// posix::OwnedFd: one owned file descriptor of any kind, as received over a Unix-domain socket.
#pragma once

#include "../sys/sys.hpp"

namespace miocpp::posix {

/// Owns one file descriptor of any kind (a socket, a pipe end, a file...) and closes it on
/// destruction, like `std::unique_ptr`: move-only, empty when default-constructed. It is what
/// UnixStream::recv_with_fds and UnixDatagram::recv_with_fds put the received descriptors in. To
/// use one as a miocpp socket or pipe end, hand it over with `release()`:
/// `net::TcpStream::from_native(fd.release())`.
///
/// On Windows, which has no such descriptors, it holds the number and closes nothing.
class OwnedFd {
 public:
  /// The descriptor type.
  using native_handle_type = int;

  /// Empty: get() is -1.
  OwnedFd() noexcept = default;
  /// Takes ownership of `fd` (-1, or any negative value, is empty).
  explicit OwnedFd(int fd) noexcept : fd_(fd) {}

  /// The descriptor, still owned by this object; -1 when empty.
  [[nodiscard]] int get() const noexcept { return fd_.native_handle(); }

  /// Whether it holds a descriptor.
  explicit operator bool() const noexcept { return fd_.is_open(); }

  /// Gives the descriptor up without closing it; this object becomes empty.
  int release() noexcept { return fd_.release(); }

  /// Closes the descriptor held (if any) and takes `fd` instead.
  void reset(int fd = -1) noexcept { fd_.reset(fd); }

 private:
  sys::FileDescriptor fd_;
};

}  // namespace miocpp::posix
