// What every echo server shares besides its event loop: the port argument, the buffer size, the
// readiness line the runner waits for, and (for the servers that own their sockets) the listening
// socket and accept.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace echo {

/// One buffer size for every server: a read takes at most this much.
inline constexpr std::size_t buffer_size = 64 * 1024;

/// Every server listens on 127.0.0.1 at the port given as its only argument.
inline std::uint16_t port_argument(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT\n", argv[0]);
    std::exit(2);
  }
  return static_cast<std::uint16_t>(std::strtoul(argv[1], nullptr, 10));
}

[[noreturn]] inline void fail(const char* what) {
  std::perror(what);
  std::exit(1);
}

/// Tells the runner (bench/run) that the server accepts connections, and which library version
/// it runs on; the runner starts the load only after this line.
inline void announce(std::string_view library, const std::string& version) {
  std::printf("ready %.*s %s\n", static_cast<int>(library.size()), library.data(), version.c_str());
  std::fflush(stdout);
}

/// A non-blocking listening socket on 127.0.0.1:port with the system's largest backlog, as
/// miocpp's TcpListener, libuv and Asio set up theirs.
inline int listen_on(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int on = 1;
  ::sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
      ::bind(fd, reinterpret_cast<const ::sockaddr*>(&address), sizeof address) < 0 ||
      ::listen(fd, SOMAXCONN) < 0) {
    fail("listen");
  }
  return fd;
}

/// One accepted connection, non-blocking, with Nagle off (as every server here does: an echo
/// must not wait for an ACK), or -1 when none is waiting.
inline int accept_from(int listener) {
  const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd >= 0) {
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
  return fd;
}

}  // namespace echo
