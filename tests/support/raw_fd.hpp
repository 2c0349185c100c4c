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
#include <pthread.h>
#include <signal.h>
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

/// Runs `step` (one read(2) or write(2)) until it fails or transfers nothing; returns the bytes
/// transferred.
template <class Step>
std::size_t transfer_until_failure(Step step) {
  std::size_t total = 0;
  for (ssize_t count = step(); count > 0; count = step()) {
    total += static_cast<std::size_t>(count);
  }
  return total;
}

/// Reads until the descriptor would block (or reports end of file); returns the bytes read.
inline std::size_t drain(int fd) {
  std::array<char, 4096> buffer{};
  return transfer_until_failure([&] { return ::read(fd, buffer.data(), buffer.size()); });
}

/// Writes until the descriptor would block (its buffer is full); returns the bytes written.
inline std::size_t fill(int fd) {
  const std::array<char, 4096> buffer{};
  return transfer_until_failure([&] { return ::write(fd, buffer.data(), buffer.size()); });
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

/// Registers the raw descriptor `fd` with `poll` through posix::SourceFd; the test stops if
/// that fails.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): ASSERT_ must sit in the test body
#define REGISTER_FD(poll, fd, token, interest) \
  ASSERT_EQ(test::register_fd((poll).registry(), fd, token, interest), std::error_code())

/// Both ends of a miocpp pipe, as named members (a lambda can capture them; clang 14 cannot
/// capture structured bindings).
struct PipeEnds {
  miocpp::posix::pipe::Sender sender;
  miocpp::posix::pipe::Receiver receiver;
};

/// Both ends of a new miocpp pipe, as `sender` and `receiver`; the test stops if it cannot be made.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): ASSERT_ must sit in the test body
#define OPEN_PIPE(sender, receiver)                                   \
  std::error_code sender##_ec;                                        \
  auto [sender, receiver] = miocpp::posix::pipe::create(sender##_ec); \
  ASSERT_FALSE(sender##_ec) << sender##_ec.message()

/// Opens a miocpp pipe; on failure the test fails and both ends are empty.
inline PipeEnds open_pipe() {
  std::error_code ec;
  auto [sender, receiver] = miocpp::posix::pipe::create(ec);
  EXPECT_FALSE(ec) << "pipe::create: " << ec.message();
  return {std::move(sender), std::move(receiver)};
}

/// Installs `handler` for `signal`, without SA_RESTART, for its lifetime, and with `unblock` also
/// unblocks the signal for the calling thread (whatever the test runner set up); then puts both
/// back.
class ScopedSignalHandler {
 public:
  ScopedSignalHandler(int signal, void (*handler)(int), bool unblock = false) : signal_(signal) {
    struct ::sigaction action {};
    action.sa_handler = handler;
    ::sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // deliberately no SA_RESTART
    installed_ = ::sigaction(signal_, &action, &previous_) == 0;
    if (unblock) {
      ::sigset_t set;
      ::sigemptyset(&set);
      ::sigaddset(&set, signal_);
      unblocked_ = ::pthread_sigmask(SIG_UNBLOCK, &set, &previous_mask_) == 0;
    }
  }
  ScopedSignalHandler(const ScopedSignalHandler&) = delete;
  ScopedSignalHandler& operator=(const ScopedSignalHandler&) = delete;
  ~ScopedSignalHandler() {
    if (unblocked_) {
      ::pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
    }
    if (installed_) {
      ::sigaction(signal_, &previous_, nullptr);
    }
  }

  [[nodiscard]] bool installed() const { return installed_; }
  [[nodiscard]] bool unblocked() const { return unblocked_; }

 private:
  int signal_;
  struct ::sigaction previous_ {};
  ::sigset_t previous_mask_{};
  bool installed_ = false;
  bool unblocked_ = false;
};

#endif  // MIOCPP_OS_POSIX

}  // namespace test
