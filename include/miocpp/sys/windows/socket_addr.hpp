// net::SocketAddr to and from the sockaddr records of Winsock (common/ip_sockaddr.hpp does the
// work; Winsock counts their lengths in ints).
#pragma once

#include "windows.hpp"

// After the socket headers (windows.hpp): its templates name their records.
#include "../common/ip_sockaddr.hpp"

namespace miocpp::sys::windows {

/// A sockaddr big enough for any family, with its length: what bind/connect/sendto take and
/// accept/recvfrom/getsockname fill. Built from a net::SocketAddr, and read back with from_raw.
using RawSocketAddr = common::RawSocketAddr<common::BsdRecords<int>>;

/// concepts::SocketAddrs for Winsock.
using SocketAddrs = common::SocketAddrs<common::BsdRecords<int>>;

}  // namespace miocpp::sys::windows
