// IP addresses: Ipv4Addr, Ipv6Addr and IpAddr (either one), with strict parsing and printing.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

#include "../detail/throw_error.hpp"
#include "detail/ip_text.hpp"

namespace miocpp::net {

/// An IPv4 address: four octets in network order.
///
/// A constexpr value type; parsing and printing are miocpp's own (strict, locale-free, the same
/// on every platform), not inet_pton's. Hashable with `std::hash`.
class Ipv4Addr {
 public:
  /// 0.0.0.0
  constexpr Ipv4Addr() noexcept = default;
  /// `a.b.c.d`: Ipv4Addr(127, 0, 0, 1) is the loopback address.
  constexpr Ipv4Addr(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept
      : octets_{a, b, c, d} {}
  /// From the four octets in network order (as in a sockaddr_in).
  constexpr explicit Ipv4Addr(const std::array<std::uint8_t, 4>& octets) noexcept
      : octets_(octets) {}

  /// 0.0.0.0 (INADDR_ANY): bound to it, a socket listens on every interface.
  static constexpr Ipv4Addr unspecified() noexcept { return {}; }
  /// 127.0.0.1.
  static constexpr Ipv4Addr localhost() noexcept { return {127, 0, 0, 1}; }
  /// 255.255.255.255, the limited broadcast address (see UdpSocket::set_broadcast).
  static constexpr Ipv4Addr broadcast() noexcept { return {255, 255, 255, 255}; }

  /// Parses dotted-quad text: exactly four decimal parts 0-255, no leading zeros, no spaces.
  /// Anything else gives std::errc::invalid_argument.
  static Ipv4Addr parse(std::string_view text, std::error_code& ec) noexcept {
    Ipv4Addr address;
    if (detail::parse_ipv4(text, address.octets_)) {
      ec.clear();
    } else {
      ec = std::make_error_code(std::errc::invalid_argument);
    }
    return address;
  }
#if MIOCPP_HAS_EXCEPTIONS
  /// parse(), throwing `std::system_error` (`std::errc::invalid_argument`) for text it refuses.
  static Ipv4Addr parse(std::string_view text) {
    return miocpp::detail::or_throw("miocpp::net::Ipv4Addr::parse",
                                    [&](std::error_code& ec) { return parse(text, ec); });
  }
#endif

  /// The four octets in network order.
  [[nodiscard]] constexpr const std::array<std::uint8_t, 4>& octets() const noexcept {
    return octets_;
  }
  /// The address as a host-order integer (127.0.0.1 is 0x7f000001).
  [[nodiscard]] constexpr std::uint32_t to_bits() const noexcept {
    return static_cast<std::uint32_t>(octets_[0]) << 24U |
           static_cast<std::uint32_t>(octets_[1]) << 16U |
           static_cast<std::uint32_t>(octets_[2]) << 8U | static_cast<std::uint32_t>(octets_[3]);
  }
  /// Whether this is 0.0.0.0.
  [[nodiscard]] constexpr bool is_unspecified() const noexcept {
    return to_bits() == 0;
  }
  /// Whether this is in 127.0.0.0/8.
  [[nodiscard]] constexpr bool is_loopback() const noexcept {
    return octets_[0] == 127;
  }
  /// Whether this is in 224.0.0.0/4 (see UdpSocket::join_multicast_v4).
  [[nodiscard]] constexpr bool is_multicast() const noexcept {
    return octets_[0] >= 224 && octets_[0] <= 239;
  }
  /// Whether this is 255.255.255.255.
  [[nodiscard]] constexpr bool is_broadcast() const noexcept {
    return to_bits() == 0xffffffffU;
  }

  /// Dotted-quad text, the form parse() accepts: `192.0.2.1`.
  [[nodiscard]] std::string to_string() const {
    return detail::format_ipv4(octets_);
  }

  /// Equal when the octets are.
  friend constexpr bool operator==(const Ipv4Addr&, const Ipv4Addr&) noexcept = default;
  /// Orders as the addresses' numeric values (to_bits()) do.
  friend constexpr auto operator<=>(const Ipv4Addr&, const Ipv4Addr&) noexcept = default;
  /// Writes to_string().
  friend std::ostream& operator<<(std::ostream& os, const Ipv4Addr& address) {
    return os << address.to_string();
  }

 private:
  std::array<std::uint8_t, 4> octets_{};
};

/// An IPv6 address: sixteen octets in network order.
///
/// A constexpr value type with strict parsing and RFC 5952 printing, like Ipv4Addr. The zone
/// (scope id) of a link-local address is not part of it but of SocketAddr. Hashable with
/// `std::hash`.
class Ipv6Addr {
 public:
  /// The unspecified address, `::`.
  constexpr Ipv6Addr() noexcept = default;
  /// From the sixteen octets in network order (as in a sockaddr_in6).
  constexpr explicit Ipv6Addr(const std::array<std::uint8_t, 16>& octets) noexcept
      : octets_(octets) {}
  /// From eight 16-bit groups, as written: Ipv6Addr(0xfe80, 0, 0, 0, 0, 0, 0, 1) is fe80::1.
  constexpr Ipv6Addr(std::uint16_t a, std::uint16_t b, std::uint16_t c, std::uint16_t d,
                     std::uint16_t e, std::uint16_t f, std::uint16_t g, std::uint16_t h) noexcept {
    const std::array<std::uint16_t, 8> groups{a, b, c, d, e, f, g, h};
    for (std::size_t i = 0; i < groups.size(); ++i) {
      octets_[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8U);
      octets_[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xffU);
    }
  }

  /// `::` (in6addr_any): bound to it, a socket listens on every interface (and, with only_v6
  /// off, for IPv4 too).
  static constexpr Ipv6Addr unspecified() noexcept { return {}; }
  /// `::1`.
  static constexpr Ipv6Addr localhost() noexcept { return {0, 0, 0, 0, 0, 0, 0, 1}; }

  /// Parses RFC 4291 text: hex groups with at most one `::`, optionally ending in a dotted quad
  /// (`::%ffff:192.0.2.1`). No brackets, no zone (`%%eth0`): those belong to SocketAddr. Anything
  /// else gives std::errc::invalid_argument.
  static Ipv6Addr parse(std::string_view text, std::error_code& ec) noexcept {
    Ipv6Addr address;
    if (detail::parse_ipv6(text, address.octets_)) {
      ec.clear();
    } else {
      ec = std::make_error_code(std::errc::invalid_argument);
    }
    return address;
  }
#if MIOCPP_HAS_EXCEPTIONS
  /// parse(), throwing `std::system_error` (`std::errc::invalid_argument`) for text it refuses.
  static Ipv6Addr parse(std::string_view text) {
    return miocpp::detail::or_throw("miocpp::net::Ipv6Addr::parse",
                                    [&](std::error_code& ec) { return parse(text, ec); });
  }
#endif

  /// The sixteen octets in network order.
  [[nodiscard]] constexpr const std::array<std::uint8_t, 16>& octets() const noexcept {
    return octets_;
  }
  /// The eight 16-bit groups, as written: fe80::1 is {0xfe80, 0, 0, 0, 0, 0, 0, 1}.
  [[nodiscard]] constexpr std::array<std::uint16_t, 8> segments() const noexcept {
    std::array<std::uint16_t, 8> groups{};
    for (std::size_t i = 0; i < groups.size(); ++i) {
      groups[i] = static_cast<std::uint16_t>(octets_[2 * i] << 8U | octets_[2 * i + 1]);
    }
    return groups;
  }
  /// Whether this is `::`.
  [[nodiscard]] constexpr bool is_unspecified() const noexcept {
    return *this == Ipv6Addr();
  }
  /// Whether this is `::1` (an IPv4-mapped loopback address is not).
  [[nodiscard]] constexpr bool is_loopback() const noexcept {
    return *this == localhost();
  }
  /// Whether this is in ff00::/8 (see UdpSocket::join_multicast_v6).
  [[nodiscard]] constexpr bool is_multicast() const noexcept {
    return octets_[0] == 0xff;
  }
  /// The IPv4 address of an IPv4-mapped address (`::%ffff:a.b.c.d`), else nullopt.
  [[nodiscard]] constexpr std::optional<Ipv4Addr> to_ipv4_mapped() const noexcept {
    for (std::size_t i = 0; i < 10; ++i) {
      if (octets_[i] != 0) {
        return std::nullopt;
      }
    }
    if (octets_[10] != 0xff || octets_[11] != 0xff) {
      return std::nullopt;
    }
    return Ipv4Addr(octets_[12], octets_[13], octets_[14], octets_[15]);
  }

  /// RFC 5952 text: lower-case hex, the longest run of zero groups as `::`, and IPv4-mapped
  /// addresses as `::%ffff:a.b.c.d`.
  [[nodiscard]] std::string to_string() const {
    return detail::format_ipv6(octets_);
  }

  /// Equal when the octets are.
  friend constexpr bool operator==(const Ipv6Addr&, const Ipv6Addr&) noexcept = default;
  /// Orders as the 128-bit numbers do.
  friend constexpr auto operator<=>(const Ipv6Addr&, const Ipv6Addr&) noexcept = default;
  /// Writes to_string().
  friend std::ostream& operator<<(std::ostream& os, const Ipv6Addr& address) {
    return os << address.to_string();
  }

 private:
  std::array<std::uint8_t, 16> octets_{};
};

/// Either an IPv4 or an IPv6 address. Every IPv4 address orders before every IPv6 address.
/// Hashable with `std::hash`.
class IpAddr {
 public:
  /// 0.0.0.0
  constexpr IpAddr() noexcept = default;
  /// An IPv4 address (implicit, so an Ipv4Addr goes wherever an IpAddr is taken).
  constexpr IpAddr(Ipv4Addr address) noexcept : address_(address) {}  // NOLINT(*-explicit-*)
  /// An IPv6 address (implicit, as for IPv4). An IPv4-mapped address stays IPv6.
  constexpr IpAddr(Ipv6Addr address) noexcept : address_(address) {}  // NOLINT(*-explicit-*)

  /// Parses either form (IPv6 without brackets); std::errc::invalid_argument otherwise.
  static IpAddr parse(std::string_view text, std::error_code& ec) noexcept {
    if (text.find(':') != std::string_view::npos) {
      return Ipv6Addr::parse(text, ec);
    }
    return Ipv4Addr::parse(text, ec);
  }
#if MIOCPP_HAS_EXCEPTIONS
  /// parse(), throwing `std::system_error` (`std::errc::invalid_argument`) for text it refuses.
  static IpAddr parse(std::string_view text) {
    return miocpp::detail::or_throw("miocpp::net::IpAddr::parse",
                                    [&](std::error_code& ec) { return parse(text, ec); });
  }
#endif

  /// Whether this holds an Ipv4Addr.
  [[nodiscard]] constexpr bool is_ipv4() const noexcept {
    return address_.index() == 0;
  }
  /// Whether this holds an Ipv6Addr.
  [[nodiscard]] constexpr bool is_ipv6() const noexcept {
    return address_.index() == 1;
  }
  /// The IPv4 address, or nullopt for an IPv6 one.
  [[nodiscard]] constexpr std::optional<Ipv4Addr> v4() const noexcept {
    // std::get after the index check, not std::get_if: g++ 12 cannot compare the address of a
    // temporary's member with null in a constant expression.
    if (is_ipv4()) {
      return std::get<Ipv4Addr>(address_);
    }
    return std::nullopt;
  }
  /// The IPv6 address, or nullopt for an IPv4 one.
  [[nodiscard]] constexpr std::optional<Ipv6Addr> v6() const noexcept {
    if (is_ipv6()) {
      return std::get<Ipv6Addr>(address_);
    }
    return std::nullopt;
  }
  /// The held address's is_unspecified().
  [[nodiscard]] constexpr bool is_unspecified() const noexcept {
    return std::visit([](const auto& address) { return address.is_unspecified(); }, address_);
  }
  /// The held address's is_loopback().
  [[nodiscard]] constexpr bool is_loopback() const noexcept {
    return std::visit([](const auto& address) { return address.is_loopback(); }, address_);
  }
  /// The held address's is_multicast().
  [[nodiscard]] constexpr bool is_multicast() const noexcept {
    return std::visit([](const auto& address) { return address.is_multicast(); }, address_);
  }

  /// The held address's to_string() (IPv6 without brackets).
  [[nodiscard]] std::string to_string() const {
    return std::visit([](const auto& address) { return address.to_string(); }, address_);
  }

  /// Equal when both hold the same family and address.
  friend constexpr bool operator==(const IpAddr&, const IpAddr&) noexcept = default;
  /// IPv4 before IPv6, then by address.
  friend constexpr auto operator<=>(const IpAddr&, const IpAddr&) noexcept = default;
  /// Writes to_string().
  friend std::ostream& operator<<(std::ostream& os, const IpAddr& address) {
    return os << address.to_string();
  }

 private:
  std::variant<Ipv4Addr, Ipv6Addr> address_;
};

}  // namespace miocpp::net

template <>
struct std::hash<miocpp::net::Ipv4Addr> {
  std::size_t operator()(const miocpp::net::Ipv4Addr& address) const noexcept {
    return std::hash<std::uint32_t>{}(address.to_bits());
  }
};

template <>
struct std::hash<miocpp::net::Ipv6Addr> {
  std::size_t operator()(const miocpp::net::Ipv6Addr& address) const noexcept {
    std::size_t combined = 0;
    for (const std::uint16_t group : address.segments()) {
      combined = combined * 31 + group;
    }
    return combined;
  }
};

template <>
struct std::hash<miocpp::net::IpAddr> {
  std::size_t operator()(const miocpp::net::IpAddr& address) const noexcept {
    if (const auto v4 = address.v4()) {
      return std::hash<miocpp::net::Ipv4Addr>{}(*v4);
    }
    return ~std::hash<miocpp::net::Ipv6Addr>{}(*address.v6());
  }
};
