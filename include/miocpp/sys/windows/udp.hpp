// UDP sockets on Winsock: bind, and batches of datagrams (udp_batch.hpp). Connect and datagrams
// with their peer's address (common/addressed_datagrams.hpp) and multicast group membership
// (common/multicast_membership.hpp) are written once for POSIX and Winsock; the other UDP options
// are in the option table (socket_options.hpp).
#pragma once

#include <system_error>

#include "../../net/socket_addr.hpp"
#include "error.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"
#include "udp_batch.hpp"
#include "windows.hpp"

// After the socket headers (windows.hpp): its templates use MSG_PEEK, connect() and the multicast
// records.
#include "../common/addressed_datagrams.hpp"
#include "../common/multicast_membership.hpp"

namespace miocpp::sys::windows {

/// concepts::Udp over SOCKETs.
struct Udp : common::MulticastMembership<SocketOption>,
             common::AddressedDatagrams<SOCKET, RawSocketAddr, &send_bytes_to, &receive_bytes_from,
                                        &check>,
             udp_batch::Batches {
  /// A datagram socket bound to `address` (port 0 picks a free port).
  static Socket bind(const net::SocketAddr& address, std::error_code& ec) noexcept {
    return bind_socket(RawSocketAddr(address), SOCK_DGRAM, ec);
  }
};

}  // namespace miocpp::sys::windows
