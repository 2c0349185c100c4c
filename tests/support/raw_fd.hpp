// Descriptors for the registration tests. On every platform: OwnedFd, which closes a raw socket
// (an int descriptor on POSIX, a SOCKET on Windows), and a guard that fails a test which leaves a
// descriptor (a handle, on Windows) open. On POSIX also raw descriptors to register through
// posix::SourceFd (owned eventfds, pipes and socket pairs, and the reads and writes that make them
// ready) and miocpp pipe ends as named members.
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>
#include <utility>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/socket_api.hpp"
#include <miocpp/config.hpp>
#include <miocpp/interest.hpp>
#include <miocpp/registry.hpp>
#include <miocpp/token.hpp>

#if MIOCPP_OS_POSIX
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>

#include <miocpp/posix/pipe.hpp>
#include <miocpp/posix/source_fd.hpp>
#endif

namespace test {

/// Closes its socket (or, on POSIX, any descriptor) on destruction; invalid_socket is empty.
class OwnedFd {
 public:
  OwnedFd() noexcept = default;
  explicit OwnedFd(NativeSocket fd) noexcept : fd_(fd) {}
  OwnedFd(OwnedFd&& other) noexcept : fd_(other.release()) {}
  OwnedFd& operator=(OwnedFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd() { reset(); }

  [[nodiscard]] NativeSocket get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ != invalid_socket; }
  /// Gives up ownership without closing.
  NativeSocket release() noexcept { return std::exchange(fd_, invalid_socket); }
  void reset() noexcept {
    if (valid()) {
      close_socket(fd_);
    }
    fd_ = invalid_socket;
  }

 private:
  NativeSocket fd_ = invalid_socket;
};

#if MIOCPP_OS_POSIX
/// A non-blocking eventfd with counter 0 (writable, not readable).
inline OwnedFd make_eventfd() {
  return OwnedFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
}

struct RawPipe {
  OwnedFd read_end;
  OwnedFd write_end;
};

/// A pipe with both ends non-blocking.
inline RawPipe make_raw_pipe() {
  std::array<int, 2> fds{-1, -1};
  if (::pipe2(fds.data(), O_NONBLOCK | O_CLOEXEC) != 0) {
    return {};
  }
  return {OwnedFd(fds[0]), OwnedFd(fds[1])};
}

struct SocketPair {
  OwnedFd first;
  OwnedFd second;
};

/// A connected pair of non-blocking Unix stream sockets.
inline SocketPair make_socket_pair() {
  std::array<int, 2> fds{-1, -1};
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data()) != 0) {
    return {};
  }
  return {OwnedFd(fds[0]), OwnedFd(fds[1])};
}

/// Adds `amount` to an eventfd's counter, which makes it readable. True on success.
inline bool eventfd_add(int fd, std::uint64_t amount = 1) {
  return ::write(fd, &amount, sizeof amount) == static_cast<ssize_t>(sizeof amount);
}

/// Writes one byte. True on success.
inline bool write_byte(int fd) {
  const char byte = 'x';
  return ::write(fd, &byte, 1) == 1;
}

/// Reads until the descriptor would block (or reports end of file); returns the bytes read.
inline std::size_t drain(int fd) {
  std::array<char, 4096> buffer{};
  std::size_t total = 0;
  for (;;) {
    const ssize_t count = ::read(fd, buffer.data(), buffer.size());
    if (count <= 0) {
      return total;
    }
    total += static_cast<std::size_t>(count);
  }
}

/// Writes until the descriptor would block (its buffer is full); returns the bytes written.
inline std::size_t fill(int fd) {
  std::array<char, 4096> buffer{};
  std::size_t total = 0;
  for (;;) {
    const ssize_t count = ::write(fd, buffer.data(), buffer.size());
    if (count <= 0) {
      return total;
    }
    total += static_cast<std::size_t>(count);
  }
}

/// Registers the raw descriptor `fd` through posix::SourceFd; the error, empty on success. For
/// `ASSERT_EQ(test::register_fd(...), std::error_code())`, which prints the code on failure.
inline std::error_code register_fd(const miocpp::Registry& registry, int fd, miocpp::Token token,
                                   miocpp::Interest interest) {
  miocpp::posix::SourceFd source{fd};
  std::error_code ec;
  registry.register_source(source, token, interest, ec);
  return ec;
}

/// Both ends of a miocpp pipe, as named members (a lambda can capture them; clang 14 cannot
/// capture structured bindings).
struct PipeEnds {
  miocpp::posix::pipe::Sender sender;
  miocpp::posix::pipe::Receiver receiver;
};

/// Opens a miocpp pipe; on failure the test fails and both ends are empty.
inline PipeEnds open_pipe() {
  std::error_code ec;
  auto [sender, receiver] = miocpp::posix::pipe::create(ec);
  EXPECT_FALSE(ec) << "pipe::create: " << ec.message();
  return {std::move(sender), std::move(receiver)};
}

#endif  // MIOCPP_OS_POSIX

/// Fails the running test if, when it goes out of scope, more or fewer descriptors are open than
/// when it was created. Declare it first in a test so that it is destroyed last.
class DescriptorLeakCheck {
 public:
  DescriptorLeakCheck() : before_(open_descriptor_count()) {}
  DescriptorLeakCheck(const DescriptorLeakCheck&) = delete;
  DescriptorLeakCheck& operator=(const DescriptorLeakCheck&) = delete;
  ~DescriptorLeakCheck() {
    EXPECT_EQ(open_descriptor_count(), before_)
        << "the test left descriptors open (or closed some)";
  }

 private:
  std::size_t before_;
};

}  // namespace test
