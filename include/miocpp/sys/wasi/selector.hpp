// The WASI preview1 selector: poll_oneoff over the registered descriptors, with edge-triggered
// readiness emulated on top of it (see selector_state.hpp).
//
// What preview1 lacks, this backend lacks: there is no Waker (no threads, and nothing can wake
// poll_oneoff), no priority, AIO or LIO interest (std::errc::not_supported), and a wait with
// nothing to wait for reports std::errc::resource_deadlock_would_occur instead of hanging.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../rearming_io_source_state.hpp"
#include "event.hpp"
#include "selector_state.hpp"

namespace miocpp::sys::wasi {

/// A handle on a SelectorState; clones share it (try_clone copies the pointer).
class Selector {
 public:
  /// An empty selector: every call on it fails with EBADF.
  Selector() noexcept = default;

  /// WASI builds have no exceptions: an allocation failure ends the program, as everywhere there.
  explicit Selector(std::error_code& ec) noexcept : state_(std::make_shared<SelectorState>()) {
    ec.clear();
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

}  // namespace miocpp::sys::wasi
