// One datagram of a UDP batch as a msghdr: the records a recvmsg/recvmmsg slot or a
// sendmsg/sendmmsg entry points at (its iovec, its address, its ancillary messages), filled from
// and read back into net::RecvDatagram / net::SendDatagram.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <system_error>
#include <type_traits>

#include "../../config.hpp"
#include "../../net/udp_batch.hpp"
#include "../common/received_ancillary.hpp"
#include "datagram_batch.hpp"
#include "ip_ancillary.hpp"
#include "socket_addr.hpp"
#include "udp_offload.hpp"

namespace miocpp::sys::posix {

/// Where the IPv4 destination sits in an IP_PKTINFO message: in_pktinfo's ipi_addr (after the
/// interface index and the local address routing picked on Linux and Apple systems; first on
/// NetBSD).
#if defined(IP_PKTINFO)
inline constexpr std::size_t in_pktinfo_destination = offsetof(::in_pktinfo, ipi_addr);
#endif

/// Room for every ancillary message one received datagram may bring: a GRO segment size, its
/// TOS and traffic class, and its destination as IPv4 (in_pktinfo, 12 bytes) and IPv6
/// (in6_pktinfo, 20 bytes) packet information. Aligned as a message header must be.
struct alignas(::cmsghdr) ReceiveControl {
  std::array<unsigned char, 3 * CMSG_SPACE(sizeof(int)) + CMSG_SPACE(12) + CMSG_SPACE(20)> bytes;
};

/// Room for what a send may carry: a GSO segment size, and the ECN bits for both families.
struct alignas(::cmsghdr) SendControl {
  std::array<unsigned char, CMSG_SPACE(sizeof(std::uint16_t)) + 2 * CMSG_SPACE(sizeof(int))> bytes;
};

/// The bytes of one received ancillary message, as far as its length and the control data the
/// kernel wrote both reach.
inline common::AncillaryData message_data(const ::msghdr& message, ::cmsghdr* header) noexcept {
  const auto* const end = static_cast<const unsigned char*>(message.msg_control) +
                          static_cast<std::size_t>(message.msg_controllen);
  const unsigned char* const data = CMSG_DATA(header);
  const auto length = static_cast<std::size_t>(header->cmsg_len);
  const std::size_t stated = length > CMSG_LEN(0) ? length - CMSG_LEN(0) : 0;
  const std::size_t present = data < end ? static_cast<std::size_t>(end - data) : 0;
  return {data, stated < present ? stated : present};
}

/// Reads one ancillary message of a received datagram into `read`; others are skipped.
inline void read_message(int level, int type, common::AncillaryData data,
                         common::ReceivedAncillary& read) noexcept {
  if (level == IPPROTO_UDP && type == udp_gro) {
    read.segment(data);
  } else if (level == IPPROTO_IPV6 && type == ipv6_ancillary.pktinfo) {
    read.ipv6_destination(data);
  } else if (level == IPPROTO_IPV6 && type == ipv6_ancillary.tclass) {
    read.traffic_class(data);
#if defined(IP_PKTINFO)
  } else if (level == IPPROTO_IP && type == IP_PKTINFO) {
    read.ipv4_destination(data, in_pktinfo_destination);
#endif
#if defined(IP_RECVDSTADDR)
  } else if (level == IPPROTO_IP && type == IP_RECVDSTADDR) {
    read.ipv4_destination(data, 0);
#endif
#if defined(IP_RECVTOS)
  } else if (level == IPPROTO_IP && type == IP_RECVTOS) {
    read.traffic_class(data);  // the BSDs' and Apple's name for the received TOS
#endif
  } else if (level == IPPROTO_IP && type == IP_TOS) {
    read.traffic_class(data);
  }
}

/// The records behind one receive slot's msghdr: its buffer's iovec, the sender's address and
/// the ancillary messages' room. Nothing is allocated: they live in the batch call's frame.
/// Nothing is initialized either (a chunk holds 64 of them, about 20 KiB, whatever the batch
/// size): prepare() sets what the kernel reads, and the kernel writes the rest.
struct ReceiveRecord {
  ::iovec data;
  ::sockaddr_storage sender;
  ReceiveControl control;

  /// Points `message` at `slot`'s buffer and at this record.
  void prepare(net::RecvDatagram& slot, ::msghdr& message) noexcept {
    datagram_batch::point_at(message, data, slot.buffer, &sender, sizeof sender);
    message.msg_control = control.bytes.data();
    message.msg_controllen = static_cast<decltype(message.msg_controllen)>(control.bytes.size());
  }

  /// Fills `slot` from `message`, which received `size` bytes.
  void finish(net::RecvDatagram& slot, ::msghdr& message, std::size_t size) noexcept {
    slot.size = size;
    slot.truncated = (message.msg_flags & MSG_TRUNC) != 0;
    std::error_code unreadable;  // a sender the kernel did not name leaves from at 0.0.0.0:0
    // Read in place: only the bytes the kernel wrote are looked at.
    slot.from = SocketAddrs::from_sockaddr(
        sender, std::min<::socklen_t>(message.msg_namelen, sizeof sender), unreadable);
    common::ReceivedAncillary read;
    for (::cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
         header = CMSG_NXTHDR(&message, header)) {
      read_message(header->cmsg_level, header->cmsg_type, message_data(message, header), read);
    }
    read.store(slot);
  }
};

/// The records behind one send entry's msghdr: its bytes' iovec, the destination's address and
/// the ancillary messages.
/// Nothing is initialized until prepare(), as for ReceiveRecord.
struct SendRecord {
  ::iovec data;
  ::sockaddr_storage target;
  SendControl control;

  /// Points `message` at `datagram`'s bytes and at this record, with a UDP_SEGMENT message for
  /// its segment size and TOS / traffic class messages for its ECN bits.
  void prepare(const net::SendDatagram& datagram, ::msghdr& message) noexcept {
    datagram_batch::point_at(message, data, datagram.bytes, nullptr, 0);
    if (datagram.to) {
      const RawSocketAddr raw(*datagram.to);
      std::memcpy(&target, &raw.storage, raw.length);
      message.msg_name = &target;
      message.msg_namelen = raw.length;
    }
    if (datagram.segment_size == 0 && datagram.ecn == 0) {
      return;
    }
    control.bytes.fill(0);  // the padding too: nothing of this stack goes out
    message.msg_control = control.bytes.data();
    message.msg_controllen = static_cast<decltype(message.msg_controllen)>(control.bytes.size());
    ::cmsghdr* header = CMSG_FIRSTHDR(&message);
    std::size_t used = 0;
    const auto put = [&](int level, int type, const auto& value) {
      header->cmsg_level = level;
      header->cmsg_type = type;
      header->cmsg_len = static_cast<decltype(header->cmsg_len)>(CMSG_LEN(sizeof value));
      std::memcpy(CMSG_DATA(header), &value, sizeof value);
      used += CMSG_SPACE(sizeof value);
      header = CMSG_NXTHDR(&message, header);
    };
    if (datagram.segment_size != 0) {
      put(IPPROTO_UDP, udp_segment, static_cast<std::uint16_t>(datagram.segment_size));
    }
    if (datagram.ecn != 0) {
      // Each family's layer reads its own message: IPv4 (and IPv4-mapped destinations of a
      // dual-stack socket) the TOS, IPv6 the traffic class. Without a destination the socket's
      // family is not known here, so both go; each layer passes over the other's.
      const bool v4 =
          datagram.to && (datagram.to->is_ipv4() || datagram.to->ip().v6()->to_ipv4_mapped());
      const bool v6 = datagram.to && !v4;
      if (!v6) {
        put(IPPROTO_IP, IP_TOS, static_cast<TosMessage>(datagram.ecn));
      }
      if (!v4 && ipv6_ancillary.tclass >= 0) {
        put(IPPROTO_IPV6, ipv6_ancillary.tclass, static_cast<int>(datagram.ecn));
      }
    }
    message.msg_controllen = static_cast<decltype(message.msg_controllen)>(used);
  }

 private:
  // The BSDs take IP_TOS as one byte in a send's ancillary data; Linux and Apple systems an int.
  using TosMessage = std::conditional_t<MIOCPP_OS_BSD == 1, unsigned char, int>;
};

}  // namespace miocpp::sys::posix
