// Socket addresses where there is no sockaddr: an opaque record of the same purpose, and
// conversions that refuse.
#pragma once

#include <cstddef>
#include <system_error>

#include "../../net/socket_addr.hpp"
#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// concepts::SocketAddrs without an OS address format.
struct SocketAddrs {
  /// As large as a sockaddr_storage, so code that sizes buffers by it keeps working.
  struct Storage {
    alignas(8) std::byte bytes[128];  // NOLINT(*-avoid-c-arrays): a plain record, like the OS's
  };
  using Length = int;

  /// Writes nothing: there is no format to write. A length of 0 is no address.
  static Length to_sockaddr(const net::SocketAddr&, Storage&) noexcept { return 0; }
  static net::SocketAddr from_sockaddr(const Storage&, Length, std::error_code& ec) noexcept {
    return refuse<net::SocketAddr>(ec);
  }
};

}  // namespace miocpp::sys::unsupported
