// Unix-domain datagram sockets on POSIX: bound, unbound and paired sockets, and datagrams with
// their sender's address.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <span>
#include <system_error>

#include "../../../net/unix_socket_addr.hpp"
#include "../file_descriptor.hpp"
#include "../socket.hpp"
#include "socket_addr.hpp"
#include "stream.hpp"

namespace miocpp::sys::posix::uds {

/// A datagram socket bound to `address`.
inline FileDescriptor bind_datagram(const net::UnixSocketAddr& address,
                                    std::error_code& ec) noexcept {
  return bind_socket(address, SOCK_DGRAM, ec);
}

/// A datagram socket without a name: it can send, but nobody can send to it unless it is
/// connected (or one end of a pair).
inline FileDescriptor unbound_datagram(std::error_code& ec) noexcept {
  return open_socket(AF_UNIX, SOCK_DGRAM, ec);
}

/// Two connected, unnamed datagram sockets.
inline void datagram_pair(FileDescriptor& first, FileDescriptor& second,
                          std::error_code& ec) noexcept {
  open_socket_pair(AF_UNIX, SOCK_DGRAM, first, second, ec);
}

/// One sendto, without SIGPIPE.
inline std::size_t send_to(int fd, std::span<const std::byte> datagram,
                           const net::UnixSocketAddr& target, std::error_code& ec) noexcept {
  const RawUnixAddr raw = to_raw(target, ec);
  if (ec) {
    return 0;
  }
  return send_bytes_to(fd, datagram, raw.get(), raw.length, ec);
}

/// One recvfrom; the sender's address goes to `from` (left alone on error).
inline std::size_t recv_from(int fd, std::span<std::byte> buffer, net::UnixSocketAddr& from,
                             std::error_code& ec) noexcept {
  RawUnixAddr raw;
  const std::size_t count = receive_bytes_from(fd, buffer, 0, raw.get(), &raw.length, ec);
  if (ec) {
    return 0;
  }
  const net::UnixSocketAddr sender = from_raw(raw, ec);
  if (ec) {
    return 0;
  }
  from = sender;
  return count;
}

}  // namespace miocpp::sys::posix::uds
