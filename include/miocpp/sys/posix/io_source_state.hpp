// Per-source state for the POSIX selectors the kernel keeps edge-triggered (epoll, kqueue): none.
#pragma once

#include <system_error>
#include <utility>

#include "../../interest.hpp"
#include "../../token.hpp"

namespace miocpp::sys::posix {

/// epoll and kqueue keep edge-triggered registrations armed by themselves, so I/O needs no
/// bookkeeping and registration goes straight to the selector.
class IoSourceState {
 public:
  template <class Operation>
  decltype(auto) do_io(Operation&& operation, std::error_code& ec) noexcept {
    return std::forward<Operation>(operation)(ec);
  }

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

  /// Nothing to forget: the registration lives in the kernel, with the descriptor.
  void forget() noexcept {}
};

}  // namespace miocpp::sys::posix
