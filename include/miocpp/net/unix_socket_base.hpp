// UnixSocketBase: what the Unix-domain socket types share -- a Unix-domain local address.
#pragma once

#include <string_view>
#include <system_error>

#include "../detail/throw_error.hpp"
#include "../sys/sys.hpp"
#include "socket_base.hpp"
#include "unix_socket_addr.hpp"

namespace miocpp::net {

/// The base of UnixListener, UnixStream and UnixDatagram: a socket with a Unix-domain address.
class UnixSocketBase : public SocketBase {
 public:
  using SocketBase::SocketBase;

  /// The address the socket is bound to; unnamed for an unbound socket or one end of a pair.
  [[nodiscard]] UnixSocketAddr local_addr(std::error_code& ec) const noexcept {
    return sys::Uds::local_addr(native_handle(), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// local_addr(), throwing `std::system_error` with the code the overload taking `ec` reports.
  [[nodiscard]] UnixSocketAddr local_addr() const {
    return miocpp::detail::or_throw("miocpp::net::local_addr",
                                    [&](std::error_code& ec) { return local_addr(ec); });
  }
#endif

 protected:
  /// `call(address, ec)` for the address `path` names (UnixSocketAddr::from_path: a leading NUL
  /// byte makes the rest an abstract name), or an empty `Result` with `ec` set when it names none,
  /// so that a bad path creates nothing. Every call of these types that takes a path is this.
  template <class Result, class Call>
  static Result with_path(std::string_view path, std::error_code& ec, Call call) noexcept {
    const UnixSocketAddr address = UnixSocketAddr::from_path(path, ec);
    if (ec) {
      return Result();
    }
    return call(address, ec);
  }
  /// with_path for a factory (`bind_addr`, `connect_addr`), named as its overload taking `ec`.
  template <class Result>
  static Result with_path(std::string_view path, std::error_code& ec,
                          Result (*open)(const UnixSocketAddr&,
                                         std::error_code&) noexcept) noexcept {
    return with_path<Result, decltype(open)>(path, ec, open);
  }
};

}  // namespace miocpp::net
