// The datagram calls that UDP and Unix-domain datagram sockets share, refused: written once for
// both (udp.hpp, uds.hpp).
#pragma once

#include <cstddef>
#include <span>
#include <system_error>

#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// The base of Udp and Uds: the calls that differ only in the `Address` type and the slot and
/// entry types of their batches.
template <class Socket, class Address, class RecvSlot, class SendEntry>
struct Datagrams {
  using NativeHandle = typename Socket::native_handle_type;

  static void connect(NativeHandle, const Address&, std::error_code& ec) noexcept { refuse(ec); }
  static std::size_t send_to(NativeHandle, std::span<const std::byte>, const Address&,
                             std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static std::size_t recv_from(NativeHandle, std::span<std::byte>, Address&,
                               std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static std::size_t recv_batch(NativeHandle, std::span<RecvSlot>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static std::size_t send_batch(NativeHandle, std::span<const SendEntry>,
                                std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
};

}  // namespace miocpp::sys::unsupported
