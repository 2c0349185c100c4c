// UDP sockets on POSIX: bind. Connect and datagrams with their peer's address
// (common/addressed_datagrams.hpp) and the IP options only datagram sockets use (broadcast,
// multicast: common/socket_options.hpp) are written once for POSIX and Winsock.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <system_error>

#include "../../net/socket_addr.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"

// After the socket headers: its templates use MSG_PEEK and connect(2).
#include "../common/addressed_datagrams.hpp"

namespace miocpp::sys::posix {

/// concepts::Udp over descriptors.
struct Udp
    : common::DatagramOptions<SocketOption>,
      common::AddressedDatagrams<int, RawSocketAddr, &send_bytes_to, &receive_bytes_from, &check> {
  /// A datagram socket bound to `address` (port 0 picks a free port). No SO_REUSEADDR: two
  /// sockets bound to one address would split its datagrams between them.
  static FileDescriptor bind(const net::SocketAddr& address, std::error_code& ec) noexcept {
    const RawSocketAddr raw(address);
    return open_socket_with(raw.family(), SOCK_DGRAM, ec,
                            [&raw, &ec](int fd) { check(::bind(fd, raw.get(), raw.length), ec); });
  }
};

}  // namespace miocpp::sys::posix
