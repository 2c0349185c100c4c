// SocketAddr to and from the OS's sockaddr records, for code that calls the socket API itself
// (setsockopt with an address, a socket made by another library, recvmsg).
#pragma once

#include <system_error>

#include "../detail/throw_error.hpp"
#include "../sys/sys.hpp"
#include "socket_addr.hpp"

namespace miocpp::net {

/// The OS's record big enough for any socket address: `sockaddr_storage` (on WASI and the
/// shell backend, which have no socket addresses, an opaque record of the same purpose).
using SockaddrStorage = sys::SocketAddrs::Storage;
/// The OS's type for the length of a socket address: `socklen_t` on POSIX, `int` on Windows.
using SockaddrLength = sys::SocketAddrs::Length;

/// Writes `address` into `storage` as a sockaddr_in (IPv4) or a sockaddr_in6 (IPv6, with its
/// flow label and scope id), and returns the length to pass with it to bind, connect or sendto.
inline SockaddrLength to_sockaddr(const SocketAddr& address, SockaddrStorage& storage) noexcept {
  return sys::SocketAddrs::to_sockaddr(address, storage);
}

/// Reads the first `length` bytes of `storage` as accept, recvfrom or getsockname filled them.
/// Errors: std::errc::address_family_not_supported for a family other than AF_INET/AF_INET6 (a
/// Unix-domain address, say), std::errc::invalid_argument when `length` is too short for the
/// family, std::errc::not_supported where the backend has no socket addresses.
inline SocketAddr from_sockaddr(const SockaddrStorage& storage, SockaddrLength length,
                                std::error_code& ec) noexcept {
  return sys::SocketAddrs::from_sockaddr(storage, length, ec);
}

#if MIOCPP_HAS_EXCEPTIONS
/// from_sockaddr(), throwing `std::system_error` with the code the overload taking `ec` reports.
inline SocketAddr from_sockaddr(const SockaddrStorage& storage, SockaddrLength length) {
  return miocpp::detail::or_throw("miocpp::net::from_sockaddr", [&](std::error_code& ec) {
    return from_sockaddr(storage, length, ec);
  });
}
#endif

}  // namespace miocpp::net
