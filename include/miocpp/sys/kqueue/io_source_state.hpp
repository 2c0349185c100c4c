// Per-source state of the kqueue selector: none.
#pragma once

#include <system_error>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../common/plain_io.hpp"

namespace miocpp::sys::kqueue {

/// kqueue keeps edge-triggered registrations (EV_CLEAR) armed by itself, and close(2) drops every
/// filter on the closed descriptor number -- even when another descriptor, or another process,
/// still holds the open file. So I/O needs no bookkeeping (PlainIo), registration goes straight
/// to the selector, and closing the source ends its registration.
class IoSourceState : public common::PlainIo {
 public:
  template <class Selector>
  void register_source(const Selector& selector, int fd, Token token, Interest interest,
                       std::error_code& ec) noexcept {
    selector.register_fd(fd, token, interest, ec);
  }

  template <class Selector>
  void reregister(const Selector& selector, int fd, Token token, Interest interest,
                  std::error_code& ec) noexcept {
    selector.reregister_fd(fd, token, interest, ec);
  }

  template <class Selector>
  void deregister(const Selector& selector, int fd, std::error_code& ec) noexcept {
    selector.deregister_fd(fd, ec);
  }

  /// Nothing to forget: the registration lives in the kernel, with the descriptor number.
  void forget() noexcept {}
};

}  // namespace miocpp::sys::kqueue
