// net::SocketAddr to and from the sockaddr records of the POSIX socket API (common/ip_sockaddr.hpp
// does the work; POSIX counts their lengths in socklen_t).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

// After the socket headers above: its templates name their records.
#include "../common/ip_sockaddr.hpp"

namespace miocpp::sys::posix {

/// A sockaddr big enough for any family, with its length: what bind/connect/sendto take and
/// accept/recvfrom/getsockname fill. Built from a net::SocketAddr, and read back with from_raw.
using RawSocketAddr = common::RawSocketAddr<common::BsdRecords<::socklen_t>>;

/// concepts::SocketAddrs for POSIX.
using SocketAddrs = common::SocketAddrs<common::BsdRecords<::socklen_t>>;

}  // namespace miocpp::sys::posix
