// IpSocketBase: what TCP and UDP sockets share -- an IP local address and the options of the IP
// layer and of binding (address reuse, IPv6-only, TTL and hop limits, TOS, device, mark).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "../detail/throw_error.hpp"
#include "../sys/option.hpp"
#include "../sys/sys.hpp"
#include "socket_addr.hpp"
#include "socket_base.hpp"

namespace miocpp::net {

/// The base of TcpSocket, TcpListener, TcpStream and UdpSocket: a socket with an IP address.
///
/// Options the OS lacks report `std::errc::not_supported` (every one on WASI preview 1, which has
/// no call for them); values the option cannot hold report `std::errc::invalid_argument` before
/// the OS sees them.
class IpSocketBase : public SocketBase {
 public:
  using SocketBase::SocketBase;

  /// The address the socket is bound to (with the port the OS picked for port 0). An unbound
  /// socket reports the unspecified address on POSIX systems; Windows refuses to answer for one
  /// (`std::errc::invalid_argument`). WASI preview 1 reports `std::errc::not_supported`.
  [[nodiscard]] SocketAddr local_addr(std::error_code& ec) const noexcept {
    return sys::Sockets::local_addr(native_handle(), ec);
  }

  /// SO_REUSEADDR: bind a port that connections in TIME_WAIT still use (set before bind).
  /// TcpListener::bind sets it on POSIX systems. On Windows it also lets another socket bind the
  /// same address and take its traffic, so Windows servers leave it off: there a port in
  /// TIME_WAIT is reusable without it, and SO_EXCLUSIVEADDRUSE is the guard against theft.
  void set_reuse_address(bool on, std::error_code& ec) noexcept {
    set_option<sys::option::ReuseAddress>(on, ec);
  }
  /// Whether SO_REUSEADDR is set.
  [[nodiscard]] bool reuse_address(std::error_code& ec) const noexcept {
    return option<sys::option::ReuseAddress>(ec);
  }

  /// SO_REUSEPORT: several sockets (of the same user) bind the same address and port, set on
  /// each before bind; the kernel spreads incoming connections and datagrams over them (Linux;
  /// FreeBSD through SO_REUSEPORT_LB). Other BSDs and Apple systems share the port without
  /// balancing. Windows has no such option: `std::errc::not_supported`.
  void set_reuse_port(bool on, std::error_code& ec) noexcept {
    set_option<sys::option::ReusePort>(on, ec);
  }
  /// Whether SO_REUSEPORT is set.
  [[nodiscard]] bool reuse_port(std::error_code& ec) const noexcept {
    return option<sys::option::ReusePort>(ec);
  }

  /// IPV6_V6ONLY: whether an IPv6 socket is kept from IPv4 (IPv4-mapped) traffic. It only counts
  /// before bind, and the OS may refuse it after (Linux: `std::errc::invalid_argument`), so set it
  /// on a TcpSocket; TcpListener::bind and UdpSocket::bind bind at once (for UDP, adopt a socket
  /// configured yourself with from_native). Off by default on Linux (net.ipv6.bindv6only), on by
  /// default on Windows and the BSDs; Linux turns it on by itself for a socket bound to a specific
  /// IPv6 address, which could never carry IPv4 (and for the streams such a listener accepts). An
  /// IPv4 socket reports an error (the OS's: `std::errc::no_protocol_option` or
  /// `invalid_argument`).
  void set_only_v6(bool on, std::error_code& ec) noexcept {
    set_option<sys::option::OnlyV6>(on, ec);
  }
  /// Whether IPV6_V6ONLY is set.
  [[nodiscard]] bool only_v6(std::error_code& ec) const noexcept {
    return option<sys::option::OnlyV6>(ec);
  }

  /// IP_TTL: the time-to-live of outgoing IPv4 packets (on a listener: of the connections it
  /// accepts). Above 255 is `std::errc::invalid_argument` on every system, before the OS sees it;
  /// 0 is the OS's to judge (Linux refuses it, the BSDs take it).
  void set_ttl(std::uint32_t ttl, std::error_code& ec) noexcept {
    set_option<sys::option::Ttl>(ttl, ec);
  }
  /// IP_TTL as set by set_ttl (or the system default, typically 64).
  [[nodiscard]] std::uint32_t ttl(std::error_code& ec) const noexcept {
    return option<sys::option::Ttl>(ec);
  }

  /// IPV6_UNICAST_HOPS: the hop limit of outgoing IPv6 packets (IPv6 sockets), 0 to 255.
  void set_unicast_hops_v6(std::uint32_t hops, std::error_code& ec) noexcept {
    set_option<sys::option::UnicastHopsV6>(hops, ec);
  }
  /// IPV6_UNICAST_HOPS as set, or the system default (typically 64).
  [[nodiscard]] std::uint32_t unicast_hops_v6(std::error_code& ec) const noexcept {
    return option<sys::option::UnicastHopsV6>(ec);
  }

  /// IP_TOS: the type-of-service byte (DSCP and ECN) of outgoing IPv4 packets, 0 to 255. The OS
  /// may mask bits it keeps for itself (Linux: ECN on TCP).
  void set_tos(std::uint32_t tos, std::error_code& ec) noexcept {
    set_option<sys::option::Tos>(tos, ec);
  }
  /// IP_TOS as the OS keeps it.
  [[nodiscard]] std::uint32_t tos(std::error_code& ec) const noexcept {
    return option<sys::option::Tos>(ec);
  }

  /// IPV6_TCLASS: the traffic class of outgoing IPv6 packets (IPv6 sockets), 0 to 255.
  void set_tclass_v6(std::uint32_t tclass, std::error_code& ec) noexcept {
    set_option<sys::option::TclassV6>(tclass, ec);
  }
  /// IPV6_TCLASS as the OS keeps it.
  [[nodiscard]] std::uint32_t tclass_v6(std::error_code& ec) const noexcept {
    return option<sys::option::TclassV6>(ec);
  }

  /// SO_BINDTODEVICE (Linux): send and receive only through the interface `name` ("lo", "eth0");
  /// an empty name undoes it. Needs CAP_NET_RAW on kernels before 5.7. A name longer than the
  /// kernel's 15 characters is `std::errc::invalid_argument`; elsewhere `not_supported`.
  void set_bind_device(std::string_view name, std::error_code& ec) noexcept {
    set_option<sys::option::BindDevice>(name, ec);
  }
  /// The interface set by set_bind_device, empty for none.
  [[nodiscard]] std::string bind_device(std::error_code& ec) const noexcept {
    return option<sys::option::BindDevice>(ec);
  }

  /// SO_MARK (Linux): the mark routing rules and netfilter see on its packets. Setting it takes
  /// CAP_NET_ADMIN (or CAP_NET_RAW on recent kernels); without, `operation_not_permitted`.
  void set_mark(std::uint32_t mark, std::error_code& ec) noexcept {
    set_option<sys::option::Mark>(mark, ec);
  }
  /// SO_MARK as set (0 by default).
  [[nodiscard]] std::uint32_t mark(std::error_code& ec) const noexcept {
    return option<sys::option::Mark>(ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports.
  [[nodiscard]] SocketAddr local_addr() const {
    return miocpp::detail::or_throw("miocpp::net::local_addr",
                                    [&](std::error_code& ec) { return local_addr(ec); });
  }
  void set_reuse_address(bool on) {
    set_option_or_throw<sys::option::ReuseAddress>("miocpp::net::set_reuse_address", on);
  }
  [[nodiscard]] bool reuse_address() const {
    return option_or_throw<sys::option::ReuseAddress>("miocpp::net::reuse_address");
  }
  void set_reuse_port(bool on) {
    set_option_or_throw<sys::option::ReusePort>("miocpp::net::set_reuse_port", on);
  }
  [[nodiscard]] bool reuse_port() const {
    return option_or_throw<sys::option::ReusePort>("miocpp::net::reuse_port");
  }
  void set_only_v6(bool on) {
    set_option_or_throw<sys::option::OnlyV6>("miocpp::net::set_only_v6", on);
  }
  [[nodiscard]] bool only_v6() const {
    return option_or_throw<sys::option::OnlyV6>("miocpp::net::only_v6");
  }
  void set_ttl(std::uint32_t ttl) {
    set_option_or_throw<sys::option::Ttl>("miocpp::net::set_ttl", ttl);
  }
  [[nodiscard]] std::uint32_t ttl() const {
    return option_or_throw<sys::option::Ttl>("miocpp::net::ttl");
  }
  void set_unicast_hops_v6(std::uint32_t hops) {
    set_option_or_throw<sys::option::UnicastHopsV6>("miocpp::net::set_unicast_hops_v6", hops);
  }
  [[nodiscard]] std::uint32_t unicast_hops_v6() const {
    return option_or_throw<sys::option::UnicastHopsV6>("miocpp::net::unicast_hops_v6");
  }
  void set_tos(std::uint32_t tos) {
    set_option_or_throw<sys::option::Tos>("miocpp::net::set_tos", tos);
  }
  [[nodiscard]] std::uint32_t tos() const {
    return option_or_throw<sys::option::Tos>("miocpp::net::tos");
  }
  void set_tclass_v6(std::uint32_t tclass) {
    set_option_or_throw<sys::option::TclassV6>("miocpp::net::set_tclass_v6", tclass);
  }
  [[nodiscard]] std::uint32_t tclass_v6() const {
    return option_or_throw<sys::option::TclassV6>("miocpp::net::tclass_v6");
  }
  void set_bind_device(std::string_view name) {
    set_option_or_throw<sys::option::BindDevice>("miocpp::net::set_bind_device", name);
  }
  [[nodiscard]] std::string bind_device() const {
    return option_or_throw<sys::option::BindDevice>("miocpp::net::bind_device");
  }
  void set_mark(std::uint32_t mark) {
    set_option_or_throw<sys::option::Mark>("miocpp::net::set_mark", mark);
  }
  [[nodiscard]] std::uint32_t mark() const {
    return option_or_throw<sys::option::Mark>("miocpp::net::mark");
  }
  /// @}
#endif
};

}  // namespace miocpp::net
