// Creating and configuring POSIX sockets (non-blocking, close-on-exec, never SIGPIPE) and reading
// and writing their options: the helpers under Sockets, Tcp, Udp and Uds.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <span>
#include <system_error>
#include <type_traits>

#include "../../config.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "file_io.hpp"

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
inline constexpr int listen_backlog =
    MIOCPP_OS_LINUX || MIOCPP_OS_FREEBSD || MIOCPP_OS_OPENBSD || MIOCPP_OS_APPLE ? -1 : 128;

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

/// `socket` (just created or accepted, empty if that failed with errno set) configured; empty,
/// with `ec` set, on error.
inline FileDescriptor configured(FileDescriptor socket, std::error_code& ec) noexcept {
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

/// A new non-blocking, close-on-exec socket (one system call where SOCK_NONBLOCK exists).
inline FileDescriptor open_socket(int domain, int type, std::error_code& ec) noexcept {
  return configured(FileDescriptor(::socket(domain, type | socket_creation_flags, 0)), ec);
}

/// A new socket (open_socket's) handed to `setup`, which sets `ec` on failure; the socket is then
/// closed, so the caller gets a ready socket or an error, never a half-made one.
template <class Setup>
FileDescriptor open_socket_with(int domain, int type, std::error_code& ec, Setup setup) noexcept {
  FileDescriptor socket = open_socket(domain, type, ec);
  if (!ec) {
    setup(socket.native_handle());
  }
  if (ec) {
    socket.reset();
  }
  return socket;
}

/// Starts a non-blocking connect(2). EINPROGRESS is success: the outcome arrives as a writable
/// (or error / write_closed) event.
inline void start_connect(int fd, const ::sockaddr* to, ::socklen_t to_length,
                          std::error_code& ec) noexcept {
  if (::connect(fd, to, to_length) < 0 && errno != EINPROGRESS) {
    ec = last_error();
    return;
  }
  ec.clear();
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
  return configured(FileDescriptor(::accept4(fd, peer, peer_length, socket_creation_flags)), ec);
#else
  return configured(FileDescriptor(::accept(fd, peer, peer_length)), ec);
#endif
}

/// Clears `ec` when `result` is not negative, otherwise sets it from errno.
inline void check(int result, std::error_code& ec) noexcept {
  if (result < 0) {
    ec = last_error();
  } else {
    ec.clear();
  }
}

/// How POSIX reads and writes socket options (the option table of socket_options.hpp, through
/// common/option_encoding.hpp, and the multicast membership of common/multicast_membership.hpp).
struct SocketOption {
  using Handle = int;
  using Int = int;
  // IP_MULTICAST_TTL and IP_MULTICAST_LOOP take an int on Linux (which also accepts a byte) and a
  // byte on the BSDs, Apple systems and Solaris.
  using MulticastV4 = std::conditional_t<MIOCPP_OS_LINUX == 1, int, unsigned char>;
  using MulticastLoopV6 = unsigned;

  template <class T>
  static void set(int fd, int level, int name, const T& value, std::error_code& ec) noexcept {
    check(::setsockopt(fd, level, name, &value, sizeof value), ec);
  }
  template <class T>
  static T get(int fd, int level, int name, std::error_code& ec) noexcept {
    T value{};
    ::socklen_t length = sizeof value;
    check(::getsockopt(fd, level, name, &value, &length), ec);
    return ec ? T{} : value;
  }
};

/// sendto without SIGPIPE, for the datagram calls of Udp and Uds.
inline std::size_t send_bytes_to(int fd, std::span<const std::byte> bytes, const ::sockaddr* to,
                                 ::socklen_t to_length, std::error_code& ec) noexcept {
  return io_result(::sendto(fd, bytes.data(), bytes.size(), no_sigpipe_flag, to, to_length), ec);
}

/// recvfrom with `flags` (MSG_PEEK or 0), for the datagram calls of Udp and Uds.
inline std::size_t receive_bytes_from(int fd, std::span<std::byte> buffer, int flags,
                                      ::sockaddr* from, ::socklen_t* from_length,
                                      std::error_code& ec) noexcept {
  return io_result(::recvfrom(fd, buffer.data(), buffer.size(), flags, from, from_length), ec);
}

}  // namespace miocpp::sys::posix
