// Linux waker: an eventfd registered edge-triggered for reading; wake() adds 1 to its counter.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

#include "../../../interest.hpp"
#include "../../../token.hpp"
#include "../error.hpp"
#include "../file_descriptor.hpp"

namespace miocpp::sys::eventfd {

class Waker {
 public:
  Waker() noexcept = default;

  /// `Selector` is any POSIX selector. An edge-triggered one (register_fd) sees every write as a
  /// new edge, so nobody ever needs to read the counter back. A level-triggered one (poll(2))
  /// must keep the eventfd armed and empty it after each report instead, or it would report it
  /// forever; it offers register_waker for that.
  template <class Selector>
  Waker(const Selector& selector, Token token, std::error_code& ec) noexcept
      : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!fd_.is_open()) {
      ec = posix::last_error();
      return;
    }
    if constexpr (requires { selector.register_waker(fd_.native_handle(), token, ec); }) {
      selector.register_waker(fd_.native_handle(), token, ec);
    } else {
      selector.register_fd(fd_.native_handle(), token, Interest::readable, ec);
    }
    if (ec) {
      fd_.reset();
    }
  }

  void wake(std::error_code& ec) const noexcept {
    bool added = add_one();
    if (!added && errno == EAGAIN && reset_counter()) {
      added = add_one();
    }
    if (!added) {
      ec = posix::last_error();
      return;
    }
    ec.clear();
  }

 private:
  [[nodiscard]] bool add_one() const noexcept {
    const std::uint64_t one = 1;
    return ::write(fd_.native_handle(), &one, sizeof one) == sizeof one;
  }

  /// A write only blocks when the counter would overflow (after 2^64-2 unread wakes): empty it.
  [[nodiscard]] bool reset_counter() const noexcept {
    std::uint64_t count = 0;
    return ::read(fd_.native_handle(), &count, sizeof count) == sizeof count;
  }

  posix::FileDescriptor fd_;
};

}  // namespace miocpp::sys::eventfd
