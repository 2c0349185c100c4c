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
#include "poll_event.hpp"
#include "poll_state.hpp"

namespace miocpp::sys::poll {

class IoSourceState;

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
  friend class IoSourceState;

  bool usable(std::error_code& ec) const noexcept {
    if (!state_) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return false;
    }
    return true;
  }

  std::shared_ptr<SelectorState> state_;
};

/// The per-source half of the edge-triggered emulation: an owned socket or pipe end remembers its
/// registration, so that an operation that would block re-arms it (the readiness it reported has
/// been used up, and only now may the next one be reported), and so that destroying the source
/// removes it before its descriptor is closed and its number reused.
///
/// It holds the selector state weakly: a source does not keep a Poll's descriptors open, and once
/// the Poll and its registries are gone there is nothing left to re-arm or remove.
class IoSourceState {
 public:
  IoSourceState() noexcept = default;
  IoSourceState(IoSourceState&& other) noexcept
      : selector_(std::move(other.selector_)),
        fd_(std::exchange(other.fd_, -1)),
        registration_(std::exchange(other.registration_, 0)) {}
  IoSourceState& operator=(IoSourceState&& other) noexcept {
    if (this != &other) {
      remove();
      selector_ = std::move(other.selector_);
      fd_ = std::exchange(other.fd_, -1);
      registration_ = std::exchange(other.registration_, 0);
    }
    return *this;
  }
  IoSourceState(const IoSourceState&) = delete;
  IoSourceState& operator=(const IoSourceState&) = delete;
  ~IoSourceState() { remove(); }

  /// Runs one I/O call; if it would block, the registration is armed again.
  template <class Operation>
  decltype(auto) do_io(Operation&& operation, std::error_code& ec) noexcept {
    decltype(auto) result = std::forward<Operation>(operation)(ec);
    if (ec && ec == std::errc::operation_would_block) {
      rearm();
    }
    return result;
  }

  void register_source(const Selector& selector, int fd, Token token, Interest interest,
                       std::error_code& ec) noexcept {
    if (!selector.usable(ec)) {
      return;
    }
    if (registration_ != 0 && !selector_.expired()) {
      ec = std::make_error_code(std::errc::file_exists);
      return;
    }
    const std::uint64_t registration = selector.state_->add(fd, token, interest, ec);
    if (ec) {
      return;
    }
    selector_ = selector.state_;
    fd_ = fd;
    registration_ = registration;
  }

  void reregister(const Selector& selector, int fd, Token token, Interest interest,
                  std::error_code& ec) noexcept {
    selector.reregister_fd(fd, token, interest, ec);
  }

  void deregister(const Selector& selector, int fd, std::error_code& ec) noexcept {
    selector.deregister_fd(fd, ec);
    forget();
  }

  /// Drops the record without deregistering: the registration stays with the descriptor, whose
  /// new owner takes it over (IoSource::release). From then on only a reregistration re-arms it.
  void forget() noexcept {
    selector_.reset();
    fd_ = -1;
    registration_ = 0;
  }

 private:
  void rearm() const noexcept {
    if (registration_ != 0) {
      if (const std::shared_ptr<SelectorState> state = selector_.lock()) {
        state->rearm(fd_, registration_);
      }
    }
  }

  void remove() noexcept {
    if (registration_ != 0) {
      if (const std::shared_ptr<SelectorState> state = selector_.lock()) {
        state->remove_registration(fd_, registration_);
      }
    }
    forget();
  }

  std::weak_ptr<SelectorState> selector_;
  int fd_ = -1;
  std::uint64_t registration_ = 0;  // the selector's id for it; 0 while not registered
};

}  // namespace miocpp::sys::poll
