// net::UnixSocketAddr to and from sockaddr_un, and the addresses of a Unix-domain socket.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <system_error>

#include "../../../config.hpp"
#include "../../../net/unix_socket_addr.hpp"
#include "../socket.hpp"

namespace miocpp::sys::posix::uds {

/// A sockaddr_un with its length: what bind/connect/sendto take and accept/recvfrom/getsockname
/// fill.
struct RawUnixAddr {
  ::sockaddr_un storage{};
  ::socklen_t length = sizeof(::sockaddr_un);

  // The socket API takes every address family through a sockaddr pointer.
  [[nodiscard]] const ::sockaddr* get() const noexcept {
    return reinterpret_cast<const ::sockaddr*>(&storage);  // NOLINT(*-reinterpret-cast)
  }
  [[nodiscard]] ::sockaddr* get() noexcept {
    return reinterpret_cast<::sockaddr*>(&storage);  // NOLINT(*-reinterpret-cast)
  }
};

/// Where sun_path starts: right after sun_family on Linux, after sun_len and sun_family on the
/// BSDs. An address no longer than this is unnamed.
inline constexpr std::size_t path_offset = offsetof(::sockaddr_un, sun_path);
inline constexpr std::size_t path_capacity = sizeof(::sockaddr_un::sun_path);
static_assert(path_capacity <= net::UnixSocketAddr::max_length,
              "every name the kernel reports must fit a UnixSocketAddr");

/// Whether `address` fits sun_path: a pathname may fill it (its NUL is left out then), an
/// abstract name has the leading NUL before it. The one way to_raw fails.
inline bool fits_sun_path(const net::UnixSocketAddr& address) noexcept {
  if (const auto path = address.as_pathname()) {
    return path->size() <= path_capacity;
  }
  if (const auto name = address.as_abstract_name()) {
    return name->size() < path_capacity;
  }
  return true;
}

/// The sockaddr_un of `address`: a pathname with its terminating NUL when there is room for it
/// (a pathname that fills sun_path goes without, as the kernel allows), an abstract name after
/// its leading NUL and without a terminator, an unnamed address as sun_family alone (binding that
/// makes Linux pick a unique abstract name). A name that does not fit sun_path is
/// std::errc::filename_too_long; nothing is ever cut short.
inline RawUnixAddr to_raw(const net::UnixSocketAddr& address, std::error_code& ec) noexcept {
  if (!fits_sun_path(address)) {
    ec = std::make_error_code(std::errc::filename_too_long);
    return {};
  }
  RawUnixAddr raw;
  raw.storage.sun_family = AF_UNIX;
  std::size_t used = 0;  // bytes of sun_path in use
  if (const auto path = address.as_pathname()) {
    std::memcpy(&raw.storage.sun_path[0], path->data(), path->size());
    // The NUL is already there (storage starts zeroed) unless the path fills sun_path.
    used = std::min(path->size() + 1, path_capacity);
  } else if (const auto name = address.as_abstract_name()) {
    std::memcpy(&raw.storage.sun_path[1], name->data(), name->size());
    used = name->size() + 1;
  }
  raw.length = static_cast<::socklen_t>(path_offset + used);
#if MIOCPP_OS_APPLE || MIOCPP_OS_BSD
  raw.storage.sun_len = static_cast<decltype(raw.storage.sun_len)>(raw.length);
#endif
  ec.clear();
  return raw;
}

/// The address in the first `length_read` bytes of `storage` (only those are read), as the kernel
/// filled them (accept, recvfrom, recvmmsg, getsockname, getpeername).
/// It cannot fail: every name that fits sun_path fits a UnixSocketAddr, so a peer is never lost
/// to its address. Systems report an unnamed socket differently: Linux by a length of sun_family
/// alone (or 0, from recvfrom), others by an empty sun_path. The kernel may count a terminating
/// NUL it did not copy (a pathname that fills sun_path), so the length is capped at sun_path.
/// Only a Unix socket fills these records; another family reads as unnamed.
inline net::UnixSocketAddr from_sockaddr_un(const ::sockaddr_un& storage,
                                            ::socklen_t length_read) noexcept {
  const auto length = static_cast<std::size_t>(length_read);
  if (length <= path_offset || storage.sun_family != AF_UNIX) {
    return {};
  }
  const std::size_t used = std::min(length - path_offset, path_capacity);
  const char* path = &storage.sun_path[0];
  std::error_code ec;  // cannot be set: every length here is within the limits checked
  if (path[0] == '\0') {
#if MIOCPP_OS_LINUX
    return net::UnixSocketAddr::from_abstract_name(std::string_view(path + 1, used - 1), ec);
#else
    return {};
#endif
  }
  // Some systems count the terminating NUL in the length, some do not.
  const std::string_view text(path, used);
  return net::UnixSocketAddr::from_pathname(text.substr(0, text.find('\0')), ec);
}

/// from_sockaddr_un() of the record `raw`.
inline net::UnixSocketAddr from_raw(const RawUnixAddr& raw) noexcept {
  return from_sockaddr_un(raw.storage, raw.length);
}

}  // namespace miocpp::sys::posix::uds
