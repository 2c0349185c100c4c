// SocketAddr to and from the OS's sockaddr records, for code that calls the socket API itself
// (setsockopt with an address, a socket made by another library, recvmsg).
#pragma once

#include <system_error>

#include "../config.hpp"
#include "../detail/throw_error.hpp"
#include "socket_addr.hpp"

#if MIOCPP_OS_POSIX
#include <sys/socket.h>

#include "../sys/posix/socket_addr.hpp"

namespace miocpp::net {

/// Writes `address` into `storage` as a sockaddr_in (IPv4) or a sockaddr_in6 (IPv6, with its
/// flow label and scope id), and returns the length to pass with it to bind, connect or sendto.
inline ::socklen_t to_sockaddr(const SocketAddr& address, ::sockaddr_storage& storage) noexcept {
  const sys::posix::RawSocketAddr raw = sys::posix::to_raw(address);
  storage = raw.storage;
  return raw.length;
}

/// Reads the first `length` bytes of `storage` as accept, recvfrom or getsockname filled them.
/// Errors: std::errc::address_family_not_supported for a family other than AF_INET/AF_INET6 (a
/// Unix-domain address, say), std::errc::invalid_argument when `length` is too short for the
/// family.
inline SocketAddr from_sockaddr(const ::sockaddr_storage& storage, ::socklen_t length,
                                std::error_code& ec) noexcept {
  sys::posix::RawSocketAddr raw;
  raw.storage = storage;
  raw.length = length;
  return sys::posix::from_raw(raw, ec);
}

#if MIOCPP_HAS_EXCEPTIONS
/// from_sockaddr(), throwing `std::system_error` with the code the overload taking `ec` reports.
inline SocketAddr from_sockaddr(const ::sockaddr_storage& storage, ::socklen_t length) {
  return miocpp::detail::or_throw("miocpp::net::from_sockaddr", [&](std::error_code& ec) {
    return from_sockaddr(storage, length, ec);
  });
}
#endif

}  // namespace miocpp::net
#elif MIOCPP_OS_WINDOWS && !MIOCPP_SELECTOR_SHELL
#include "../sys/windows/socket_addr.hpp"
#include "../sys/windows/windows.hpp"

namespace miocpp::net {

/// Writes `address` into `storage` as a sockaddr_in (IPv4) or a sockaddr_in6 (IPv6, with its
/// flow label and scope id), and returns the length to pass with it to bind, connect or sendto
/// (an int, as Winsock counts).
inline int to_sockaddr(const SocketAddr& address, ::sockaddr_storage& storage) noexcept {
  const sys::windows::RawSocketAddr raw = sys::windows::to_raw(address);
  storage = raw.storage;
  return raw.length;
}

/// Reads the first `length` bytes of `storage` as accept, recvfrom or getsockname filled them.
/// Errors: std::errc::address_family_not_supported for a family other than AF_INET/AF_INET6,
/// std::errc::invalid_argument when `length` is too short for the family.
inline SocketAddr from_sockaddr(const ::sockaddr_storage& storage, int length,
                                std::error_code& ec) noexcept {
  sys::windows::RawSocketAddr raw;
  raw.storage = storage;
  raw.length = length;
  return sys::windows::from_raw(raw, ec);
}

#if MIOCPP_HAS_EXCEPTIONS
/// from_sockaddr(), throwing `std::system_error` with the code the overload taking `ec` reports.
inline SocketAddr from_sockaddr(const ::sockaddr_storage& storage, int length) {
  return miocpp::detail::or_throw("miocpp::net::from_sockaddr", [&](std::error_code& ec) {
    return from_sockaddr(storage, length, ec);
  });
}
#endif

}  // namespace miocpp::net
#endif
