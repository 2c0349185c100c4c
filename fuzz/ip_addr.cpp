// Ipv4Addr::parse, Ipv6Addr::parse and IpAddr::parse against the C library's inet_pton, and
// to_string against inet_ntop and by round trip (parse -> to_string -> parse gives the value
// back).
//
// The input is the text to parse. Its first 4 and 17 bytes are also read as raw addresses (see
// check_raw), so that printing meets addresses that fuzzed text rarely spells.
//
// Where miocpp and glibc's inet_pton/inet_ntop agree, the check is exact. They differ in one
// documented place: Ipv6Addr::to_string follows RFC 5952, which keeps the dotted quad for
// IPv4-mapped addresses only (::ffff:a.b.c.d), while glibc also prints a dotted quad for the
// deprecated IPv4-compatible form (the first 96 bits zero and the next 16 not: ::0.2.0.1 where
// miocpp prints ::2:1). expected_ipv6_text encodes exactly that rule.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

#include "support.hpp"
#include <miocpp/config.hpp>
#include <miocpp/net/ip_addr.hpp>

namespace {

using miocpp::net::IpAddr;
using miocpp::net::Ipv4Addr;
using miocpp::net::Ipv6Addr;
using miocpp_fuzz::libc_parse;
using miocpp_fuzz::libc_print;

std::string hex(std::uint16_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  bool leading = true;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const auto nibble = static_cast<unsigned>(value >> static_cast<unsigned>(shift)) & 0xfU;
    if (nibble == 0 && leading && shift != 0) {
      continue;
    }
    leading = false;
    text += digits[nibble];
  }
  return text;
}

/// What Ipv6Addr::to_string must print: inet_ntop's text, but for the IPv4-compatible form, where
/// RFC 5952 has no dotted quad (the zero run is 6 groups, so the text is "::" and two groups).
std::string expected_ipv6_text(const Ipv6Addr& address) {
  const std::array<std::uint16_t, 8> groups = address.segments();
  bool compatible = groups[6] != 0;
  for (std::size_t i = 0; i < 6; ++i) {
    compatible = compatible && groups[i] == 0;
  }
  if (compatible) {
    return "::" + hex(groups[6]) + ':' + hex(groups[7]);
  }
  return libc_print(address.octets());
}

/// Printing an address and parsing the text gives it back; the text is the expected one.
void check_printed(const Ipv4Addr& address) {
  const std::string text = address.to_string();
  MIOCPP_FUZZ_REQUIRE(text == libc_print(address.octets()));
  std::error_code ec;
  MIOCPP_FUZZ_REQUIRE(Ipv4Addr::parse(text, ec) == address && !ec);
  MIOCPP_FUZZ_REQUIRE(IpAddr::parse(text, ec) == IpAddr(address) && !ec);
}

void check_printed(const Ipv6Addr& address) {
  const std::string text = address.to_string();
  MIOCPP_FUZZ_REQUIRE(text == expected_ipv6_text(address));
  std::error_code ec;
  MIOCPP_FUZZ_REQUIRE(Ipv6Addr::parse(text, ec) == address && !ec);
  MIOCPP_FUZZ_REQUIRE(IpAddr::parse(text, ec) == IpAddr(address) && !ec);
  // The IPv4 address of an IPv4-mapped address is its last four octets.
  const auto& octets = address.octets();
  const bool mapped = octets[10] == 0xff && octets[11] == 0xff &&
                      std::all_of(octets.begin(), octets.begin() + 10,
                                  [](std::uint8_t octet) { return octet == 0; });
  const auto v4 = address.to_ipv4_mapped();
  MIOCPP_FUZZ_REQUIRE(v4.has_value() == mapped);
  MIOCPP_FUZZ_REQUIRE(!mapped || v4 == Ipv4Addr(octets[12], octets[13], octets[14], octets[15]));
}

/// `Address::parse` (Ipv4Addr, Ipv6Addr) accepts `text` exactly when inet_pton for `family` does,
/// with the same bytes, and what it accepts prints back as it should.
template <class Address, std::size_t Size>
void check_family(int family, const std::string& text) {
  std::array<std::uint8_t, Size> expected{};
  const bool valid = libc_parse(family, text, expected);
  std::error_code ec;
  const Address parsed = Address::parse(text, ec);
  MIOCPP_FUZZ_REQUIRE(!ec == valid);
  if (!valid) {
    MIOCPP_FUZZ_REQUIRE(ec == std::errc::invalid_argument);
    return;
  }
  MIOCPP_FUZZ_REQUIRE(parsed.octets() == expected);
  check_printed(parsed);
}

/// IpAddr takes either family; no text is both.
void check_ip(const std::string& text) {
  std::array<std::uint8_t, 4> v4{};
  std::array<std::uint8_t, 16> v6{};
  const bool is_v4 = libc_parse(AF_INET, text, v4);
  const bool is_v6 = libc_parse(AF_INET6, text, v6);
  std::error_code ec;
  const IpAddr parsed = IpAddr::parse(text, ec);
  MIOCPP_FUZZ_REQUIRE(!ec == (is_v4 || is_v6));
  if (ec) {
    MIOCPP_FUZZ_REQUIRE(ec == std::errc::invalid_argument);
  } else {
    MIOCPP_FUZZ_REQUIRE(parsed == (is_v4 ? IpAddr(Ipv4Addr(v4)) : IpAddr(Ipv6Addr(v6))));
    MIOCPP_FUZZ_REQUIRE(IpAddr::parse(parsed.to_string(), ec) == parsed && !ec);
  }
#if MIOCPP_HAS_EXCEPTIONS
  // The throwing overload throws exactly what the other one reports.
  try {
    MIOCPP_FUZZ_REQUIRE(IpAddr::parse(text) == parsed);
    MIOCPP_FUZZ_REQUIRE(!ec);
  } catch (const std::system_error& error) {
    MIOCPP_FUZZ_REQUIRE(error.code() == ec);
  }
#endif
}

/// Bytes 0-3 as an IPv4 address, and bytes 0-15 as an IPv6 address whose groups are zeroed
/// where byte 16 has a bit set: zero runs are what IPv6 printing is about, and random bytes
/// seldom hold one.
void check_raw(miocpp_fuzz::Input input) {
  std::array<std::uint8_t, 16> octets{};
  input.copy_to(octets.data(), octets.size());
  const std::uint8_t zeroed = input.byte();
  check_printed(Ipv4Addr(octets[0], octets[1], octets[2], octets[3]));
  for (std::size_t group = 0; group < 8; ++group) {
    if ((zeroed >> group & 1U) != 0) {
      octets[2 * group] = 0;
      octets[2 * group + 1] = 0;
    }
  }
  check_printed(Ipv6Addr(octets));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = miocpp_fuzz::text_of(data, size);
  check_family<Ipv4Addr, 4>(AF_INET, text);
  check_family<Ipv6Addr, 16>(AF_INET6, text);
  check_ip(text);
  check_raw(miocpp_fuzz::Input(data, size));
  return 0;
}
