// Ipv4Addr, Ipv6Addr, IpAddr and SocketAddr: strict parsing, RFC 5952 printing, round trips,
// comparison, hashing, the address classes and constexpr use.
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "support/text.hpp"
#include <miocpp/net/ip_addr.hpp>
#include <miocpp/net/socket_addr.hpp>

namespace {

using miocpp::net::IpAddr;
using miocpp::net::Ipv4Addr;
using miocpp::net::Ipv6Addr;
using miocpp::net::SocketAddr;
using namespace std::string_view_literals;

// ---- Compile-time checks ------------------------------------------------------------------------

static_assert(std::is_nothrow_default_constructible_v<SocketAddr>);
static_assert(std::is_trivially_copyable_v<Ipv4Addr> && std::is_trivially_copyable_v<Ipv6Addr>);
static_assert(std::is_trivially_copyable_v<SocketAddr>);

static_assert(Ipv4Addr() == Ipv4Addr::unspecified());
static_assert(Ipv4Addr::localhost().to_bits() == 0x7f000001U);
static_assert(Ipv4Addr(10, 1, 2, 3).octets() == std::array<std::uint8_t, 4>{10, 1, 2, 3});
static_assert(Ipv4Addr::localhost().is_loopback() && Ipv4Addr(127, 255, 0, 9).is_loopback());
static_assert(!Ipv4Addr(128, 0, 0, 1).is_loopback());
static_assert(Ipv4Addr(224, 0, 0, 1).is_multicast() && Ipv4Addr(239, 255, 255, 255).is_multicast());
static_assert(!Ipv4Addr(223, 255, 255, 255).is_multicast() &&
              !Ipv4Addr(240, 0, 0, 0).is_multicast());
static_assert(Ipv4Addr::broadcast().is_broadcast() && Ipv4Addr().is_unspecified());
static_assert(Ipv4Addr(1, 2, 3, 4) < Ipv4Addr(1, 2, 3, 5) &&
              Ipv4Addr(1, 2, 3, 255) < Ipv4Addr(1, 2, 4, 0));

static_assert(Ipv6Addr() == Ipv6Addr::unspecified() && Ipv6Addr().is_unspecified());
static_assert(Ipv6Addr::localhost().is_loopback() &&
              !Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 2).is_loopback());
static_assert(Ipv6Addr(0xff02, 0, 0, 0, 0, 0, 0, 1).is_multicast());
static_assert(!Ipv6Addr(0xfe80, 0, 0, 0, 0, 0, 0, 1).is_multicast());
static_assert(Ipv6Addr(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).segments() ==
              std::array<std::uint16_t, 8>{0x2001, 0xdb8, 0, 0, 0, 0, 0, 1});
static_assert(Ipv6Addr(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).octets()[0] == 0x20 &&
              Ipv6Addr(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).octets()[3] == 0xb8 &&
              Ipv6Addr(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).octets()[15] == 0x01);
static_assert(Ipv6Addr(0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304).to_ipv4_mapped() ==
              Ipv4Addr(1, 2, 3, 4));
static_assert(!Ipv6Addr(0, 0, 0, 0, 0, 0, 0x0102, 0x0304).to_ipv4_mapped().has_value());

static_assert(IpAddr().is_ipv4() && IpAddr().v4() == Ipv4Addr() && !IpAddr().v6());
static_assert(IpAddr(Ipv6Addr::localhost()).is_ipv6() &&
              IpAddr(Ipv6Addr::localhost()).is_loopback());
static_assert(IpAddr(Ipv4Addr::broadcast()) < IpAddr(Ipv6Addr()));
static_assert(IpAddr(Ipv4Addr::localhost()) != IpAddr(Ipv6Addr::localhost()));

constexpr SocketAddr constexpr_address(Ipv4Addr::localhost(), 8080);
static_assert(constexpr_address.port() == 8080 && constexpr_address.is_ipv4());
static_assert(constexpr_address.ip() == IpAddr(Ipv4Addr(127, 0, 0, 1)));
static_assert(SocketAddr() == SocketAddr(Ipv4Addr(), 0));
static_assert(SocketAddr(Ipv4Addr::localhost(), 1) < SocketAddr(Ipv4Addr::localhost(), 2));
static_assert(SocketAddr(Ipv6Addr::localhost(), 80, 0, 3).scope_id() == 3);
static_assert([] {
  SocketAddr address(Ipv6Addr::localhost(), 1, 7, 9);
  address.set_port(2);
  address.set_ip(Ipv4Addr::localhost());
  return address.port() == 2 && address.is_ipv4() && address.scope_id() == 0 &&
         address.flowinfo() == 0;
}());

// ---- Helpers ------------------------------------------------------------------------------------

/// A small deterministic generator (splitmix64), so the round trips cover many values and any
/// failure reproduces.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31U);
  }
  std::uint8_t byte() { return static_cast<std::uint8_t>(next() & 0xffU); }
  std::uint16_t group() {
    // Half the groups are zero, so that zero runs of every length and position appear.
    const std::uint64_t value = next();
    return (value & 1U) != 0 ? std::uint16_t{0} : static_cast<std::uint16_t>(value >> 16U);
  }

 private:
  std::uint64_t state_;
};

Ipv6Addr from_groups(const std::array<std::uint16_t, 8>& g) {
  return {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]};
}

/// Whether a hex group of IPv6 text has a leading zero ("0db8"), which RFC 5952 forbids.
bool has_group_with_leading_zero(std::string_view text) {
  while (!text.empty()) {
    const std::size_t colon = text.find(':');
    const std::string_view group = text.substr(0, colon);
    if (group.size() > 1 && group.front() == '0' && group.find('.') == std::string_view::npos) {
      return true;
    }
    if (colon == std::string_view::npos) {
      break;
    }
    text.remove_prefix(colon + 1);
  }
  return false;
}

// ---- Ipv4Addr -----------------------------------------------------------------------------------

TEST(SocketAddrIpv4Addr, ParsesDottedQuads) {
  struct Case {
    std::string_view text;
    std::array<std::uint8_t, 4> octets;
  };
  const std::array cases{
      Case{"0.0.0.0", {0, 0, 0, 0}},
      Case{"127.0.0.1", {127, 0, 0, 1}},
      Case{"255.255.255.255", {255, 255, 255, 255}},
      Case{"1.2.3.4", {1, 2, 3, 4}},
      Case{"10.0.100.200", {10, 0, 100, 200}},
      Case{"192.168.1.10", {192, 168, 1, 10}},
      Case{"9.99.199.249", {9, 99, 199, 249}},
      Case{"250.251.252.253", {250, 251, 252, 253}},
  };
  for (const Case& c : cases) {
    std::error_code ec = std::make_error_code(std::errc::io_error);
    const Ipv4Addr address = Ipv4Addr::parse(c.text, ec);
    EXPECT_FALSE(ec) << c.text << ": " << ec.message();
    EXPECT_EQ(address.octets(), c.octets) << c.text;
    EXPECT_EQ(address.to_string(), c.text);
  }
}

TEST(SocketAddrIpv4Addr, RejectsEverythingElse) {
  const std::array rejected{
      ""sv,
      "1"sv,
      "1.2"sv,
      "1.2.3"sv,
      "1.2.3.4.5"sv,
      "256.0.0.0"sv,
      "1.2.3.256"sv,
      "1.2.3.1000"sv,
      "1234.1.1.1"sv,
      "01.2.3.4"sv,
      "1.2.3.04"sv,
      "00.0.0.0"sv,
      "1.02.3.4"sv,
      "1..2.3"sv,
      ".1.2.3"sv,
      "1.2.3."sv,
      "1.2.3.4."sv,
      " 1.2.3.4"sv,
      "1.2.3.4 "sv,
      "1.2 .3.4"sv,
      "a.b.c.d"sv,
      "1.2.3.x"sv,
      "0x1.2.3.4"sv,
      "+1.2.3.4"sv,
      "1.2.3.-4"sv,
      "1.2.3.4:80"sv,
      "::1"sv,
      "localhost"sv,
      "1.2.3.4/24"sv,
      "1,2,3,4"sv,
      "1.2.3.4\0"sv,
      "\0"sv
      "1.2.3.4"sv,
      "999.999.999.999"sv,
      "...."sv,
  };
  for (const std::string_view text : rejected) {
    std::error_code ec;
    (void)Ipv4Addr::parse(text, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << "accepted \"" << text << '"';
  }
}

TEST(SocketAddrIpv4Addr, BitsClassesAndConstants) {
  EXPECT_EQ(Ipv4Addr(192, 168, 0, 1).to_bits(), 0xc0a80001U);
  EXPECT_EQ(Ipv4Addr::broadcast().to_string(), "255.255.255.255");
  EXPECT_EQ(Ipv4Addr::localhost().to_string(), "127.0.0.1");
  EXPECT_EQ(Ipv4Addr::unspecified().to_string(), "0.0.0.0");
  EXPECT_TRUE(Ipv4Addr(127, 1, 2, 3).is_loopback());
  EXPECT_FALSE(Ipv4Addr(126, 255, 255, 255).is_loopback());
  EXPECT_TRUE(Ipv4Addr(230, 1, 1, 1).is_multicast());
  EXPECT_FALSE(Ipv4Addr(0, 0, 0, 1).is_unspecified());
  EXPECT_EQ(Ipv4Addr(std::array<std::uint8_t, 4>{8, 8, 4, 4}), Ipv4Addr(8, 8, 4, 4));
  EXPECT_EQ(test::printed(Ipv4Addr(8, 8, 4, 4)), "8.8.4.4");
}

TEST(SocketAddrIpv4Addr, RoundTripsAndOrdersByValue) {
  Generator random(4);
  std::vector<Ipv4Addr> addresses;
  for (int i = 0; i < 2000; ++i) {
    const Ipv4Addr address(random.byte(), random.byte(), random.byte(), random.byte());
    std::error_code ec;
    EXPECT_EQ(Ipv4Addr::parse(address.to_string(), ec), address) << address;
    EXPECT_FALSE(ec) << address;
    addresses.push_back(address);
  }
  for (std::size_t i = 1; i < addresses.size(); ++i) {
    const Ipv4Addr& a = addresses[i - 1];
    const Ipv4Addr& b = addresses[i];
    EXPECT_EQ(a <=> b, a.to_bits() <=> b.to_bits()) << a << " vs " << b;
    EXPECT_EQ(a == b, a.to_bits() == b.to_bits());
  }
}

// ---- Ipv6Addr -----------------------------------------------------------------------------------

TEST(SocketAddrIpv6Addr, ParsesEveryTextForm) {
  struct Case {
    std::string_view text;
    Ipv6Addr address;
  };
  const std::array cases{
      Case{"::", Ipv6Addr()},
      Case{"::1", Ipv6Addr::localhost()},
      Case{"1::", {1, 0, 0, 0, 0, 0, 0, 0}},
      Case{"1::8", {1, 0, 0, 0, 0, 0, 0, 8}},
      Case{"1:2:3:4:5:6:7:8", {1, 2, 3, 4, 5, 6, 7, 8}},
      Case{"1::3:4:5:6:7:8", {1, 0, 3, 4, 5, 6, 7, 8}},
      Case{"1:2:3:4:5:6:7::", {1, 2, 3, 4, 5, 6, 7, 0}},
      Case{"::2:3:4:5:6:7:8", {0, 2, 3, 4, 5, 6, 7, 8}},
      Case{"0:0:0:0:0:0:0:0", Ipv6Addr()},
      Case{"2001:db8::1", {0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}},
      Case{"2001:0DB8:0000:0000:0000:0000:0000:0001", {0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}},
      Case{"FE80::AbCd", {0xfe80, 0, 0, 0, 0, 0, 0, 0xabcd}},
      Case{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
           {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}},
      Case{"::ffff:1.2.3.4", {0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}},
      Case{"::1.2.3.4", {0, 0, 0, 0, 0, 0, 0x0102, 0x0304}},
      Case{"64:ff9b::192.0.2.33", {0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221}},
      Case{"1:2:3:4:5:6:255.255.255.255", {1, 2, 3, 4, 5, 6, 0xffff, 0xffff}},
      Case{"1::6:7.8.9.10", {1, 0, 0, 0, 0, 6, 0x0708, 0x090a}},
      Case{"0001:02:003:0004::", {1, 2, 3, 4, 0, 0, 0, 0}},
  };
  for (const Case& c : cases) {
    std::error_code ec = std::make_error_code(std::errc::io_error);
    EXPECT_EQ(Ipv6Addr::parse(c.text, ec), c.address) << c.text;
    EXPECT_FALSE(ec) << c.text << ": " << ec.message();
  }
}

TEST(SocketAddrIpv6Addr, RejectsMalformedText) {
  const std::array rejected{
      ""sv,
      ":"sv,
      ":::"sv,
      "::::"sv,
      "1:::2"sv,
      "1::2::3"sv,
      "::1::"sv,
      "::1:2::"sv,
      "1:2:3:4:5:6:7"sv,        // too few groups
      "1:2:3:4:5:6:7:8:9"sv,    // too many groups
      "1:2:3:4:5:6:7:8::"sv,    // eight groups and a gap
      "::1:2:3:4:5:6:7:8"sv,    // likewise
      "1:2:3:4::5:6:7:8"sv,     // likewise
      "12345::"sv,              // five-digit group
      "1:2:3:4:5:6:7:00000"sv,  // likewise, with zeros
      ":1:2:3:4:5:6:7:8"sv,     // stray colons
      "1:2:3:4:5:6:7:8:"sv,
      ":1::"sv,
      "1::2:"sv,
      "::1:"sv,
      ":1::2"sv,
      "1:"sv,
      ":1"sv,
      "g::"sv,
      "::x"sv,
      "1:2:3:4:5:6:7:-8"sv,
      "+1::"sv,
      "0x1::"sv,
      " ::1"sv,
      "::1 "sv,
      "::1%1"sv,  // scopes belong to SocketAddr
      "[::1]"sv,
      "1.2.3.4"sv,  // IPv4 alone is not IPv6
      "::1.2.3"sv,
      "::256.1.1.1"sv,
      "::01.2.3.4"sv,
      "::ffff:1.2.3.4.5"sv,
      "::1.2.3.4:5"sv,  // the dotted quad must come last
      "1.2.3.4::"sv,
      "1:2:3:4:5:6:7:1.2.3.4"sv,  // nine groups' worth
      "1:2:3:4:5:6:7::1.2.3.4"sv,
      "::1\0"sv,
      "localhost"sv,
  };
  for (const std::string_view text : rejected) {
    std::error_code ec;
    (void)Ipv6Addr::parse(text, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << "accepted \"" << text << '"';
  }
}

TEST(SocketAddrIpv6Addr, PrintsRfc5952Text) {
  struct Case {
    Ipv6Addr address;
    std::string_view text;
  };
  const std::array cases{
      Case{Ipv6Addr(), "::"},
      Case{Ipv6Addr::localhost(), "::1"},
      Case{{1, 0, 0, 0, 0, 0, 0, 0}, "1::"},
      Case{{1, 0, 0, 0, 0, 0, 0, 1}, "1::1"},
      Case{{0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}, "2001:db8::1"},
      // Leading zeros of a group go, lower case throughout.
      Case{{0x2001, 0x0db8, 0x00ab, 0x000c, 0xABCD, 0x0100, 0x1000, 0x0010},
           "2001:db8:ab:c:abcd:100:1000:10"},
      // A single zero group is never "::".
      Case{{0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}, "2001:db8:0:1:1:1:1:1"},
      Case{{1, 2, 3, 4, 5, 6, 7, 0}, "1:2:3:4:5:6:7:0"},
      Case{{0, 2, 3, 4, 5, 6, 7, 8}, "0:2:3:4:5:6:7:8"},
      // The longest run wins, wherever it is.
      Case{{0x2001, 0xdb8, 0, 1, 0, 0, 0, 1}, "2001:db8:0:1::1"},
      Case{{1, 0, 0, 2, 0, 0, 0, 3}, "1:0:0:2::3"},
      Case{{0, 0, 1, 0, 0, 0, 0, 0}, "0:0:1::"},
      // On a tie, the first run.
      Case{{0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}, "2001:db8::1:0:0:1"},
      Case{{0x20, 0, 0, 0x30, 0, 0, 0x40, 0}, "20::30:0:0:40:0"},
      Case{{0, 0, 0, 1, 0, 0, 0, 1}, "::1:0:0:0:1"},
      // IPv4-mapped addresses keep their dotted quad; other embeddings do not.
      Case{{0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}, "::ffff:1.2.3.4"},
      Case{{0, 0, 0, 0, 0, 0xffff, 0, 0}, "::ffff:0.0.0.0"},
      Case{{0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0101}, "::ffff:192.168.1.1"},
      Case{{0, 0, 0, 0, 0, 0, 0x0102, 0x0304}, "::102:304"},
      Case{{0, 0, 0, 0, 1, 0xffff, 0x0102, 0x0304}, "::1:ffff:102:304"},
      Case{{0xff02, 0, 0, 0, 0, 0, 0, 0xfb}, "ff02::fb"},
      Case{{0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff},
           "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.address.to_string(), c.text);
    EXPECT_EQ(test::printed(c.address), c.text);
    EXPECT_EQ(IpAddr(c.address).to_string(), c.text);
    std::error_code ec;
    EXPECT_EQ(Ipv6Addr::parse(c.text, ec), c.address) << c.text;
  }
}

TEST(SocketAddrIpv6Addr, RoundTripsManyAddresses) {
  Generator random(6);
  for (int i = 0; i < 5000; ++i) {
    std::array<std::uint16_t, 8> groups{};
    for (std::uint16_t& group : groups) {
      group = random.group();
    }
    if (i % 10 == 0) {  // and some IPv4-mapped ones
      groups = {0, 0, 0, 0, 0, 0xffff, random.group(), random.group()};
    }
    const Ipv6Addr address = from_groups(groups);
    EXPECT_EQ(address.segments(), groups);
    const std::string text = address.to_string();
    std::error_code ec;
    EXPECT_EQ(Ipv6Addr::parse(text, ec), address) << text;
    EXPECT_FALSE(ec) << text;
    // RFC 5952: no upper case, no leading zero in a group, at most one "::".
    EXPECT_EQ(text.find_first_of("ABCDEF"), std::string::npos) << text;
    EXPECT_FALSE(has_group_with_leading_zero(text)) << text;
    const std::size_t gap = text.find("::");
    if (gap != std::string::npos) {
      EXPECT_EQ(text.find("::", gap + 1), std::string::npos) << text;
    }
  }
}

TEST(SocketAddrIpv6Addr, OctetsSegmentsAndClasses) {
  const Ipv6Addr address(0x2001, 0xdb8, 0x85a3, 0, 0, 0x8a2e, 0x370, 0x7334);
  const std::array<std::uint8_t, 16> octets{0x20, 0x01, 0x0d, 0xb8, 0x85, 0xa3, 0,    0,
                                            0,    0,    0x8a, 0x2e, 0x03, 0x70, 0x73, 0x34};
  EXPECT_EQ(address.octets(), octets);
  EXPECT_EQ(Ipv6Addr(octets), address);
  EXPECT_EQ(address.to_string(), "2001:db8:85a3::8a2e:370:7334");

  EXPECT_TRUE(Ipv6Addr::localhost().is_loopback());
  EXPECT_FALSE(Ipv6Addr(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1).is_loopback());  // ::ffff:127.0.0.1
  EXPECT_TRUE(Ipv6Addr::unspecified().is_unspecified());
  EXPECT_FALSE(Ipv6Addr::localhost().is_unspecified());
  EXPECT_TRUE(Ipv6Addr(0xff00, 0, 0, 0, 0, 0, 0, 0).is_multicast());
  EXPECT_FALSE(Ipv6Addr(0xfeff, 0, 0, 0, 0, 0, 0, 0).is_multicast());
  EXPECT_EQ(Ipv6Addr(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201).to_ipv4_mapped(),
            Ipv4Addr(192, 0, 2, 1));
  EXPECT_FALSE(Ipv6Addr(0, 0, 0, 0, 1, 0xffff, 0xc000, 0x0201).to_ipv4_mapped());
  EXPECT_FALSE(Ipv6Addr(0, 0, 0, 0, 0, 0xfffe, 0xc000, 0x0201).to_ipv4_mapped());

  // Ordered as the octets are.
  EXPECT_LT(Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 0xffff), Ipv6Addr(0, 0, 0, 0, 0, 0, 1, 0));
  EXPECT_LT(Ipv6Addr(0x00ff, 0, 0, 0, 0, 0, 0, 0), Ipv6Addr(0x0100, 0, 0, 0, 0, 0, 0, 0));
}

// ---- IpAddr -------------------------------------------------------------------------------------

TEST(SocketAddrIpAddr, HoldsEitherFamily) {
  const IpAddr v4 = Ipv4Addr(192, 0, 2, 7);
  const IpAddr v6 = Ipv6Addr(0x2001, 0xdb8, 0, 0, 0, 0, 0, 7);
  EXPECT_TRUE(v4.is_ipv4());
  EXPECT_FALSE(v4.is_ipv6());
  ASSERT_TRUE(v4.v4().has_value());
  EXPECT_EQ(*v4.v4(), Ipv4Addr(192, 0, 2, 7));
  EXPECT_FALSE(v4.v6().has_value());
  EXPECT_TRUE(v6.is_ipv6());
  ASSERT_TRUE(v6.v6().has_value());
  EXPECT_EQ(v6.v6()->segments()[7], 7);
  EXPECT_FALSE(v6.v4().has_value());

  EXPECT_EQ(IpAddr(), IpAddr(Ipv4Addr::unspecified()));
  EXPECT_TRUE(IpAddr().is_unspecified());
  EXPECT_TRUE(IpAddr(Ipv6Addr()).is_unspecified());
  EXPECT_TRUE(IpAddr(Ipv4Addr::localhost()).is_loopback());
  EXPECT_TRUE(IpAddr(Ipv6Addr::localhost()).is_loopback());
  EXPECT_FALSE(v4.is_loopback());
  EXPECT_TRUE(IpAddr(Ipv4Addr(224, 0, 0, 251)).is_multicast());
  EXPECT_TRUE(IpAddr(Ipv6Addr(0xff02, 0, 0, 0, 0, 0, 0, 0xfb)).is_multicast());
  EXPECT_FALSE(v6.is_multicast());

  EXPECT_EQ(v4.to_string(), "192.0.2.7");
  EXPECT_EQ(v6.to_string(), "2001:db8::7");
  EXPECT_EQ(test::printed(v6), "2001:db8::7");
}

TEST(SocketAddrIpAddr, ParsesBothFamiliesWithoutBrackets) {
  std::error_code ec;
  EXPECT_EQ(IpAddr::parse("10.1.2.3", ec), IpAddr(Ipv4Addr(10, 1, 2, 3)));
  EXPECT_FALSE(ec);
  EXPECT_EQ(IpAddr::parse("fe80::2", ec), IpAddr(Ipv6Addr(0xfe80, 0, 0, 0, 0, 0, 0, 2)));
  EXPECT_FALSE(ec);
  for (const std::string_view text :
       {"[::1]"sv, "1.2.3.4:80"sv, "localhost"sv, ""sv, "::1%2"sv, "1.2.3.4.5"sv, "1:2"sv}) {
    (void)IpAddr::parse(text, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << "accepted \"" << text << '"';
  }
}

TEST(SocketAddrIpAddr, EveryIpv4OrdersBeforeEveryIpv6) {
  EXPECT_LT(IpAddr(Ipv4Addr::broadcast()), IpAddr(Ipv6Addr::unspecified()));
  EXPECT_GT(IpAddr(Ipv6Addr::unspecified()), IpAddr(Ipv4Addr::unspecified()));
  // A mapped address is an IPv6 address, not the IPv4 one.
  EXPECT_NE(IpAddr(Ipv4Addr(1, 2, 3, 4)), IpAddr(Ipv6Addr(0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304)));
  EXPECT_LT(IpAddr(Ipv4Addr(1, 2, 3, 4)), IpAddr(Ipv4Addr(1, 2, 3, 5)));
  EXPECT_LT(IpAddr(Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 1)), IpAddr(Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 2)));
}

TEST(SocketAddrIpAddr, HashesInUnorderedSets) {
  std::unordered_set<IpAddr> set;
  set.insert(Ipv4Addr(1, 2, 3, 4));
  set.insert(Ipv4Addr(1, 2, 3, 4));
  set.insert(Ipv6Addr(0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304));
  set.insert(Ipv6Addr::localhost());
  set.insert(Ipv4Addr::localhost());
  EXPECT_EQ(set.size(), 4U);
  EXPECT_EQ(set.count(Ipv4Addr(1, 2, 3, 4)), 1U);
  EXPECT_EQ(set.count(Ipv6Addr::localhost()), 1U);
  EXPECT_EQ(set.count(Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 2)), 0U);
  EXPECT_EQ(std::hash<IpAddr>{}(Ipv6Addr::localhost()), std::hash<IpAddr>{}(Ipv6Addr::localhost()));

  std::unordered_set<Ipv4Addr> v4s{Ipv4Addr(1, 1, 1, 1), Ipv4Addr(1, 1, 1, 1),
                                   Ipv4Addr(2, 2, 2, 2)};
  EXPECT_EQ(v4s.size(), 2U);
  std::unordered_set<Ipv6Addr> v6s{Ipv6Addr(), Ipv6Addr(), Ipv6Addr::localhost()};
  EXPECT_EQ(v6s.size(), 2U);
}

// ---- SocketAddr ---------------------------------------------------------------------------------

TEST(SocketAddr, DefaultIsIpv4AnyPortZero) {
  const SocketAddr address;
  EXPECT_TRUE(address.is_ipv4());
  EXPECT_FALSE(address.is_ipv6());
  EXPECT_EQ(address.port(), 0);
  EXPECT_TRUE(address.ip().is_unspecified());
  EXPECT_EQ(address.ip().v4(), Ipv4Addr::unspecified());
  EXPECT_EQ(address.flowinfo(), 0U);
  EXPECT_EQ(address.scope_id(), 0U);
  EXPECT_EQ(address.to_string(), "0.0.0.0:0");
  std::error_code ec;
  EXPECT_EQ(SocketAddr::parse("0.0.0.0:0", ec), address);
}

TEST(SocketAddr, ParsesTheThreeAcceptedForms) {
  struct Case {
    std::string_view text;
    SocketAddr address;
    std::string_view printed;  // to_string of the result
  };
  const std::array cases{
      Case{"127.0.0.1:80", {Ipv4Addr::localhost(), 80}, "127.0.0.1:80"},
      Case{"0.0.0.0:0", {}, "0.0.0.0:0"},
      Case{"255.255.255.255:65535", {Ipv4Addr::broadcast(), 65535}, "255.255.255.255:65535"},
      Case{"1.2.3.4:0080", {Ipv4Addr(1, 2, 3, 4), 80}, "1.2.3.4:80"},
      Case{
          "1.2.3.4:000000000000000000000000065535", {Ipv4Addr(1, 2, 3, 4), 65535}, "1.2.3.4:65535"},
      Case{"1.2.3.4:00", {Ipv4Addr(1, 2, 3, 4), 0}, "1.2.3.4:0"},
      Case{"[::1]:80", {Ipv6Addr::localhost(), 80}, "[::1]:80"},
      Case{"[::]:0", {Ipv6Addr(), 0}, "[::]:0"},
      Case{"[2001:DB8::1]:65535",
           {Ipv6Addr(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 65535},
           "[2001:db8::1]:65535"},
      Case{"[::ffff:1.2.3.4]:443",
           {Ipv6Addr(0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304), 443},
           "[::ffff:1.2.3.4]:443"},
      Case{"[fe80::1%2]:8080",
           {Ipv6Addr(0xfe80, 0, 0, 0, 0, 0, 0, 1), 8080, 0, 2},
           "[fe80::1%2]:8080"},
      Case{"[fe80::1%0004294967295]:1",
           {Ipv6Addr(0xfe80, 0, 0, 0, 0, 0, 0, 1), 1, 0, 4294967295U},
           "[fe80::1%4294967295]:1"},
      Case{"[::1%0]:5", {Ipv6Addr::localhost(), 5}, "[::1]:5"},
      Case{"[1:2:3:4:5:6:7:8]:9", {Ipv6Addr(1, 2, 3, 4, 5, 6, 7, 8), 9}, "[1:2:3:4:5:6:7:8]:9"},
  };
  for (const Case& c : cases) {
    std::error_code ec = std::make_error_code(std::errc::io_error);
    const SocketAddr address = SocketAddr::parse(c.text, ec);
    EXPECT_FALSE(ec) << c.text << ": " << ec.message();
    EXPECT_EQ(address, c.address) << c.text;
    EXPECT_EQ(address.to_string(), c.printed) << c.text;
    EXPECT_EQ(address.is_ipv6(), c.text.front() == '[') << c.text;
  }
}

TEST(SocketAddr, RejectsEverythingElseWithInvalidArgument) {
  const std::array rejected{
      // host names
      "localhost:80"sv,
      "example.com:80"sv,
      "a:1"sv,
      // unbracketed IPv6
      "::1:80"sv,
      "fe80::1:80"sv,
      "1:2:3:4:5:6:7:8:80"sv,
      "::ffff:1.2.3.4:80"sv,
      // missing or empty ports
      "127.0.0.1"sv,
      "127.0.0.1:"sv,
      "[::1]"sv,
      "[::1]:"sv,
      "[::1]80"sv,
      ":80"sv,
      ":"sv,
      ""sv,
      // overflowing ports
      "127.0.0.1:65536"sv,
      "127.0.0.1:99999"sv,
      "127.0.0.1:4294967376"sv,  // 2^32 + 80
      "[::1]:18446744073709551696"sv,
      "[::1]:65536"sv,
      // signed or odd ports
      "127.0.0.1:-1"sv,
      "127.0.0.1:+80"sv,
      "127.0.0.1:-0"sv,
      "127.0.0.1: 80"sv,
      "127.0.0.1:0x50"sv,
      "127.0.0.1:8e1"sv,
      "127.0.0.1:80.0"sv,
      "[::1]:-80"sv,
      // junk and trailing characters
      " 127.0.0.1:80"sv,
      "127.0.0.1:80 "sv,
      "127.0.0.1:80\n"sv,
      "127.0.0.1:80\0"sv,
      "127.0.0.1:80x"sv,
      "127.0.0.1:80:80"sv,
      "127.0.0.1 :80"sv,
      "[::1]:80]"sv,
      "[::1]]:80"sv,
      "[[::1]]:80"sv,
      "[::1:80"sv,
      "::1]:80"sv,
      "[::1] :80"sv,
      "(::1):80"sv,
      "http://127.0.0.1:80"sv,
      "127.0.0.1:80/"sv,
      // bad IPv4
      "01.2.3.4:80"sv,
      "1.2.3.04:80"sv,
      "256.1.1.1:80"sv,
      "1.2.3.256:80"sv,
      "1.2.3:80"sv,
      "1.2.3.4.5:80"sv,
      "[127.0.0.1]:80"sv,
      // bad IPv6
      "[1::2::3]:80"sv,
      "[1:2:3:4:5:6:7:8:9]:80"sv,
      "[1:2:3:4:5:6:7]:80"sv,
      "[12345::]:80"sv,
      "[:1]:80"sv,
      "[1:]:80"sv,
      "[:::]:80"sv,
      "[]:80"sv,
      "[:]:80"sv,
      "[g::]:80"sv,
      // bad scopes
      "[::1%]:80"sv,
      "[::1%eth0]:80"sv,
      "[::1%-1]:80"sv,
      "[::1%+1]:80"sv,
      "[::1%4294967296]:80"sv,
      "[::1%1%2]:80"sv,
      "[%1]:80"sv,
      "[::1]%1:80"sv,
      "127.0.0.1%1:80"sv,
  };
  for (const std::string_view text : rejected) {
    std::error_code ec;
    const SocketAddr address = SocketAddr::parse(text, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << "accepted \"" << text << '"';
    EXPECT_EQ(address, SocketAddr())
        << "a failed parse must give the default, for \"" << text << '"';
  }
}

TEST(SocketAddr, RoundTripsManyAddresses) {
  Generator random(42);
  for (int i = 0; i < 5000; ++i) {
    const auto port = static_cast<std::uint16_t>(random.next() & 0xffffU);
    SocketAddr address;
    if (i % 2 == 0) {
      address =
          SocketAddr(Ipv4Addr(random.byte(), random.byte(), random.byte(), random.byte()), port);
    } else {
      std::array<std::uint16_t, 8> groups{};
      for (std::uint16_t& group : groups) {
        group = random.group();
      }
      const auto scope = (i % 3 == 0) ? static_cast<std::uint32_t>(random.next()) : 0U;
      address = SocketAddr(from_groups(groups), port, 0, scope);
    }
    const std::string text = address.to_string();
    std::error_code ec;
    EXPECT_EQ(SocketAddr::parse(text, ec), address) << text;
    EXPECT_FALSE(ec) << text;
    EXPECT_EQ(test::printed(address), text);
  }
  // The edges of the port range.
  for (const std::uint32_t port : {0U, 1U, 9U, 10U, 99U, 100U, 1023U, 1024U, 65534U, 65535U}) {
    const SocketAddr v4(Ipv4Addr::localhost(), static_cast<std::uint16_t>(port));
    const SocketAddr v6(Ipv6Addr::localhost(), static_cast<std::uint16_t>(port));
    std::error_code ec;
    EXPECT_EQ(v4.to_string(), "127.0.0.1:" + std::to_string(port));
    EXPECT_EQ(v6.to_string(), "[::1]:" + std::to_string(port));
    EXPECT_EQ(SocketAddr::parse(v4.to_string(), ec), v4);
    EXPECT_EQ(SocketAddr::parse(v6.to_string(), ec), v6);
  }
}

TEST(SocketAddr, AccessorsAndSetters) {
  SocketAddr address(Ipv6Addr(0xfe80, 0, 0, 0, 0, 0, 0, 9), 443, 0x12345, 3);
  EXPECT_TRUE(address.is_ipv6());
  EXPECT_EQ(address.port(), 443);
  EXPECT_EQ(address.flowinfo(), 0x12345U);
  EXPECT_EQ(address.scope_id(), 3U);
  EXPECT_EQ(address.ip(), IpAddr(Ipv6Addr(0xfe80, 0, 0, 0, 0, 0, 0, 9)));
  EXPECT_EQ(address.ip().v6()->octets()[15], 9);
  EXPECT_EQ(address.to_string(), "[fe80::9%3]:443");  // the flow label has no text form

  address.set_port(1);
  EXPECT_EQ(address.port(), 1);
  address.set_ip(Ipv6Addr::localhost());
  EXPECT_EQ(address.scope_id(), 3U) << "an IPv6 ip keeps the scope";
  address.set_ip(Ipv4Addr(10, 0, 0, 1));
  EXPECT_TRUE(address.is_ipv4());
  EXPECT_EQ(address.scope_id(), 0U);
  EXPECT_EQ(address.flowinfo(), 0U);
  EXPECT_EQ(address, SocketAddr(Ipv4Addr(10, 0, 0, 1), 1));
  EXPECT_EQ(address.to_string(), "10.0.0.1:1");
}

TEST(SocketAddr, ComparesEveryField) {
  const SocketAddr base(Ipv6Addr::localhost(), 80, 0, 0);
  EXPECT_EQ(base, SocketAddr(IpAddr(Ipv6Addr::localhost()), 80));
  EXPECT_NE(base, SocketAddr(Ipv6Addr::localhost(), 81, 0, 0));
  EXPECT_NE(base, SocketAddr(Ipv6Addr::localhost(), 80, 1, 0));
  EXPECT_NE(base, SocketAddr(Ipv6Addr::localhost(), 80, 0, 1));
  EXPECT_NE(base, SocketAddr(Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 2), 80, 0, 0));
  EXPECT_NE(SocketAddr(Ipv4Addr::localhost(), 80),
            SocketAddr(Ipv6Addr(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1), 80));

  // Ordered by address first, then port; IPv4 before IPv6.
  EXPECT_LT(SocketAddr(Ipv4Addr(1, 2, 3, 4), 65535), SocketAddr(Ipv4Addr(1, 2, 3, 5), 0));
  EXPECT_LT(SocketAddr(Ipv4Addr(1, 2, 3, 4), 1), SocketAddr(Ipv4Addr(1, 2, 3, 4), 2));
  EXPECT_LT(SocketAddr(Ipv4Addr::broadcast(), 65535), SocketAddr(Ipv6Addr(), 0));
  EXPECT_EQ(base <=> base, std::strong_ordering::equal);
  EXPECT_GT(SocketAddr(Ipv6Addr::localhost(), 80, 0, 1), base);
}

TEST(SocketAddr, HashesInUnorderedSets) {
  std::unordered_set<SocketAddr> set;
  std::error_code ec;
  for (const std::string_view text :
       {"127.0.0.1:80"sv, "127.0.0.1:0080"sv, "127.0.0.1:81"sv, "[::1]:80"sv, "[::1%0]:80"sv,
        "[::1%1]:80"sv, "[::ffff:127.0.0.1]:80"sv, "0.0.0.0:0"sv}) {
    set.insert(SocketAddr::parse(text, ec));
    ASSERT_FALSE(ec) << text;
  }
  EXPECT_EQ(set.size(), 6U);
  EXPECT_EQ(set.count(SocketAddr(Ipv4Addr::localhost(), 80)), 1U);
  EXPECT_EQ(set.count(SocketAddr()), 1U);
  EXPECT_EQ(set.count(SocketAddr(Ipv4Addr::localhost(), 82)), 0U);

  // Many distinct values stay distinct.
  std::unordered_set<SocketAddr> many;
  for (std::uint32_t port = 0; port < 1000; ++port) {
    many.insert(SocketAddr(Ipv4Addr::localhost(), static_cast<std::uint16_t>(port)));
    many.insert(SocketAddr(Ipv6Addr::localhost(), static_cast<std::uint16_t>(port)));
  }
  EXPECT_EQ(many.size(), 2000U);
}

TEST(SocketAddr, StreamsAsItsText) {
  std::ostringstream os;
  os << SocketAddr(Ipv4Addr(192, 0, 2, 1), 7) << ' '
     << SocketAddr(Ipv6Addr(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1), 65535, 0, 12);
  EXPECT_EQ(os.str(), "192.0.2.1:7 [2001:db8::1:0:0:1%12]:65535");
}

TEST(SocketAddr, FailedParsesLeaveTheOutputDefaultAndSuccessClearsTheCode) {
  std::error_code ec = std::make_error_code(std::errc::invalid_argument);
  EXPECT_EQ(SocketAddr::parse("[::1]:1", ec), SocketAddr(Ipv6Addr::localhost(), 1));
  EXPECT_FALSE(ec) << "a successful parse must clear a stale error";
  EXPECT_EQ(SocketAddr::parse("[::1]:65536", ec), SocketAddr());
  EXPECT_EQ(ec, std::errc::invalid_argument);
  EXPECT_EQ(ec.category(), std::generic_category());
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(SocketAddr, ThrowingOverloadsThrowSystemError) {
  EXPECT_EQ(SocketAddr::parse("10.0.0.1:9"), SocketAddr(Ipv4Addr(10, 0, 0, 1), 9));
  EXPECT_EQ(Ipv4Addr::parse("10.0.0.1"), Ipv4Addr(10, 0, 0, 1));
  EXPECT_EQ(Ipv6Addr::parse("::2"), Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 2));
  EXPECT_EQ(IpAddr::parse("::2"), IpAddr(Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 2)));
  EXPECT_EQ(test::thrown_code([] { (void)SocketAddr::parse("localhost:80"); }),
            std::errc::invalid_argument);
  EXPECT_EQ(test::thrown_code([] { (void)Ipv4Addr::parse("1.2.3"); }), std::errc::invalid_argument);
  EXPECT_EQ(test::thrown_code([] { (void)Ipv6Addr::parse("1::2::3"); }),
            std::errc::invalid_argument);
  EXPECT_EQ(test::thrown_code([] { (void)IpAddr::parse("[::1]"); }), std::errc::invalid_argument);
}
#endif

}  // namespace
