// Socket calls shared by TCP, UDP and Unix-domain sockets: one system call each, non-blocking,
// close-on-exec, and never SIGPIPE.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstddef>
#include <span>
#include <system_error>

#include "../../net/shutdown.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "file_io.hpp"
#include "io_vec.hpp"

namespace miocpp::sys::posix {

// Linux and the BSDs refuse SIGPIPE per call; Apple systems only per socket (SO_NOSIGPIPE, set
// on every socket created or accepted: see refuse_sigpipe).
#if defined(MSG_NOSIGNAL)
inline constexpr int no_sigpipe_flag = MSG_NOSIGNAL;
#else
inline constexpr int no_sigpipe_flag = 0;
#endif

/// listen(2) backlog. Linux, FreeBSD, OpenBSD and Apple systems read -1 as "the system maximum"
/// (somaxconn); elsewhere 128, the traditional SOMAXCONN.
#if defined(__linux__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__APPLE__)
inline constexpr int listen_backlog = -1;
#else
inline constexpr int listen_backlog = 128;
#endif

// Where the flags cannot be asked for in socket()/socketpair()/accept4() (Apple systems), they are
// set with fcntl right after the descriptor exists. A fork+exec in another thread between the two
// calls inherits the descriptor without FD_CLOEXEC: on those systems there is no way to close that
// window.
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
inline constexpr bool sockets_configured_on_creation = true;
inline constexpr int socket_creation_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
#else
inline constexpr bool sockets_configured_on_creation = false;
inline constexpr int socket_creation_flags = 0;
#endif

/// Turns off SIGPIPE for the socket itself where sends cannot refuse it per call (no
/// MSG_NOSIGNAL, but SO_NOSIGPIPE: Apple systems). Elsewhere a no-op.
inline void refuse_sigpipe(int fd, std::error_code& ec) noexcept {
#if !defined(MSG_NOSIGNAL) && defined(SO_NOSIGPIPE)
  const int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on) < 0) {
    ec = last_error();
    return;
  }
#else
  (void)fd;
#endif
  ec.clear();
}

/// Gives a socket just created or accepted what every miocpp socket has: close-on-exec and
/// non-blocking (unless the creating call set them already) and no SIGPIPE.
inline void configure_socket(int fd, std::error_code& ec) noexcept {
  if constexpr (!sockets_configured_on_creation) {
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
      ec = last_error();
      return;
    }
    set_nonblocking(fd, true, ec);
    if (ec) {
      return;
    }
  }
  refuse_sigpipe(fd, ec);
}

/// A new non-blocking, close-on-exec socket (one system call where SOCK_NONBLOCK exists).
inline FileDescriptor open_socket(int domain, int type, std::error_code& ec) noexcept {
  FileDescriptor socket(::socket(domain, type | socket_creation_flags, 0));
  if (!socket.is_open()) {
    ec = last_error();
    return socket;
  }
  configure_socket(socket.native_handle(), ec);
  if (ec) {
    socket.reset();
  }
  return socket;
}

/// Both ends of a connected pair (socketpair), configured like open_socket's.
inline void open_socket_pair(int domain, int type, FileDescriptor& first, FileDescriptor& second,
                             std::error_code& ec) noexcept {
  int fds[2] = {-1, -1};  // NOLINT(*-avoid-c-arrays): the socketpair(2) interface
  if (::socketpair(domain, type | socket_creation_flags, 0, fds) < 0) {
    ec = last_error();
    return;
  }
  first.reset(fds[0]);
  second.reset(fds[1]);
  configure_socket(fds[0], ec);
  if (!ec) {
    configure_socket(fds[1], ec);
  }
  if (ec) {
    first.reset();
    second.reset();
  }
}

/// accept4 where it exists, so the new socket is never visible without its flags. `peer` is
/// filled with the peer's address.
inline FileDescriptor accept_socket(int fd, ::sockaddr* peer, ::socklen_t* peer_length,
                                    std::error_code& ec) noexcept {
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
  FileDescriptor accepted(::accept4(fd, peer, peer_length, socket_creation_flags));
#else
  FileDescriptor accepted(::accept(fd, peer, peer_length));
#endif
  if (!accepted.is_open()) {
    ec = last_error();
    return accepted;
  }
  configure_socket(accepted.native_handle(), ec);
  if (ec) {
    accepted.reset();
  }
  return accepted;
}

/// Clears `ec` when `result` is not negative, otherwise sets it from errno.
inline void check(int result, std::error_code& ec) noexcept {
  if (result < 0) {
    ec = last_error();
  } else {
    ec.clear();
  }
}

template <class T>
void set_socket_option(int fd, int level, int name, const T& value, std::error_code& ec) noexcept {
  check(::setsockopt(fd, level, name, &value, sizeof value), ec);
}

template <class T>
T get_socket_option(int fd, int level, int name, std::error_code& ec) noexcept {
  T value{};
  ::socklen_t length = sizeof value;
  check(::getsockopt(fd, level, name, &value, &length), ec);
  return ec ? T{} : value;
}

/// An int option as a bool (SO_BROADCAST, TCP_NODELAY, ...).
inline void set_flag_option(int fd, int level, int name, bool on, std::error_code& ec) noexcept {
  set_socket_option(fd, level, name, on ? 1 : 0, ec);
}
inline bool get_flag_option(int fd, int level, int name, std::error_code& ec) noexcept {
  return get_socket_option<int>(fd, level, name, ec) != 0;
}

/// The pending socket error (SO_ERROR), which reading also clears: empty when there is none.
/// `ec` reports whether asking failed.
inline std::error_code take_socket_error(int fd, std::error_code& ec) noexcept {
  const int pending = get_socket_option<int>(fd, SOL_SOCKET, SO_ERROR, ec);
  if (ec || pending == 0) {
    return {};
  }
  return errno_code(pending);
}

inline std::size_t send_bytes(int fd, std::span<const std::byte> bytes, int flags,
                              std::error_code& ec) noexcept {
  return io_result(::send(fd, bytes.data(), bytes.size(), flags | no_sigpipe_flag), ec);
}

inline std::size_t receive_bytes(int fd, std::span<std::byte> buffer, int flags,
                                 std::error_code& ec) noexcept {
  return io_result(::recv(fd, buffer.data(), buffer.size(), flags), ec);
}

/// writev for sockets: sendmsg, because only it takes MSG_NOSIGNAL.
inline std::size_t send_vectored(int fd, std::span<const IoVec> buffers,
                                 std::error_code& ec) noexcept {
  ::msghdr message{};
  message.msg_iov = const_cast<IoVec*>(buffers.data());  // NOLINT(*-const-cast): never written
  message.msg_iovlen = static_cast<decltype(message.msg_iovlen)>(iov_count(buffers.size()));
  return io_result(::sendmsg(fd, &message, no_sigpipe_flag), ec);
}

inline std::size_t receive_vectored(int fd, std::span<const IoVec> buffers,
                                    std::error_code& ec) noexcept {
  return read_vectored(fd, buffers, ec);
}

inline std::size_t send_bytes_to(int fd, std::span<const std::byte> bytes, const ::sockaddr* to,
                                 ::socklen_t to_length, std::error_code& ec) noexcept {
  return io_result(::sendto(fd, bytes.data(), bytes.size(), no_sigpipe_flag, to, to_length), ec);
}

inline std::size_t receive_bytes_from(int fd, std::span<std::byte> buffer, int flags,
                                      ::sockaddr* from, ::socklen_t* from_length,
                                      std::error_code& ec) noexcept {
  return io_result(::recvfrom(fd, buffer.data(), buffer.size(), flags, from, from_length), ec);
}

/// recv with MSG_PEEK: the bytes stay queued for the next read.
inline std::size_t peek_bytes(int fd, std::span<std::byte> buffer, std::error_code& ec) noexcept {
  return receive_bytes(fd, buffer, MSG_PEEK, ec);
}

/// recv for stream sockets: a read into an empty buffer completes with 0 even when nothing is
/// queued (Linux answers EAGAIN there), so "a zero-length read is valid" holds; real errors
/// (EBADF, ECONNRESET) still come through.
inline std::size_t receive_stream(int fd, std::span<std::byte> buffer, int flags,
                                  std::error_code& ec) noexcept {
  const std::size_t count = receive_bytes(fd, buffer, flags, ec);
  if (buffer.empty() && ec == std::errc::operation_would_block) {
    ec.clear();
  }
  return count;
}

/// receive_stream with MSG_PEEK.
inline std::size_t peek_stream(int fd, std::span<std::byte> buffer, std::error_code& ec) noexcept {
  return receive_stream(fd, buffer, MSG_PEEK, ec);
}

inline void shutdown(int fd, net::Shutdown how, std::error_code& ec) noexcept {
  const int which = how == net::Shutdown::read    ? SHUT_RD
                    : how == net::Shutdown::write ? SHUT_WR
                                                  : SHUT_RDWR;
  check(::shutdown(fd, which), ec);
}

}  // namespace miocpp::sys::posix
