// The numbers of the IP options that have each datagram received say its destination or its
// TOS / traffic class, and of the ancillary messages that say it, where a system names them
// differently or not at all (-1: it has none).
#pragma once

#include <netinet/in.h>

#include "../../config.hpp"

namespace miocpp::sys::posix {

/// IPv4's switch for the destination: IP_PKTINFO, or IP_RECVDSTADDR on the BSDs without it.
#if defined(IP_PKTINFO)
inline constexpr int ipv4_destination_option = IP_PKTINFO;
#elif defined(IP_RECVDSTADDR)
inline constexpr int ipv4_destination_option = IP_RECVDSTADDR;
#else
inline constexpr int ipv4_destination_option = -1;
#endif

/// IPv4's switch for the TOS byte.
#if defined(IP_RECVTOS)
inline constexpr int ipv4_tos_option = IP_RECVTOS;
#else
inline constexpr int ipv4_tos_option = -1;
#endif

/// The RFC 3542 numbers of IPv6: the options that switch packet information and the traffic
/// class on, and the messages that carry them.
struct Ipv6Ancillary {
  int recvpktinfo;
  int pktinfo;
  int recvtclass;
  int tclass;
};

#if MIOCPP_OS_APPLE
// Apple systems name these only for a program that defines __APPLE_USE_RFC_3542 before its first
// socket header (otherwise IPV6_PKTINFO is the older RFC 2292 option), which a header cannot ask
// for on its user's behalf: the numbers are Apple's ABI, stated here.
inline constexpr Ipv6Ancillary ipv6_ancillary{61, 46, 35, 36};
#elif defined(IPV6_RECVPKTINFO) && defined(IPV6_RECVTCLASS)
inline constexpr Ipv6Ancillary ipv6_ancillary{IPV6_RECVPKTINFO, IPV6_PKTINFO, IPV6_RECVTCLASS,
                                              IPV6_TCLASS};
#else
inline constexpr Ipv6Ancillary ipv6_ancillary{-1, -1, -1, -1};
#endif

}  // namespace miocpp::sys::posix
