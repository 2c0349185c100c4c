// What the Unix-domain socket tests share: unique abstract names, raw sockaddr_un addresses and
// clients, connected pairs of miocpp sockets, and the flags every new socket must have.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <gtest/gtest.h>

#include "support/raw_fd.hpp"
#include "support/socket_api.hpp"
#include "support/temp_dir.hpp"

namespace test {

/// A name in Linux's abstract namespace (with its leading NUL) that no other test or process
/// uses.
inline std::string unique_abstract_path(std::string_view what) {
  static std::atomic<unsigned> counter{0};
  std::string path(1, '\0');
  path += "miocpp-test-" + std::to_string(::getpid()) + '-' + std::to_string(counter++) + '-';
  path += what;
  return path;
}

/// The sockaddr_un of a pathname that fits.
inline ::sockaddr_un sockaddr_for(const std::string& path) {
  ::sockaddr_un address{};
  address.sun_family = AF_UNIX;
  EXPECT_LT(path.size(), sizeof address.sun_path);
  std::memcpy(&address.sun_path[0], path.data(), std::min(path.size(), sizeof address.sun_path));
  return address;
}

inline const ::sockaddr* as_sockaddr(const ::sockaddr_un& address) {
  return reinterpret_cast<const ::sockaddr*>(&address);  // NOLINT(*-reinterpret-cast)
}

/// A path in `dir` that fills all of sun_path, leaving no room for a terminating NUL: the kernel
/// binds it all the same, so any local process can use one.
inline std::string full_length_path(const TempDir& dir) {
  const std::size_t capacity = sizeof(::sockaddr_un::sun_path);
  const std::string prefix = dir.path("");
  EXPECT_LT(prefix.size(), capacity);
  return prefix + std::string(capacity - prefix.size(), 'f');
}

/// A raw socket of `type` bound to `path` with all of its bytes in sun_path and no terminator, as
/// another program may bind it.
inline OwnedFd raw_bind_unterminated(int type, const std::string& path) {
  OwnedFd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
  ::sockaddr_un address{};
  address.sun_family = AF_UNIX;
  EXPECT_LE(path.size(), sizeof address.sun_path);
  std::memcpy(&address.sun_path[0], path.data(), std::min(path.size(), sizeof address.sun_path));
  const auto length = static_cast<::socklen_t>(offsetof(::sockaddr_un, sun_path) + path.size());
  EXPECT_EQ(::bind(fd.get(), as_sockaddr(address), length), 0) << std::strerror(errno);
  return fd;
}

/// A raw blocking client connected to `path`, as another program would connect.
inline OwnedFd raw_connect_unix(const std::string& path) {
  OwnedFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const ::sockaddr_un address = sockaddr_for(path);
  EXPECT_EQ(::connect(fd.get(), as_sockaddr(address), sizeof address), 0) << std::strerror(errno);
  return fd;
}

/// Both ends of Socket::pair (UnixStream or UnixDatagram), as named members.
template <class Socket>
struct Pair {
  Socket first;
  Socket second;
};

/// Opens Socket::pair; on failure the test fails and both ends are empty.
template <class Socket>
Pair<Socket> open_pair() {
  std::error_code ec;
  auto [first, second] = Socket::pair(ec);
  EXPECT_FALSE(ec) << "pair: " << ec.message();
  return {std::move(first), std::move(second)};
}

/// Expects `fd` to be an open, non-blocking, close-on-exec socket of `type` (SOCK_STREAM...).
inline void expect_new_socket(int fd, int type) {
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(is_nonblocking(fd));
  EXPECT_TRUE(is_close_on_exec(fd));
  int actual = 0;
  ::socklen_t length = sizeof actual;
  ASSERT_EQ(::getsockopt(fd, SOL_SOCKET, SO_TYPE, &actual, &length), 0);
  EXPECT_EQ(actual, type);
}

}  // namespace test
