// SocketAddr: an IP address and a port.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>

#include "../detail/throw_error.hpp"
#include "ip_addr.hpp"

namespace miocpp::net {

/// An IPv4 or IPv6 socket address. IPv6 addresses also carry a flow label and a scope (the
/// interface index of a link-local address).
///
/// A plain value: no name resolution happens anywhere in miocpp (parse takes numeric addresses
/// only), and converting to the OS's sockaddr happens inside the calls that take one (see
/// net::to_sockaddr for your own socket calls). Hashable with `std::hash`.
class SocketAddr {
 public:
  /// 0.0.0.0:0
  constexpr SocketAddr() noexcept = default;
  /// `ip`:`port`, with flow label and scope 0.
  constexpr SocketAddr(IpAddr ip, std::uint16_t port) noexcept : ip_(ip), port_(port) {}
  /// An IPv6 address with its flow label (sin6_flowinfo) and scope (sin6_scope_id, the interface
  /// index a link-local address such as fe80::1 needs).
  constexpr SocketAddr(Ipv6Addr ip, std::uint16_t port, std::uint32_t flowinfo,
                       std::uint32_t scope_id) noexcept
      : ip_(ip), port_(port), flowinfo_(flowinfo), scope_id_(scope_id) {}

  /// Parses exactly `a.b.c.d:port`, `[ipv6]:port` or `[ipv6%%scope]:port` with a decimal port
  /// 0-65535 (digits only, no sign) and a numeric scope. Host names, unbracketed IPv6,
  /// missing ports and trailing characters give std::errc::invalid_argument.
  static SocketAddr parse(std::string_view text, std::error_code& ec) noexcept {
    SocketAddr address;
    if (!address.parse_into(text)) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return SocketAddr();
    }
    ec.clear();
    return address;
  }
#if MIOCPP_HAS_EXCEPTIONS
  /// parse(), throwing `std::system_error` (`std::errc::invalid_argument`) for text it refuses.
  static SocketAddr parse(std::string_view text) {
    return miocpp::detail::or_throw("miocpp::net::SocketAddr::parse",
                                    [&](std::error_code& ec) { return parse(text, ec); });
  }
#endif

  /// The IP address.
  [[nodiscard]] constexpr IpAddr ip() const noexcept {
    return ip_;
  }
  /// The port, in host byte order.
  [[nodiscard]] constexpr std::uint16_t port() const noexcept {
    return port_;
  }
  /// Whether the address is IPv4.
  [[nodiscard]] constexpr bool is_ipv4() const noexcept {
    return ip_.is_ipv4();
  }
  /// Whether the address is IPv6 (IPv4-mapped ones included).
  [[nodiscard]] constexpr bool is_ipv6() const noexcept {
    return ip_.is_ipv6();
  }
  /// IPv6 flow label (0 for IPv4).
  [[nodiscard]] constexpr std::uint32_t flowinfo() const noexcept {
    return flowinfo_;
  }
  /// IPv6 scope id, the interface index of a link-local address (0 for IPv4).
  [[nodiscard]] constexpr std::uint32_t scope_id() const noexcept {
    return scope_id_;
  }

  /// Replaces the IP address; an IPv4 one also clears the flow label and scope.
  constexpr void set_ip(IpAddr ip) noexcept {
    ip_ = ip;
    if (ip.is_ipv4()) {
      flowinfo_ = 0;
      scope_id_ = 0;
    }
  }
  /// Replaces the port.
  constexpr void set_port(std::uint16_t port) noexcept {
    port_ = port;
  }

  /// The form parse() accepts: `127.0.0.1:80`, `[::1]:80`, `[fe80::1%2]:80`.
  [[nodiscard]] std::string to_string() const {
    if (is_ipv4()) {
      return ip_.to_string() + ':' + std::to_string(port_);
    }
    std::string text = '[' + ip_.to_string();
    if (scope_id_ != 0) {
      text += '%' + std::to_string(scope_id_);
    }
    return text + "]:" + std::to_string(port_);
  }

  /// Equal when address, port, flow label and scope are.
  friend constexpr bool operator==(const SocketAddr&, const SocketAddr&) noexcept = default;
  /// Orders by address (every IPv4 before every IPv6), then port, flow label and scope.
  friend constexpr auto operator<=>(const SocketAddr&, const SocketAddr&) noexcept = default;
  /// Writes to_string().
  friend std::ostream& operator<<(std::ostream& os, const SocketAddr& address) {
    return os << address.to_string();
  }

 private:
  /// Decimal digits only (leading zeros allowed, as in a port "080"), value <= `max`.
  static constexpr bool parse_decimal(std::string_view text, std::uint32_t max,
                                      std::uint32_t& value) noexcept {
    if (text.empty()) {
      return false;
    }
    std::uint64_t result = 0;
    for (const char c : text) {
      if (c < '0' || c > '9') {
        return false;
      }
      result = result * 10 + static_cast<std::uint64_t>(c - '0');
      if (result > max) {
        return false;
      }
    }
    value = static_cast<std::uint32_t>(result);
    return true;
  }

  constexpr bool parse_into(std::string_view text) noexcept {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return false;
    }
    std::uint32_t port = 0;
    if (!parse_decimal(text.substr(colon + 1), 0xffff, port)) {
      return false;
    }
    port_ = static_cast<std::uint16_t>(port);
    std::string_view host = text.substr(0, colon);
    if (host.empty() || host.front() != '[') {
      std::array<std::uint8_t, 4> octets{};
      if (!detail::parse_ipv4(host, octets)) {
        return false;
      }
      ip_ = Ipv4Addr(octets);
      return true;
    }
    if (host.back() != ']') {
      return false;
    }
    host = host.substr(1, host.size() - 2);
    if (const std::size_t percent = host.find('%'); percent != std::string_view::npos) {
      if (!parse_decimal(host.substr(percent + 1), 0xffffffff, scope_id_)) {
        return false;
      }
      host = host.substr(0, percent);
    }
    std::array<std::uint8_t, 16> octets{};
    if (!detail::parse_ipv6(host, octets)) {
      return false;
    }
    ip_ = Ipv6Addr(octets);
    return true;
  }

  IpAddr ip_;
  std::uint16_t port_ = 0;
  std::uint32_t flowinfo_ = 0;
  std::uint32_t scope_id_ = 0;
};

}  // namespace miocpp::net

template <>
struct std::hash<miocpp::net::SocketAddr> {
  std::size_t operator()(const miocpp::net::SocketAddr& address) const noexcept {
    return std::hash<miocpp::net::IpAddr>{}(address.ip()) * 31 + address.port() +
           (static_cast<std::size_t>(address.scope_id()) << 17U);
  }
};
