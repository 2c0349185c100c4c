// What the selectors over a kernel readiness queue (epoll, kqueue) share: owning the queue's
// descriptor (one for a selector and all its clones), and watching a descriptor Waker like any
// readable source.
#pragma once

#include <cstddef>
#include <memory>
#include <system_error>
#include <utility>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../common/move_only.hpp"
#include "../common/try_make_shared.hpp"
#include "duplicate.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"

namespace miocpp::sys::posix {

/// The base of `Selector`, which provides register_fd. Clones share the queue's one descriptor,
/// which the last of them closes: a clone opens nothing, and a source can hold the queue weakly
/// to reach it for as long as any registry of its Poll exists (epoll's IoSourceState does).
template <class Selector>
class KernelQueue : common::MoveOnly {
 public:
  /// The shared descriptor of the queue.
  using Queue = std::shared_ptr<const FileDescriptor>;

  /// Another handle on the same queue. Opens nothing; fails only on an empty selector.
  [[nodiscard]] Selector try_clone(std::error_code& ec) const noexcept {
    Selector clone;
    if (!queue_) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return clone;
    }
    clone.queue_ = queue_;
    ec.clear();
    return clone;
  }

  /// The Waker's descriptor is one more readable edge-triggered registration: every wake is a new
  /// edge, so nobody needs to read it back.
  void register_waker(int fd, Token token, std::error_code& ec) const noexcept {
    static_cast<const Selector&>(*this).register_fd(fd, token, Interest::readable, ec);
  }

  /// The queue's descriptor; -1 for an empty selector.
  [[nodiscard]] int native_handle() const noexcept { return queue_ ? queue_->native_handle() : -1; }

  /// The shared descriptor itself; empty for an empty selector.
  [[nodiscard]] const Queue& queue() const noexcept { return queue_; }

 protected:
  /// Empty: every call on it fails with EBADF.
  KernelQueue() noexcept = default;

  /// Owns `fd`, the result of the call that created the queue (-1: `ec` is that call's errno).
  KernelQueue(int fd, std::error_code& ec) noexcept {
    FileDescriptor owned = adopt(fd, ec);
    if (!ec) {
      queue_ = common::try_make_shared<const FileDescriptor>(ec, std::move(owned));
    }
  }

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

  Queue queue_;
};

}  // namespace miocpp::sys::posix
