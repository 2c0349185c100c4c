// Per-socket state of the IOCP selector: its registration, and the re-arming that makes AFD's
// one-shot polls edge-triggered.
#pragma once

#include <cstddef>
#include <memory>
#include <system_error>
#include <utility>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../common/short_io.hpp"
#include "selector.hpp"
#include "sock_state.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// Empty until registered. It keeps the selector's shared state alive while registered, so a
/// Poll dropped before its sockets does not leave a poll in flight without a completion port.
class IoSourceState {
 public:
  IoSourceState() noexcept = default;
  IoSourceState(IoSourceState&& other) noexcept
      : selector_(std::move(other.selector_)),
        state_(std::exchange(other.state_, nullptr)),
        token_(other.token_),
        interest_(other.interest_) {}
  IoSourceState& operator=(IoSourceState&& other) noexcept {
    if (this != &other) {
      reset();
      selector_ = std::move(other.selector_);
      state_ = std::exchange(other.state_, nullptr);
      token_ = other.token_;
      interest_ = other.interest_;
    }
    return *this;
  }
  IoSourceState(const IoSourceState&) = delete;
  IoSourceState& operator=(const IoSourceState&) = delete;
  ~IoSourceState() { reset(); }

  /// Runs one I/O call. When it would block, the events it was waiting for are watched again:
  /// the next AFD poll reports them when they happen (the edge).
  template <class Operation>
  decltype(auto) do_io(Operation&& operation, std::error_code& ec) noexcept {
    decltype(auto) result = std::forward<Operation>(operation)(ec);
    if (ec == std::errc::operation_would_block) {
      rearm(ec);
    }
    return result;
  }

  /// Runs one stream read or write of `requested` bytes. A short one (fewer bytes than
  /// requested, and some) re-arms as a would-block does: the socket was drained, or its send
  /// buffer filled, so the next AFD poll reports the next arrival of data or of room.
  template <class Operation>
  std::size_t do_stream_io(Operation&& operation, std::size_t requested,
                           std::error_code& ec) noexcept {
    const std::size_t done = std::forward<Operation>(operation)(ec);
    if (common::stream_readiness_used_up(done, requested, ec)) {
      rearm(ec);
    }
    return done;
  }

  void register_source(const Selector& selector, SOCKET socket, Token token, Interest interest,
                       std::error_code& ec) noexcept {
    if (!selector.inner()) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return;
    }
    reset();  // a registration with a Poll that no longer exists
    state_ = selector.inner()->register_socket(socket, token, interest, ec);
    if (state_ != nullptr) {
      selector_ = selector.inner();
      token_ = token;
      interest_ = interest;
    }
  }

  void reregister(const Selector& selector, SOCKET /*socket*/, Token token, Interest interest,
                  std::error_code& ec) noexcept {
    if (state_ == nullptr || selector.inner() != selector_) {
      ec = std::make_error_code(std::errc::no_such_file_or_directory);
      return;
    }
    selector_->reregister_socket(*state_, token, interest, ec);
    if (!ec) {
      token_ = token;
      interest_ = interest;
    }
  }

  void deregister(const Selector& /*selector*/, SOCKET /*socket*/, std::error_code& ec) noexcept {
    if (state_ == nullptr) {
      ec = std::make_error_code(std::errc::no_such_file_or_directory);
      return;
    }
    reset();
    ec.clear();
  }

  /// The socket was given up without closing it (IoSource::release): its registration stays
  /// with it, as an epoll registration stays with a descriptor, until it is closed.
  void forget() noexcept {
    if (state_ != nullptr) {
      selector_->forget_socket(*std::exchange(state_, nullptr));
    }
    selector_.reset();
  }

 private:
  /// Watches the registered events again. A failure to do so replaces the operation's outcome:
  /// without it no event would ever come.
  void rearm(std::error_code& ec) noexcept {
    if (state_ != nullptr) {
      std::error_code rearm_ec;
      selector_->reregister_socket(*state_, token_, interest_, rearm_ec);
      if (rearm_ec) {
        ec = rearm_ec;
      }
    }
  }

  void reset() noexcept {
    if (state_ != nullptr) {
      selector_->deregister_socket(*std::exchange(state_, nullptr));
    }
    selector_.reset();
  }

  std::shared_ptr<SelectorInner> selector_;
  SockState* state_ = nullptr;
  Token token_{0};
  Interest interest_ = Interest::readable;
};

}  // namespace miocpp::sys::windows
