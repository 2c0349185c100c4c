// net::to_sockaddr / net::from_sockaddr: SocketAddr to and from the socket API's records, checked
// field by field and against what the OS itself reports.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <system_error>

#include <gtest/gtest.h>

#include "support/socket_api.hpp"
#include "support/text.hpp"
#include <miocpp/net/sockaddr.hpp>
#include <miocpp/net/udp_socket.hpp>

namespace {

using miocpp::net::from_sockaddr;
using miocpp::net::Ipv6Addr;
using miocpp::net::SocketAddr;
using miocpp::net::to_sockaddr;

/// A literal address (the throwing parse does not exist without exceptions).
SocketAddr address_of(std::string_view text) {
  std::error_code ec;
  const SocketAddr address = SocketAddr::parse(text, ec);
  EXPECT_FALSE(ec) << text;
  return address;
}

/// What to_sockaddr writes for an address: the record and its length.
struct Converted {
  ::sockaddr_storage storage{};
  test::SockLen length = 0;

  /// The family's own record, copied out (the socket API's records alias each other).
  template <class Record>
  [[nodiscard]] Record as() const {
    Record record{};
    std::memcpy(&record, &storage, sizeof record);
    return record;
  }
};

Converted converted(const SocketAddr& address) {
  Converted result;
  result.length = to_sockaddr(address, result.storage);
  return result;
}

TEST(Sockaddr, Ipv4BecomesASockaddrInAndBack) {
  const SocketAddr address = address_of("192.0.2.7:8080");
  const Converted raw = converted(address);
  ASSERT_EQ(raw.length, static_cast<test::SockLen>(sizeof(::sockaddr_in)));
  const auto in = raw.as<::sockaddr_in>();
  EXPECT_EQ(in.sin_family, AF_INET);
  EXPECT_EQ(ntohs(in.sin_port), 8080);
  const std::array<std::uint8_t, 4> expected{192, 0, 2, 7};
  EXPECT_EQ(std::memcmp(&in.sin_addr, expected.data(), expected.size()), 0);

  std::error_code ec = std::make_error_code(std::errc::io_error);
  EXPECT_EQ(from_sockaddr(raw.storage, raw.length, ec), address);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(Sockaddr, Ipv6KeepsItsFlowLabelAndScope) {
  const SocketAddr address(Ipv6Addr(0xfe80, 0, 0, 0, 0, 0, 0, 0x1234), 443, 0x000abcde, 3);
  const Converted raw = converted(address);
  ASSERT_EQ(raw.length, static_cast<test::SockLen>(sizeof(::sockaddr_in6)));
  const auto in6 = raw.as<::sockaddr_in6>();
  EXPECT_EQ(in6.sin6_family, AF_INET6);
  EXPECT_EQ(ntohs(in6.sin6_port), 443);
  EXPECT_EQ(ntohl(in6.sin6_flowinfo), 0x000abcdeU);
  EXPECT_EQ(in6.sin6_scope_id, 3U);
  EXPECT_EQ(in6.sin6_addr.s6_addr[0], 0xfe);
  EXPECT_EQ(in6.sin6_addr.s6_addr[15], 0x34);

  std::error_code ec;
  const SocketAddr back = from_sockaddr(raw.storage, raw.length, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(back, address);
  EXPECT_EQ(back.flowinfo(), 0x000abcdeU);
  EXPECT_EQ(back.scope_id(), 3U);
}

TEST(Sockaddr, ReadsWhatTheOsReportsForABoundSocket) {
  for (const char* text : {"127.0.0.1:0", "[::1]:0"}) {
    std::error_code ec;
    const miocpp::net::UdpSocket socket = miocpp::net::UdpSocket::bind(address_of(text), ec);
    if (ec == std::errc::address_not_available) {
      continue;  // no IPv6 loopback on this machine: the IPv4 round still counts
    }
    ASSERT_FALSE(ec) << text << ": " << ec.message();
    ::sockaddr_storage storage{};
    auto length = static_cast<test::SockLen>(sizeof storage);
    // NOLINTNEXTLINE(*-reinterpret-cast): the socket API takes every family as a sockaddr.
    ASSERT_EQ(
        ::getsockname(socket.native_handle(), reinterpret_cast<::sockaddr*>(&storage), &length), 0);
    const SocketAddr reported = from_sockaddr(storage, length, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(reported, socket.local_addr(ec)) << text;
    EXPECT_NE(reported.port(), 0) << "the OS picked a port";
  }
}

TEST(Sockaddr, OtherFamiliesAreAddressFamilyNotSupported) {
  ::sockaddr_storage storage{};
  storage.ss_family = AF_UNIX;  // a Unix-domain address (Windows has the family too)
  std::error_code ec;
  EXPECT_EQ(from_sockaddr(storage, static_cast<test::SockLen>(sizeof storage), ec), SocketAddr());
  EXPECT_EQ(ec, std::errc::address_family_not_supported) << ec.message();
}

TEST(Sockaddr, ATruncatedRecordIsInvalidArgument) {
  ::sockaddr_storage storage{};
  const test::SockLen length = to_sockaddr(address_of("[::1]:1"), storage);
  std::error_code ec;
  EXPECT_EQ(from_sockaddr(storage, length - 1, ec), SocketAddr());
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  (void)from_sockaddr(storage, 0, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
}

// Only the first `length` bytes are read: a record too short for its family is truncated, whatever
// family a reused storage still holds after them.
TEST(Sockaddr, AFamilyBeyondTheLengthIsNeverRead) {
  const std::size_t family_end =
      offsetof(::sockaddr_storage, ss_family) + sizeof(::sockaddr_storage{}.ss_family);
  for (const int family : {AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC}) {
    ::sockaddr_storage storage{};
    storage.ss_family = static_cast<decltype(storage.ss_family)>(family);
    for (std::size_t length = 0; length < family_end; ++length) {
      std::error_code ec;
      EXPECT_EQ(from_sockaddr(storage, static_cast<test::SockLen>(length), ec), SocketAddr());
      EXPECT_EQ(ec, std::errc::invalid_argument)
          << family << ", " << length << ": " << ec.message();
    }
  }
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(Sockaddr, ThrowingOverloadThrowsSystemErrorWithTheCode) {
  ::sockaddr_storage storage{};
  storage.ss_family = AF_UNIX;
  EXPECT_EQ(test::thrown_code(
                [&] { (void)from_sockaddr(storage, static_cast<test::SockLen>(sizeof storage)); }),
            std::errc::address_family_not_supported);
}
#endif

}  // namespace
