// DatagramSocket: the datagram calls UdpSocket and UnixDatagram share -- send, recv, peek,
// recv_from and the batches -- written once.
#pragma once

#include <cstddef>
#include <span>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../sys/sys.hpp"
#include "detail/deferred_error.hpp"

namespace miocpp::net {

/// The datagram half of UdpSocket (over IpSocketBase, with SocketAddr and sys::Udp) and
/// UnixDatagram (over UnixSocketBase, with UnixSocketAddr and sys::Uds): `Address` is the
/// family's address type and `Calls` the backend's calls for it.
///
/// Each call moves one whole datagram: a receive buffer shorter than the datagram gets its first
/// bytes and the rest is discarded. Every datagram read is "short", so reading until
/// `std::errc::operation_would_block` is the only way to know the queue is empty.
template <class Base, class Address, class Calls>
class DatagramSocket : public Base {
 public:
  using Base::Base;
  using typename Base::native_handle_type;

  /// Runs your own system call on the socket as miocpp runs its own I/O, so that backends that
  /// re-arm after `std::errc::operation_would_block` do so (see OwnedSource::try_io).
  using Base::try_io;

  /// Sends one datagram to the connected peer (see connect).
  std::size_t send(std::span<const std::byte> datagram, std::error_code& ec) noexcept {
    return this->do_io(
        [datagram](native_handle_type s, std::error_code& op_ec) {
          return sys::Sockets::send(s, datagram, op_ec);
        },
        ec);
  }

  /// Receives one datagram from the connected peer.
  std::size_t recv(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return this->do_io(
        [buffer](native_handle_type s, std::error_code& op_ec) {
          return sys::Sockets::receive(s, buffer, op_ec);
        },
        ec);
  }

  /// recv() that leaves the datagram queued.
  std::size_t peek(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return this->do_io(
        [buffer](native_handle_type s, std::error_code& op_ec) {
          return sys::Sockets::peek(s, buffer, op_ec);
        },
        ec);
  }

  /// Receives one datagram into `buffer`: its size (truncated to the buffer, the rest being
  /// discarded; 0 for an empty datagram) and the sender's address. `{0, Address{}}` on error,
  /// would-block when none is queued.
  std::pair<std::size_t, Address> recv_from(std::span<std::byte> buffer,
                                            std::error_code& ec) noexcept {
    return receive_with_sender<&Calls::recv_from>(buffer, ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (`std::errc::operation_would_block` included).
  std::size_t send(std::span<const std::byte> datagram) {
    return miocpp::detail::or_throw("miocpp::net::DatagramSocket::send",
                                    [&](std::error_code& ec) { return send(datagram, ec); });
  }
  /// recv() without `ec`: throws `std::system_error` with the code it reports.
  std::size_t recv(std::span<std::byte> buffer) {
    return miocpp::detail::or_throw("miocpp::net::DatagramSocket::recv",
                                    [&](std::error_code& ec) { return recv(buffer, ec); });
  }
  /// peek() without `ec`: throws `std::system_error` with the code it reports.
  std::size_t peek(std::span<std::byte> buffer) {
    return miocpp::detail::or_throw("miocpp::net::DatagramSocket::peek",
                                    [&](std::error_code& ec) { return peek(buffer, ec); });
  }
  /// recv_from() without `ec`: throws `std::system_error` with the code it reports.
  std::pair<std::size_t, Address> recv_from(std::span<std::byte> buffer) {
    return miocpp::detail::or_throw("miocpp::net::DatagramSocket::recv_from",
                                    [&](std::error_code& ec) { return recv_from(buffer, ec); });
  }
  /// @}
#endif

 protected:
  /// One datagram to `target`.
  std::size_t send_datagram_to(std::span<const std::byte> datagram, const Address& target,
                               std::error_code& ec) noexcept {
    return this->do_io(
        [datagram, &target](native_handle_type s, std::error_code& op_ec) {
          return Calls::send_to(s, datagram, target, op_ec);
        },
        ec);
  }

  /// One datagram and its sender through `Receive` (Calls::recv_from, or a peek).
  template <auto Receive>
  std::pair<std::size_t, Address> receive_with_sender(std::span<std::byte> buffer,
                                                      std::error_code& ec) noexcept {
    Address sender;
    const std::size_t count = this->do_io(
        [buffer, &sender](native_handle_type s, std::error_code& op_ec) {
          return Receive(s, buffer, sender, op_ec);
        },
        ec);
    return {count, ec ? Address() : sender};
  }

  /// Receives into `slots` through Calls::recv_batch. Fewer than given (and some) means drained:
  /// it re-arms as a short stream read does, on every backend. An error after some datagrams is
  /// kept, and the next batch reports it before receiving anything.
  template <class Slot>
  std::size_t receive_batch(std::span<Slot> slots, std::error_code& ec) noexcept {
    if (deferred_receive_error_.take(ec)) {
      return 0;
    }
    return this->do_stream_io(
        [this, slots](native_handle_type s, std::error_code& op_ec) {
          return deferred_receive_error_.keep_after(Calls::recv_batch(s, slots, op_ec), op_ec);
        },
        slots.size(), ec);
  }

  /// Sends `datagrams` through Calls::send_batch. Fewer than given (and some) means the buffer is
  /// full: it re-arms as a short stream write does. An error after some entries is dropped.
  template <class Entry>
  std::size_t send_entries(std::span<const Entry> datagrams, std::error_code& ec) noexcept {
    return this->do_stream_io(
        [datagrams](native_handle_type s, std::error_code& op_ec) {
          return detail::sent_before_error(Calls::send_batch(s, datagrams, op_ec), op_ec);
        },
        datagrams.size(), ec);
  }

 private:
  detail::DeferredError deferred_receive_error_;  // what ended a batch after some, for the next
};

}  // namespace miocpp::net
