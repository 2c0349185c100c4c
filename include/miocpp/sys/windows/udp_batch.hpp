// Batches of UDP datagrams on Winsock, behind UdpSocket::recv_batch and send_batch. Windows has no
// call that moves several datagrams, so a batch is one WSARecvMsg / WSASendMsg per datagram (the
// cost of a loop of recvfrom / sendto), with the contract of the POSIX batches; the message calls
// rather than recvfrom / sendto because only they carry a datagram's destination and ECN bits.
// Windows' segmentation offload (UDP_SEND_MSG_SIZE, UDP_RECV_MAX_COALESCED_SIZE) is not used.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <optional>
#include <span>
#include <system_error>

#include "../../net/udp_batch.hpp"
#include "../common/received_ancillary.hpp"
#include "error.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows::udp_batch {

/// WSARecvMsg, which Winsock hands out only through an ioctl on a socket. Looked up on first use
/// and kept for the process (the base provider's, which every socket miocpp makes has); a
/// failed lookup (an empty socket) is not kept.
inline LPFN_WSARECVMSG receive_message_call(SOCKET socket, std::error_code& ec) noexcept {
  static std::atomic<LPFN_WSARECVMSG> kept{nullptr};
  LPFN_WSARECVMSG call = kept.load(std::memory_order_acquire);
  if (call != nullptr) {
    ec.clear();
    return call;
  }
  GUID id = WSAID_WSARECVMSG;
  DWORD bytes = 0;
  if (::WSAIoctl(socket, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof id, &call, sizeof call,
                 &bytes, nullptr, nullptr) == SOCKET_ERROR) {
    ec = last_socket_error();
    return nullptr;
  }
  kept.store(call, std::memory_order_release);
  ec.clear();
  return call;
}

/// Control data aligned as a WSACMSGHDR must be, of `Size` bytes.
template <std::size_t Size>
struct alignas(WSACMSGHDR) Control {
  std::array<char, Size> bytes;
};

/// Room for what a received datagram may bring: its destination as IPv4 and IPv6 packet
/// information, and its TOS / traffic class and ECN field.
using ReceiveControl =
    Control<WSA_CMSG_SPACE(sizeof(IN_PKTINFO)) + WSA_CMSG_SPACE(sizeof(IN6_PKTINFO)) +
            4 * WSA_CMSG_SPACE(sizeof(INT))>;
/// Room for the ECN bits of a send.
using SendControl = Control<WSA_CMSG_SPACE(sizeof(INT))>;

/// Reads the ancillary messages of `message` into `read`. IN_PKTINFO and IN6_PKTINFO start with
/// the destination; the TOS and traffic class (IP_RECVTOS) and the ECN field (IP_RECVECN) each
/// carry the ECN bits in their low two bits.
inline void read_messages(WSAMSG& message, common::ReceivedAncillary& read) noexcept {
  const auto* const end = message.Control.buf + message.Control.len;
  for (WSACMSGHDR* header = WSA_CMSG_FIRSTHDR(&message); header != nullptr;
       header = WSA_CMSG_NXTHDR(&message, header)) {
    const auto* const data = reinterpret_cast<const unsigned char*>(  // NOLINT(*-reinterpret-cast)
        WSA_CMSG_DATA(header));
    const auto* const stop = reinterpret_cast<const unsigned char*>(end);  // NOLINT
    const std::size_t stated =
        header->cmsg_len > WSA_CMSG_LEN(0) ? header->cmsg_len - WSA_CMSG_LEN(0) : 0;
    const std::size_t present = data < stop ? static_cast<std::size_t>(stop - data) : 0;
    const common::AncillaryData bytes(data, std::min(stated, present));
    const int level = header->cmsg_level;
    const int type = header->cmsg_type;
    if (level == IPPROTO_IP && type == IP_PKTINFO) {
      read.ipv4_destination(bytes, 0);
    } else if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO) {
      read.ipv6_destination(bytes);
    } else if ((level == IPPROTO_IP && (type == IP_TOS || type == IP_ECN)) ||
               (level == IPPROTO_IPV6 && (type == IPV6_TCLASS || type == IPV6_ECN))) {
      read.traffic_class(bytes);
    }
  }
}

/// One WSARecvMsg into `slot`. A datagram longer than the buffer fills it and is flagged
/// truncated (Winsock says WSAEMSGSIZE, which is no error here, as for recv_from).
inline bool receive_one(SOCKET socket, LPFN_WSARECVMSG call, net::RecvDatagram& slot,
                        std::error_code& ec) noexcept {
  WSABUF data{static_cast<ULONG>(clamp_length(slot.buffer.size())),
              reinterpret_cast<char*>(slot.buffer.data())};  // NOLINT(*-reinterpret-cast)
  RawSocketAddr sender;
  ReceiveControl control;
  WSAMSG message{};
  message.name = sender.get();
  message.namelen = sender.length;
  message.lpBuffers = &data;
  message.dwBufferCount = 1;
  message.Control = WSABUF{static_cast<ULONG>(control.bytes.size()), control.bytes.data()};
  DWORD received = 0;
  bool truncated = false;
  if (call(socket, &message, &received, nullptr, nullptr) == SOCKET_ERROR) {
    const int error = ::WSAGetLastError();
    if (error != WSAEMSGSIZE) {
      ec = win32_code(static_cast<DWORD>(error));
      return false;
    }
    truncated = true;
    received = static_cast<DWORD>(data.len);
  }
  ec.clear();
  slot.size = received;
  slot.truncated = truncated || (message.dwFlags & MSG_TRUNC) != 0;
  sender.length = message.namelen;
  std::error_code unreadable;  // a sender Winsock did not name leaves from at 0.0.0.0:0
  slot.from = from_raw(sender, unreadable);
  common::ReceivedAncillary read;
  read_messages(message, read);
  read.store(slot);
  return true;
}

/// Whether the ECN bits of a datagram to `to` (nullopt: the connected peer, asked of `socket`
/// then) go as an IPv4 message: to an IPv4 or IPv4-mapped address.
inline bool ecn_as_ipv4(SOCKET socket, const std::optional<net::SocketAddr>& to) noexcept {
  net::SocketAddr peer;
  if (to) {
    peer = *to;
  } else {
    RawSocketAddr raw;
    if (::getpeername(socket, raw.get(), &raw.length) == SOCKET_ERROR) {
      return true;  // not connected: the send reports it
    }
    std::error_code unreadable;
    peer = from_raw(raw, unreadable);
  }
  return peer.is_ipv4() || peer.ip().v6()->to_ipv4_mapped().has_value();
}

/// One WSASendMsg of `datagram`, with an IP_ECN or IPV6_ECN message for its ECN bits.
inline bool send_one(SOCKET socket, const net::SendDatagram& datagram,
                     std::error_code& ec) noexcept {
  WSABUF data{static_cast<ULONG>(clamp_length(datagram.bytes.size())),
              // NOLINTNEXTLINE(*-const-cast, *-reinterpret-cast): WSASendMsg only reads it
              const_cast<char*>(reinterpret_cast<const char*>(datagram.bytes.data()))};
  RawSocketAddr target = datagram.to ? RawSocketAddr(*datagram.to) : RawSocketAddr();
  WSAMSG message{
      datagram.to ? target.get() : nullptr, datagram.to ? target.length : 0, &data, 1, WSABUF{}, 0};
  SendControl control{};
  if (datagram.ecn != 0) {
    const bool v4 = ecn_as_ipv4(socket, datagram.to);
    message.Control = WSABUF{static_cast<ULONG>(control.bytes.size()), control.bytes.data()};
    WSACMSGHDR* const header = WSA_CMSG_FIRSTHDR(&message);
    header->cmsg_len = WSA_CMSG_LEN(sizeof(INT));
    header->cmsg_level = v4 ? IPPROTO_IP : IPPROTO_IPV6;
    header->cmsg_type = v4 ? IP_ECN : IPV6_ECN;
    const INT ecn = datagram.ecn;
    std::memcpy(WSA_CMSG_DATA(header), &ecn, sizeof ecn);
  }
  DWORD sent = 0;
  check(::WSASendMsg(socket, &message, 0, &sent, nullptr, nullptr), ec);
  return !ec;
}

/// The batch calls of concepts::Udp over SOCKETs.
struct Batches {
  /// Receives into `slots`, one WSARecvMsg each: how many were filled, and in `ec` what stopped
  /// the batch short of all of them, even after some.
  static std::size_t recv_batch(SOCKET socket, std::span<net::RecvDatagram> slots,
                                std::error_code& ec) noexcept {
    const LPFN_WSARECVMSG call = receive_message_call(socket, ec);
    std::size_t done = 0;
    while (!ec && done < slots.size() && receive_one(socket, call, slots[done], ec)) {
      ++done;
    }
    return done;
  }

  /// Sends `datagrams` (checked, see concepts::Udp), one WSASendMsg each: how many went, and in
  /// `ec` what stopped the batch short of all of them.
  static std::size_t send_batch(SOCKET socket, std::span<const net::SendDatagram> datagrams,
                                std::error_code& ec) noexcept {
    ec.clear();
    std::size_t done = 0;
    while (!ec && done < datagrams.size() && send_one(socket, datagrams[done], ec)) {
      ++done;
    }
    return done;
  }

  /// Never: Windows' own offload (UDP_SEND_MSG_SIZE) is not used.
  static bool can_segment(SOCKET /*socket*/) noexcept { return false; }
};

}  // namespace miocpp::sys::windows::udp_batch
