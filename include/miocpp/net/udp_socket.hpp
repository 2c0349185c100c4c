// UdpSocket: a non-blocking UDP socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../sys/option.hpp"
#include "../sys/sys.hpp"
#include "datagram_socket.hpp"
#include "ip_addr.hpp"
#include "ip_socket_base.hpp"
#include "socket_addr.hpp"
#include "udp_batch.hpp"

namespace miocpp::net {

/// A non-blocking UDP socket, from UdpSocket::bind or from_native.
///
/// Every send and receive moves one whole datagram. Calls that cannot proceed report
/// `std::errc::operation_would_block`; then wait for the next readable / writable event. Events
/// are edge-triggered: on a readable event, receive until would-block, or the datagrams still
/// queued may bring no further event.
///
/// A datagram bigger than the receive buffer is truncated: the caller gets what fits and the
/// rest is discarded (size buffers for the largest datagram expected; 65,507 bytes is the IPv4
/// maximum). That holds on Windows too, where Winsock answers WSAEMSGSIZE (which mio passes on
/// as an error): miocpp reports the full buffer as a success there, as POSIX does. An empty
/// datagram is valid: it is sent and received as 0 bytes, so a receive of 0 does not mean "closed"
/// as it does on a stream.
///
/// Unconnected, the socket talks to anyone with send_to / recv_from. After connect(peer) it
/// sends to `peer` with send() and receives only what `peer` sends; an ICMP error from the peer
/// (say "port unreachable") is then reported by a later receive or send, as
/// `std::errc::connection_refused` and friends, and as an error event (see take_error).
///
/// WASI preview1 has no UDP: bind and every call that names an address or an option report
/// `std::errc::not_supported` there.
class UdpSocket : public DatagramSocket<IpSocketBase, SocketAddr, sys::Udp> {
 public:
  /// Empty: every call reports std::errc::bad_file_descriptor.
  UdpSocket() noexcept = default;

  /// A socket bound to `address` (port 0 picks a free port: see local_addr), non-blocking and
  /// close-on-exec. IPV6_V6ONLY keeps the system default (off on Linux), so an IPv6 socket bound
  /// to [::] also receives IPv4 traffic there; see only_v6. Errors: address_in_use,
  /// address_not_available (not an address of this host), permission_denied (privileged port),
  /// ...; nothing is left open on failure.
  static UdpSocket bind(const SocketAddr& address, std::error_code& ec) noexcept {
    return UdpSocket(sys::Udp::bind(address, ec));
  }

  /// Adopts a datagram socket (which should already be non-blocking, e.g. from another library).
  static UdpSocket from_native(native_handle_type socket) noexcept {
    return UdpSocket(sys::Socket(socket));
  }

  /// The address given to connect(); std::errc::not_connected when the socket is not connected.
  [[nodiscard]] SocketAddr peer_addr(std::error_code& ec) const noexcept {
    return sys::Sockets::peer_addr(native_handle(), ec);
  }

  /// Sends `datagram` to `target` as one datagram; returns its size. The whole datagram goes or
  /// nothing does: message_size when it is too big for the protocol (over 65,507 bytes for
  /// IPv4), would-block when the send buffer is full. `target` must be of the socket's family:
  /// an IPv6 socket reaches IPv4 hosts only through IPv4-mapped addresses (`::%ffff:a.b.c.d`),
  /// and only when bound to [::] with only_v6 off. On Linux a connected socket may still send_to
  /// other addresses; the BSDs and macOS report already_connected.
  std::size_t send_to(std::span<const std::byte> datagram, const SocketAddr& target,
                      std::error_code& ec) noexcept {
    return send_datagram_to(datagram, target, ec);
  }

  /// recv_from, but the datagram stays queued: the next receive gets it again. A peek does not
  /// drain the socket: after a readable event, still receive until would-block.
  std::pair<std::size_t, SocketAddr> peek_from(std::span<std::byte> buffer,
                                               std::error_code& ec) noexcept {
    return receive_with_sender<&sys::Udp::peek_from>(buffer, ec);
  }

  /// Makes `peer` the destination of send() and the only source receives accept from now on
  /// (datagrams queued before stay). No packet is sent, so success says nothing about whether
  /// `peer` listens. Calling it again switches to another peer.
  void connect(const SocketAddr& peer, std::error_code& ec) noexcept {
    sys::Udp::connect(native_handle(), peer, ec);
  }

  /// Receives up to `slots.size()` datagrams into the slots, from the first, in as few system
  /// calls as the OS allows; returns how many were filled (would-block when none is queued).
  /// Fewer than given (and some) means drained: the next datagram is a new readable event on every
  /// backend. An error after some datagrams ends the batch without error; the next recv_batch
  /// reports it. Nothing is allocated (README: "Batched UDP and segmentation offload").
  std::size_t recv_batch(std::span<RecvDatagram> slots, std::error_code& ec) noexcept {
    return receive_batch(slots, ec);
  }

  /// Sends the entries of `datagrams` in order in as few system calls as the OS allows; returns
  /// how many went whole (would-block when none fits). Fewer than given (and some) means full: the
  /// next writable event comes on every backend. An error after the first entry ends the batch
  /// before it, without error (as sendmmsg); sending the rest again reports it. An entry beyond
  /// the limits (max_udp_payload, max_gso_segments, max_ecn) is invalid_argument, a segment_size
  /// the OS cannot cut not_supported, both before anything is sent.
  std::size_t send_batch(std::span<const SendDatagram> datagrams, std::error_code& ec) noexcept {
    const bool segmented = detail::check_send_batch(datagrams, ec);
    if (!ec && segmented && !sys::Udp::can_segment(native_handle())) {
      ec = std::make_error_code(std::errc::not_supported);
    }
    return ec ? 0 : send_entries(datagrams, ec);
  }

  /// UDP_GRO (Linux 5.0): a run of datagrams from one sender may come as one slot, which says
  /// its segment_size (give 65,536-byte buffers). Elsewhere, and before 5.0, not_supported.
  void set_gro(bool on, std::error_code& ec) noexcept { set_option<sys::option::Gro>(on, ec); }
  /// Whether UDP_GRO is on.
  [[nodiscard]] bool gro(std::error_code& ec) const noexcept {
    return option<sys::option::Gro>(ec);
  }

  /// UDP_SEGMENT (Linux 4.18): sends longer than `size` go as datagrams of `size` bytes (GSO; 0
  /// is off). Above max_udp_payload: invalid_argument. Elsewhere, and before 4.18, not_supported.
  void set_segment_size(std::size_t size, std::error_code& ec) noexcept {
    set_option<sys::option::SegmentSize>(size, ec);
  }
  /// The UDP_SEGMENT size (0: off).
  [[nodiscard]] std::size_t segment_size(std::error_code& ec) const noexcept {
    return option<sys::option::SegmentSize>(ec);
  }

  /// IP_PKTINFO (IP_RECVDSTADDR on the BSDs), and IPV6_RECVPKTINFO on an IPv6 socket: recv_batch
  /// reports each datagram's destination, which a socket bound to 0.0.0.0 or [::] answers from.
  void set_receive_destination(bool on, std::error_code& ec) noexcept {
    set_option<sys::option::ReceiveDestination>(on, ec);
  }
  /// Whether destinations are reported.
  [[nodiscard]] bool receive_destination(std::error_code& ec) const noexcept {
    return option<sys::option::ReceiveDestination>(ec);
  }

  /// IP_RECVTOS and, on an IPv6 socket, IPV6_RECVTCLASS: recv_batch reports each datagram's ECN
  /// bits (RecvDatagram::ecn).
  void set_receive_ecn(bool on, std::error_code& ec) noexcept {
    set_option<sys::option::ReceiveEcn>(on, ec);
  }
  /// Whether ECN bits are reported.
  [[nodiscard]] bool receive_ecn(std::error_code& ec) const noexcept {
    return option<sys::option::ReceiveEcn>(ec);
  }

  /// SO_BROADCAST: allows sending to a broadcast address (otherwise permission_denied).
  void set_broadcast(bool on, std::error_code& ec) noexcept {
    set_option<sys::option::Broadcast>(on, ec);
  }
  /// Whether SO_BROADCAST is set (off by default).
  [[nodiscard]] bool broadcast(std::error_code& ec) const noexcept {
    return option<sys::option::Broadcast>(ec);
  }

  /// IP_MULTICAST_LOOP: whether IPv4 multicast this socket sends is looped back to listeners on
  /// this host (on by default).
  void set_multicast_loop_v4(bool on, std::error_code& ec) noexcept {
    set_option<sys::option::MulticastLoopV4>(on, ec);
  }
  /// Whether IP_MULTICAST_LOOP is set.
  [[nodiscard]] bool multicast_loop_v4(std::error_code& ec) const noexcept {
    return option<sys::option::MulticastLoopV4>(ec);
  }

  /// IP_MULTICAST_TTL: the time-to-live of IPv4 multicast this socket sends, 0-255 (1 by default:
  /// the local network only). Larger values give invalid_argument.
  void set_multicast_ttl_v4(std::uint32_t ttl, std::error_code& ec) noexcept {
    set_option<sys::option::MulticastTtlV4>(ttl, ec);
  }
  /// IP_MULTICAST_TTL as set by set_multicast_ttl_v4.
  [[nodiscard]] std::uint32_t multicast_ttl_v4(std::error_code& ec) const noexcept {
    return option<sys::option::MulticastTtlV4>(ec);
  }

  /// IPV6_MULTICAST_LOOP: whether IPv6 multicast this socket sends is looped back to listeners on
  /// this host (on by default). IPv6 sockets only.
  void set_multicast_loop_v6(bool on, std::error_code& ec) noexcept {
    set_option<sys::option::MulticastLoopV6>(on, ec);
  }
  /// Whether IPV6_MULTICAST_LOOP is set. IPv6 sockets only.
  [[nodiscard]] bool multicast_loop_v6(std::error_code& ec) const noexcept {
    return option<sys::option::MulticastLoopV6>(ec);
  }

  /// Joins the IPv4 multicast `group` on the interface whose address is `interface_address`
  /// (Ipv4Addr::unspecified(): the interface the routing table picks). Errors: invalid_argument
  /// when `group` is not multicast, no_such_device / address_not_available when the interface
  /// cannot do it, address_in_use when already joined.
  void join_multicast_v4(const Ipv4Addr& group, const Ipv4Addr& interface_address,
                         std::error_code& ec) noexcept {
    sys::Udp::join_multicast_v4(native_handle(), group, interface_address, ec);
  }
  /// Leaves a group joined with join_multicast_v4 (address_not_available when not joined).
  void leave_multicast_v4(const Ipv4Addr& group, const Ipv4Addr& interface_address,
                          std::error_code& ec) noexcept {
    sys::Udp::leave_multicast_v4(native_handle(), group, interface_address, ec);
  }

  /// Joins the IPv6 multicast `group` on the interface with index `interface_index` (see
  /// if_nametoindex; 0: the interface the routing table picks). IPv6 sockets only.
  void join_multicast_v6(const Ipv6Addr& group, std::uint32_t interface_index,
                         std::error_code& ec) noexcept {
    sys::Udp::join_multicast_v6(native_handle(), group, interface_index, ec);
  }
  /// Leaves a group joined with join_multicast_v6.
  void leave_multicast_v6(const Ipv6Addr& group, std::uint32_t interface_index,
                          std::error_code& ec) noexcept {
    sys::Udp::leave_multicast_v6(native_handle(), group, interface_index, ec);
  }

  /// IPV6_MULTICAST_HOPS: the hop limit of outgoing IPv6 multicast (IPv6 sockets), 0 to 255
  /// (1, the default, keeps it on the local network).
  void set_multicast_hops_v6(std::uint32_t hops, std::error_code& ec) noexcept {
    set_option<sys::option::MulticastHopsV6>(hops, ec);
  }
  /// IPV6_MULTICAST_HOPS as set (1 by default).
  [[nodiscard]] std::uint32_t multicast_hops_v6(std::error_code& ec) const noexcept {
    return option<sys::option::MulticastHopsV6>(ec);
  }

  /// IP_MULTICAST_IF: the interface, by its address, that IPv4 multicast is sent from;
  /// 0.0.0.0 (the default) lets the routing table pick.
  void set_multicast_if_v4(const Ipv4Addr& interface_address, std::error_code& ec) noexcept {
    set_option<sys::option::MulticastIfV4>(interface_address, ec);
  }
  /// The IPv4 multicast interface (0.0.0.0: the default).
  [[nodiscard]] Ipv4Addr multicast_if_v4(std::error_code& ec) const noexcept {
    return option<sys::option::MulticastIfV4>(ec);
  }

  /// IPV6_MULTICAST_IF: the interface, by its index (if_nametoindex), that IPv6 multicast is
  /// sent from; 0 (the default) lets the routing table pick.
  void set_multicast_if_v6(std::uint32_t interface_index, std::error_code& ec) noexcept {
    set_option<sys::option::MulticastIfV6>(interface_index, ec);
  }
  /// The IPv6 multicast interface index (0: the default).
  [[nodiscard]] std::uint32_t multicast_if_v6(std::error_code& ec) const noexcept {
    return option<sys::option::MulticastIfV6>(ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (`std::errc::operation_would_block` included).
  static UdpSocket bind(const SocketAddr& address) {
    return miocpp::detail::or_throw("miocpp::net::UdpSocket::bind",
                                    [&](std::error_code& ec) { return bind(address, ec); });
  }
  [[nodiscard]] SocketAddr peer_addr() const {
    return miocpp::detail::or_throw("miocpp::net::UdpSocket::peer_addr",
                                    [&](std::error_code& ec) { return peer_addr(ec); });
  }
  std::size_t send_to(std::span<const std::byte> datagram, const SocketAddr& target) {
    return miocpp::detail::or_throw("miocpp::net::UdpSocket::send_to", [&](std::error_code& ec) {
      return send_to(datagram, target, ec);
    });
  }
  std::pair<std::size_t, SocketAddr> peek_from(std::span<std::byte> buffer) {
    return miocpp::detail::or_throw("miocpp::net::UdpSocket::peek_from",
                                    [&](std::error_code& ec) { return peek_from(buffer, ec); });
  }
  void connect(const SocketAddr& peer) {
    miocpp::detail::or_throw("miocpp::net::UdpSocket::connect",
                             [&](std::error_code& ec) { connect(peer, ec); });
  }
  std::size_t recv_batch(std::span<RecvDatagram> slots) {
    return miocpp::detail::or_throw("miocpp::net::UdpSocket::recv_batch",
                                    [&](std::error_code& ec) { return recv_batch(slots, ec); });
  }
  std::size_t send_batch(std::span<const SendDatagram> datagrams) {
    return miocpp::detail::or_throw("miocpp::net::UdpSocket::send_batch",
                                    [&](std::error_code& ec) { return send_batch(datagrams, ec); });
  }
  void set_gro(bool on) {
    set_option_or_throw<sys::option::Gro>("miocpp::net::set_gro", on);
  }
  [[nodiscard]] bool gro() const {
    return option_or_throw<sys::option::Gro>("miocpp::net::gro");
  }
  void set_segment_size(std::size_t size) {
    set_option_or_throw<sys::option::SegmentSize>("miocpp::net::set_segment_size", size);
  }
  [[nodiscard]] std::size_t segment_size() const {
    return option_or_throw<sys::option::SegmentSize>("miocpp::net::segment_size");
  }
  void set_receive_destination(bool on) {
    set_option_or_throw<sys::option::ReceiveDestination>("miocpp::net::set_receive_destination",
                                                         on);
  }
  [[nodiscard]] bool receive_destination() const {
    return option_or_throw<sys::option::ReceiveDestination>("miocpp::net::receive_destination");
  }
  void set_receive_ecn(bool on) {
    set_option_or_throw<sys::option::ReceiveEcn>("miocpp::net::set_receive_ecn", on);
  }
  [[nodiscard]] bool receive_ecn() const {
    return option_or_throw<sys::option::ReceiveEcn>("miocpp::net::receive_ecn");
  }
  void set_broadcast(bool on) {
    miocpp::detail::or_throw("miocpp::net::UdpSocket::set_broadcast",
                             [&](std::error_code& ec) { set_broadcast(on, ec); });
  }
  [[nodiscard]] bool broadcast() const {
    return miocpp::detail::or_throw("miocpp::net::UdpSocket::broadcast",
                                    [&](std::error_code& ec) { return broadcast(ec); });
  }
  void set_multicast_loop_v4(bool on) {
    miocpp::detail::or_throw("miocpp::net::UdpSocket::set_multicast_loop_v4",
                             [&](std::error_code& ec) { set_multicast_loop_v4(on, ec); });
  }
  [[nodiscard]] bool multicast_loop_v4() const {
    return miocpp::detail::or_throw("miocpp::net::UdpSocket::multicast_loop_v4",
                                    [&](std::error_code& ec) { return multicast_loop_v4(ec); });
  }
  void set_multicast_ttl_v4(std::uint32_t ttl) {
    miocpp::detail::or_throw("miocpp::net::UdpSocket::set_multicast_ttl_v4",
                             [&](std::error_code& ec) { set_multicast_ttl_v4(ttl, ec); });
  }
  [[nodiscard]] std::uint32_t multicast_ttl_v4() const {
    return miocpp::detail::or_throw("miocpp::net::UdpSocket::multicast_ttl_v4",
                                    [&](std::error_code& ec) { return multicast_ttl_v4(ec); });
  }
  void set_multicast_loop_v6(bool on) {
    miocpp::detail::or_throw("miocpp::net::UdpSocket::set_multicast_loop_v6",
                             [&](std::error_code& ec) { set_multicast_loop_v6(on, ec); });
  }
  [[nodiscard]] bool multicast_loop_v6() const {
    return miocpp::detail::or_throw("miocpp::net::UdpSocket::multicast_loop_v6",
                                    [&](std::error_code& ec) { return multicast_loop_v6(ec); });
  }
  void join_multicast_v4(const Ipv4Addr& group, const Ipv4Addr& interface_address) {
    miocpp::detail::or_throw("miocpp::net::UdpSocket::join_multicast_v4", [&](std::error_code& ec) {
      join_multicast_v4(group, interface_address, ec);
    });
  }
  void leave_multicast_v4(const Ipv4Addr& group, const Ipv4Addr& interface_address) {
    miocpp::detail::or_throw(
        "miocpp::net::UdpSocket::leave_multicast_v4",
        [&](std::error_code& ec) { leave_multicast_v4(group, interface_address, ec); });
  }
  void join_multicast_v6(const Ipv6Addr& group, std::uint32_t interface_index) {
    miocpp::detail::or_throw("miocpp::net::UdpSocket::join_multicast_v6", [&](std::error_code& ec) {
      join_multicast_v6(group, interface_index, ec);
    });
  }
  void leave_multicast_v6(const Ipv6Addr& group, std::uint32_t interface_index) {
    miocpp::detail::or_throw(
        "miocpp::net::UdpSocket::leave_multicast_v6",
        [&](std::error_code& ec) { leave_multicast_v6(group, interface_index, ec); });
  }
  void set_multicast_hops_v6(std::uint32_t hops) {
    set_option_or_throw<sys::option::MulticastHopsV6>("miocpp::net::set_multicast_hops_v6", hops);
  }
  [[nodiscard]] std::uint32_t multicast_hops_v6() const {
    return option_or_throw<sys::option::MulticastHopsV6>("miocpp::net::multicast_hops_v6");
  }
  void set_multicast_if_v4(const Ipv4Addr& interface_address) {
    set_option_or_throw<sys::option::MulticastIfV4>("miocpp::net::set_multicast_if_v4",
                                                    interface_address);
  }
  [[nodiscard]] Ipv4Addr multicast_if_v4() const {
    return option_or_throw<sys::option::MulticastIfV4>("miocpp::net::multicast_if_v4");
  }
  void set_multicast_if_v6(std::uint32_t interface_index) {
    set_option_or_throw<sys::option::MulticastIfV6>("miocpp::net::set_multicast_if_v6",
                                                    interface_index);
  }
  [[nodiscard]] std::uint32_t multicast_if_v6() const {
    return option_or_throw<sys::option::MulticastIfV6>("miocpp::net::multicast_if_v6");
  }
  /// @}
#endif

 private:
  explicit UdpSocket(sys::Socket socket) noexcept : DatagramSocket(std::move(socket)) {}
};

}  // namespace miocpp::net
