// The Windows waker: a packet posted to the selector's completion port. Wakes coalesce to at most
// one queued packet per selector, so one event per select: see WakePacket (wake_packet.hpp).
#pragma once

#include <memory>
#include <system_error>

#include "../../token.hpp"
#include "selector.hpp"

namespace miocpp::sys::windows {

/// PostQueuedCompletionStatus wakes GetQueuedCompletionStatusEx from any thread; no OS object is
/// needed.
class Waker {
 public:
  Waker() noexcept = default;
  Waker(const Selector& selector, Token token, std::error_code& ec) noexcept
      : inner_(selector.inner()), token_(token) {
    if (!inner_) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return;
    }
    ec.clear();
  }
  Waker(Waker&&) noexcept = default;
  Waker& operator=(Waker&&) noexcept = default;
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  ~Waker() = default;

  void wake(std::error_code& ec) const noexcept {
    if (!inner_) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return;
    }
    inner_->wake(token_, ec);
  }

 private:
  std::shared_ptr<SelectorInner> inner_;
  Token token_{0};
};

}  // namespace miocpp::sys::windows
