// What the selectors over a kernel readiness queue (epoll, kqueue) share: owning the queue's
// descriptor, cloning by duplicating it, and watching a descriptor Waker like any readable source.
#pragma once

#include <cstddef>
#include <system_error>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "duplicate.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"

namespace miocpp::sys::posix {

/// The base of `Selector`, which provides register_fd.
template <class Selector>
class KernelQueue {
 public:
  /// A second handle on the same queue (a dup of its descriptor).
  [[nodiscard]] Selector try_clone(std::error_code& ec) const noexcept {
    Selector clone;
    clone.queue_ = duplicate(queue_.native_handle(), ec);
    return clone;
  }

  /// The Waker's descriptor is one more readable edge-triggered registration: every wake is a new
  /// edge, so nobody needs to read it back.
  void register_waker(int fd, Token token, std::error_code& ec) const noexcept {
    static_cast<const Selector&>(*this).register_fd(fd, token, Interest::readable, ec);
  }

  [[nodiscard]] int native_handle() const noexcept { return queue_.native_handle(); }

 protected:
  /// Empty: every call on it fails with EBADF.
  KernelQueue() noexcept = default;

  /// Owns `fd`, the result of the call that created the queue (-1: `ec` is that call's errno).
  KernelQueue(int fd, std::error_code& ec) noexcept : queue_(adopt(fd, ec)) {}

  /// Ends a select whose wait wrote `count` records into `events`, or failed (-1, errno).
  template <class Events>
  static void finish_select(Events& events, int count, std::error_code& ec) noexcept {
    if (count < 0) {
      ec = last_error();
      return;
    }
    events.set_size(static_cast<std::size_t>(count));
    ec.clear();
  }

  FileDescriptor queue_;
};

}  // namespace miocpp::sys::posix
