// The calls every socket type shares, written once: its pending error and try_io.
#pragma once

#include <system_error>
#include <utility>

#include "../../detail/owned_source.hpp"
#include "../../detail/throw_error.hpp"
#include "../../sys/sys.hpp"

namespace miocpp::net::detail {

/// An owned, non-blocking socket registered through an IoSource: the base of every net type.
class Socket : public miocpp::detail::OwnedSource<sys::Socket> {
 public:
  using OwnedSource::OwnedSource;

  /// The pending socket error (SO_ERROR), clearing it; empty when there is none. After an error
  /// event this is the reason (a refused connect, an ICMP error for an earlier datagram). `ec`
  /// reports a failure to ask.
  [[nodiscard]] std::error_code take_error(std::error_code& ec) const noexcept {
    return sys::take_socket_error(native_handle(), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// take_error(), throwing `std::system_error` when asking fails (the pending error itself is
  /// returned, not thrown).
  [[nodiscard]] std::error_code take_error() const {
    return miocpp::detail::or_throw("miocpp::net::take_error",
                                    [&](std::error_code& ec) { return take_error(ec); });
  }
#endif

 protected:
  /// Runs `operation(ec)` -- your own system call on native_handle() that reports through `ec`
  /// -- as miocpp runs its own I/O, so that a backend that must re-arm the registration after
  /// `std::errc::operation_would_block` does so. Use it for calls miocpp does not wrap
  /// (sendmsg with ancillary data, recvmmsg, ...). The stream and datagram types make it public.
  template <class Operation>
  decltype(auto) try_io(Operation&& operation, std::error_code& ec) noexcept {
    return do_io([&](native_handle_type,
                     std::error_code& op_ec) { return std::forward<Operation>(operation)(op_ec); },
                 ec);
  }
};

}  // namespace miocpp::net::detail
