// The backend contract for Unix-domain sockets (concepts.hpp checks each backend's Uds against
// it): making and connecting them, their addresses, and passing descriptors over them.
// std::errc::not_supported where the OS has none.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <system_error>

#include "../net/received_with_fds.hpp"
#include "../net/unix_batch.hpp"
#include "../net/unix_socket_addr.hpp"

namespace miocpp::sys::concepts {

/// Unix-domain sockets (stream and datagram), owned as `S` with native handle `H`.
///
/// Descriptors travel as raw ints, so that the contract needs no owning type: send_with_fds sends
/// `fds` with `bytes` in one message (to `target` when it is not null, else to the connected
/// peer), refusing more than net::max_fds_per_message with std::errc::invalid_argument before any
/// system call. recv_with_fds receives one message into `buffer` and its descriptors into
/// `received`, close-on-exec; the caller owns the first `.fds` of them. On any error it has
/// closed every descriptor the message brought and reports none: std::errc::message_size when
/// there were more than `received` holds, with the bytes still counted.
///
/// The batch calls are those of concepts::Udp: they return how many slots or entries they did and
/// set `ec` to what stopped them, even after some. send_batch checks every entry's address before
/// any system call, so that a bad one late in a batch does not leave it half sent.
template <class C, class S, class H>
concept Uds = requires(H socket, const net::UnixSocketAddr& address, net::UnixSocketAddr& peer,
                       const net::UnixSocketAddr* target, S& first, S& second,
                       std::span<std::byte> buffer, std::span<const std::byte> bytes,
                       std::span<const int> fds, std::span<int> received,
                       std::span<net::UnixRecvDatagram> slots,
                       std::span<const net::UnixSendDatagram> datagrams, std::error_code& ec) {
  { C::listen(address, ec) }
  noexcept->std::same_as<S>;
  { C::accept(socket, peer, ec) }
  noexcept->std::same_as<S>;
  { C::connect_stream(address, ec) }
  noexcept->std::same_as<S>;
  { C::stream_pair(first, second, ec) }
  noexcept->std::same_as<void>;
  { C::bind_datagram(address, ec) }
  noexcept->std::same_as<S>;
  { C::unbound_datagram(ec) }
  noexcept->std::same_as<S>;
  { C::datagram_pair(first, second, ec) }
  noexcept->std::same_as<void>;
  { C::connect(socket, address, ec) }
  noexcept->std::same_as<void>;
  { C::send_to(socket, bytes, address, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::recv_from(socket, buffer, peer, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::recv_batch(socket, slots, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::send_batch(socket, datagrams, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::local_addr(socket, ec) }
  noexcept->std::same_as<net::UnixSocketAddr>;
  { C::peer_addr(socket, ec) }
  noexcept->std::same_as<net::UnixSocketAddr>;
  { C::send_with_fds(socket, bytes, fds, target, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::recv_with_fds(socket, buffer, received, ec) }
  noexcept->std::same_as<net::ReceivedWithFds>;
};

}  // namespace miocpp::sys::concepts
