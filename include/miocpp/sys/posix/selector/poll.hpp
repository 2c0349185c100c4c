// The portable POSIX selector: poll(2), with edge-triggered readiness emulated on top of it.
//
// It serves the POSIX systems without epoll or kqueue (and Linux with MIOCPP_FORCE_POLL). Every
// select hands the kernel the whole table of registered descriptors, so its cost grows with the
// number of registrations, not with the number of ready ones: O(n) per poll. The details of the
// emulation and of the locking are in poll_state.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <system_error>
#include <utility>

#include "../../../config.hpp"
#include "../../../interest.hpp"
#include "../../../token.hpp"
#include "../../rearming_io_source_state.hpp"
#include "poll_event.hpp"
#include "poll_state.hpp"

namespace miocpp::sys::poll {

/// A handle on a SelectorState; clones share it (try_clone copies the pointer, no descriptor).
class Selector {
 public:
  /// An empty selector: every call on it fails with EBADF.
  Selector() noexcept = default;

  explicit Selector(std::error_code& ec) noexcept {
#if MIOCPP_HAS_EXCEPTIONS
    try {
#endif
      auto state = std::make_shared<SelectorState>(ec);
      if (!ec) {
        state_ = std::move(state);
      }
#if MIOCPP_HAS_EXCEPTIONS
    } catch (const std::bad_alloc&) {
      ec = std::make_error_code(std::errc::not_enough_memory);
    }
#endif
  }

  Selector(Selector&&) noexcept = default;
  Selector& operator=(Selector&&) noexcept = default;
  Selector(const Selector&) = delete;
  Selector& operator=(const Selector&) = delete;
  ~Selector() = default;

  /// Another handle on the same registrations.
  [[nodiscard]] Selector try_clone(std::error_code& ec) const noexcept {
    if (!usable(ec)) {
      return Selector();
    }
    Selector clone;
    clone.state_ = state_;
    ec.clear();
    return clone;
  }

  void select(Events& events, std::optional<std::chrono::nanoseconds> timeout,
              std::error_code& ec) const noexcept {
    if (!usable(ec)) {
      events.clear();
      return;
    }
    state_->select(events, timeout, ec);
  }

  /// Registers a raw descriptor (posix::SourceFd). Nothing re-arms it after an event but a
  /// reregistration: its owner does its own I/O.
  void register_fd(int fd, Token token, Interest interest, std::error_code& ec) const noexcept {
    if (usable(ec)) {
      (void)state_->add(fd, token, interest, ec);
    }
  }

  void reregister_fd(int fd, Token token, Interest interest, std::error_code& ec) const noexcept {
    if (usable(ec)) {
      state_->modify(fd, token, interest, ec);
    }
  }

  void deregister_fd(int fd, std::error_code& ec) const noexcept {
    if (usable(ec)) {
      state_->remove(fd, ec);
    }
  }

  /// Watches a Waker's descriptor `fd` (eventfd or pipe read end): always armed, drained by the
  /// selector whenever it reports it. The eventfd and pipe wakers call this instead of
  /// register_fd when the selector has it.
  void register_waker(int fd, Token token, std::error_code& ec) const noexcept {
    if (usable(ec)) {
      state_->set_waker(fd, token, ec);
    }
  }

 private:
  friend class RearmingIoSourceState<Selector, SelectorState>;

  bool usable(std::error_code& ec) const noexcept {
    if (!state_) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return false;
    }
    return true;
  }

  std::shared_ptr<SelectorState> state_;
};

/// Re-arms on would-block and removes its registration when destroyed (see
/// RearmingIoSourceState).
using IoSourceState = RearmingIoSourceState<Selector, SelectorState>;

}  // namespace miocpp::sys::poll
