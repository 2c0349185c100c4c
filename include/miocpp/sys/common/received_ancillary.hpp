// What the ancillary messages of one received datagram say (segment size, destination, ECN bits),
// read from their bytes and stored in its net::RecvDatagram, written once for every socket API
// with control messages (POSIX cmsg, Winsock's WSACMSGHDR); each OS walks its own headers.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "../../net/ip_addr.hpp"
#include "../../net/udp_batch.hpp"

namespace miocpp::sys::common {

/// The data of one ancillary message, as far as the OS wrote it.
using AncillaryData = std::span<const unsigned char>;

/// A small number an OS sends either as one byte or as an int (IP_TOS: a byte on Linux and the
/// BSDs, an int on Windows; IPV6_TCLASS: an int, a byte on some Apple releases): read by the
/// message's length.
inline unsigned small_value(AncillaryData data) noexcept {
  if (data.size() >= sizeof(int)) {
    int value = 0;
    std::memcpy(&value, data.data(), sizeof value);  // ancillary data need not be aligned
    return static_cast<unsigned>(value);
  }
  return data.empty() ? 0U : data[0];
}

/// The ancillary messages of one received datagram, gathered while the OS's headers are walked.
struct ReceivedAncillary {
  std::size_t segment_size = 0;
  std::optional<net::Ipv4Addr> destination_v4;
  std::optional<net::Ipv6Addr> destination_v6;
  std::uint8_t ecn = 0;

  /// A run's segment size (UDP_GRO).
  void segment(AncillaryData data) noexcept { segment_size = small_value(data); }
  /// The TOS byte or traffic class: its two low bits are the ECN field.
  void traffic_class(AncillaryData data) noexcept {
    ecn = static_cast<std::uint8_t>(small_value(data) & net::max_ecn);
  }
  /// An IPv4 destination `offset` bytes into the message (in_pktinfo's ipi_addr, or an in_addr).
  void ipv4_destination(AncillaryData data, std::size_t offset) noexcept {
    std::array<std::uint8_t, 4> octets{};
    if (data.size() >= offset + octets.size()) {
      std::memcpy(octets.data(), data.data() + offset, octets.size());
      destination_v4 = net::Ipv4Addr(octets);
    }
  }
  /// An IPv6 destination at the start of the message (in6_pktinfo's ipi6_addr).
  void ipv6_destination(AncillaryData data) noexcept {
    std::array<std::uint8_t, 16> octets{};
    if (data.size() >= octets.size()) {
      std::memcpy(octets.data(), data.data(), octets.size());
      destination_v6 = net::Ipv6Addr(octets);
    }
  }

  /// Stores what was read in `slot`, whose `from` is set. The destination takes the family of
  /// the sender: a dual-stack socket reports IPv4 peers as IPv4-mapped addresses, and its IPv4
  /// traffic's destination comes mapped too, whichever message the OS said it with.
  void store(net::RecvDatagram& slot) const noexcept {
    slot.segment_size = segment_size;
    slot.ecn = ecn;
    slot.destination.reset();
    if (destination_v6) {
      slot.destination = net::IpAddr(*destination_v6);
    } else if (destination_v4 && slot.from.is_ipv6()) {
      std::array<std::uint8_t, 16> mapped{};
      mapped[10] = 0xff;
      mapped[11] = 0xff;
      std::copy(destination_v4->octets().begin(), destination_v4->octets().end(),
                mapped.begin() + 12);
      slot.destination = net::IpAddr(net::Ipv6Addr(mapped));
    } else if (destination_v4) {
      slot.destination = net::IpAddr(*destination_v4);
    }
  }
};

}  // namespace miocpp::sys::common
