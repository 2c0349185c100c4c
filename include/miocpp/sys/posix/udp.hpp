// UDP sockets on POSIX: bind, and batches of datagrams (udp_batch.hpp). Connect and datagrams
// with their peer's address (common/addressed_datagrams.hpp) and multicast group membership
// (common/multicast_membership.hpp) are written once for POSIX and Winsock; the other UDP options
// are in the option table (socket_options.hpp).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <system_error>

#include "../../net/socket_addr.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"
#include "udp_batch.hpp"

// After the socket headers: their templates use MSG_PEEK, connect(2) and the multicast request
// records.
#include "../common/addressed_datagrams.hpp"
#include "../common/multicast_membership.hpp"

namespace miocpp::sys::posix {

/// concepts::Udp over descriptors.
struct Udp
    : common::MulticastMembership<SocketOption>,
      common::AddressedDatagrams<int, RawSocketAddr, &send_bytes_to, &receive_bytes_from, &check>,
      udp_batch::Batches {
  /// A datagram socket bound to `address` (port 0 picks a free port). No SO_REUSEADDR: two
  /// sockets bound to one address would split its datagrams between them.
  static FileDescriptor bind(const net::SocketAddr& address, std::error_code& ec) noexcept {
    const RawSocketAddr raw(address);
    return open_socket_with(raw.family(), SOCK_DGRAM, ec,
                            [&raw, &ec](int fd) { check(::bind(fd, raw.get(), raw.length), ec); });
  }
};

}  // namespace miocpp::sys::posix
