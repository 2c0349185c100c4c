// Batches of UDP datagrams on POSIX, behind UdpSocket::recv_batch and send_batch: the calls of
// datagram_batch.hpp over the records of datagram_message.hpp, and whether GSO is there.
#pragma once

#include <cstddef>
#include <span>
#include <system_error>

#include "../../net/udp_batch.hpp"
#include "datagram_batch.hpp"
#include "datagram_message.hpp"
#include "udp_offload.hpp"

namespace miocpp::sys::posix::udp_batch {

/// The batch calls of concepts::Udp over descriptors.
struct Batches {
  /// Receives into `slots`: how many were filled, and in `ec` what stopped the batch short of
  /// all of them (operation_would_block once the queue is empty), even after some.
  static std::size_t recv_batch(int fd, std::span<net::RecvDatagram> slots,
                                std::error_code& ec) noexcept {
    return datagram_batch::receive<ReceiveRecord>(fd, slots, ec);
  }

  /// Sends `datagrams` (checked, see concepts::Udp): how many entries went, and in `ec` what
  /// stopped the batch short of all of them.
  static std::size_t send_batch(int fd, std::span<const net::SendDatagram> datagrams,
                                std::error_code& ec) noexcept {
    return datagram_batch::send<SendRecord>(fd, datagrams, ec);
  }

  /// Whether sends may carry a segment size: Linux, with a kernel that has UDP_SEGMENT (4.18).
  static bool can_segment(int fd) noexcept { return has_udp_offload && kernel_has_gso(fd); }
};

}  // namespace miocpp::sys::posix::udp_batch
