// RecvDatagram and SendDatagram: one slot of UdpSocket::recv_batch and one entry of
// UdpSocket::send_batch, with the limits segmentation offload puts on them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>

#include "ip_addr.hpp"
#include "socket_addr.hpp"

namespace miocpp::net {

/// One slot of a receive batch (UdpSocket::recv_batch): the caller's buffer, and what the batch
/// filled in. A slot holds one datagram, or with GRO on (UdpSocket::set_gro) several segments of
/// one sender that the kernel coalesced.
struct RecvDatagram {
  /// In: where the datagram goes. With GRO on, give 65,536 bytes: a coalesced run fills up to
  /// 64 KiB.
  std::span<std::byte> buffer;
  /// Out: bytes received (with GRO: every coalesced segment together).
  std::size_t size = 0;
  /// Out: the sender.
  SocketAddr from;
  /// Out: the datagram was longer than `buffer`; the rest of it is lost.
  bool truncated = false;
  /// Out: with GRO on, the size of each coalesced segment (the last may be shorter); 0 when the
  /// slot holds one datagram.
  std::size_t segment_size = 0;
  /// Out: with UdpSocket::set_receive_destination on, the address the datagram was sent to (from
  /// IP_PKTINFO / IPV6_PKTINFO), of the family of `from`; otherwise nullopt.
  std::optional<IpAddr> destination;
  /// Out: with UdpSocket::set_receive_ecn on, the two ECN bits of the datagram's IP header
  /// (0 not-ECT, 1 ECT(1), 2 ECT(0), 3 CE); otherwise 0.
  std::uint8_t ecn = 0;
};

/// One entry of a send batch (UdpSocket::send_batch): a datagram, or with `segment_size` a run of
/// datagrams the kernel cuts from one buffer (UDP generic segmentation offload, Linux).
struct SendDatagram {
  /// The payload.
  std::span<const std::byte> bytes;
  /// The destination; nullopt: the connected peer (UdpSocket::connect). An IPv6 socket reaches
  /// IPv4 hosts through IPv4-mapped addresses, as with send_to.
  std::optional<SocketAddr> to;
  /// GSO: send `bytes` as datagrams of this size (the last may be shorter). 0: no segmentation of
  /// this entry of its own (one datagram, or segments of the socket's segment_size when set).
  std::size_t segment_size = 0;
  /// The ECN bits to send this entry with (0 not-ECT, 1 ECT(1), 2 ECT(0), 3 CE); 0 sends with the
  /// socket's TOS / traffic class. Non-zero sets the whole TOS byte (DSCP 0).
  std::uint8_t ecn = 0;
};

/// The largest UDP payload of an IPv4 datagram (65,535 less the IP and UDP headers): the most a
/// segment, or a coalesced run, may hold.
inline constexpr std::size_t max_udp_payload = 65507;
/// How many segments one GSO entry may be cut into (Linux's UDP_MAX_SEGMENTS).
inline constexpr std::size_t max_gso_segments = 64;
/// The ECN field is two bits.
inline constexpr std::uint8_t max_ecn = 3;

namespace detail {

/// Whether send_batch may pass `datagram` to the OS: a segment size of at most max_udp_payload,
/// no more than max_gso_segments segments of it, and ECN bits within two bits.
constexpr bool valid_send_entry(const SendDatagram& datagram) noexcept {
  if (datagram.ecn > max_ecn || datagram.segment_size > max_udp_payload) {
    return false;
  }
  return datagram.segment_size == 0 ||
         datagram.bytes.size() <= max_gso_segments * datagram.segment_size;
}

/// invalid_argument when an entry of `datagrams` is not valid_send_entry; otherwise clears `ec`
/// and returns whether any entry has a segment size (which the OS must then be able to cut). The
/// whole batch is checked before any system call, so that a bad entry late in a batch does not
/// leave it half sent.
inline bool check_send_batch(std::span<const SendDatagram> datagrams,
                             std::error_code& ec) noexcept {
  bool segmented = false;
  for (const SendDatagram& datagram : datagrams) {
    if (!valid_send_entry(datagram)) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return false;
    }
    segmented = segmented || datagram.segment_size != 0;
  }
  ec.clear();
  return segmented;
}

}  // namespace detail

}  // namespace miocpp::net
