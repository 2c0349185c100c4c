// The socket options of every IP socket type -- TcpSocket, TcpListener, both ends of a TcpStream
// and UdpSocket, over IPv4 and IPv6 -- each set and read back, out-of-range values refused with
// invalid_argument without touching the value, options a backend lacks reported as
// not_supported, and the effects that show on the loopback (linger 0 resets the peer).
// The builder itself (bind, listen, connect, port and IPv6-only sharing) is tcp_socket.cpp's; raw
// getsockopt cross-checks and Unix-domain sockets are socket_options_unix.cpp's.
#include "support/socket_options.hpp"

#include <array>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/interfaces.hpp"
#include "support/net.hpp"
#include "support/text.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Token;
using miocpp::net::Ipv4Addr, miocpp::net::SocketAddr;
using miocpp::net::TcpListener, miocpp::net::TcpSocket, miocpp::net::TcpStream;
using miocpp::net::UdpSocket;
using test::Opt, test::os_has;

// Values that do not fit the OS's int. Cast down they would wrap into small, valid-looking
// values (2^32 + n becomes n), which is what the refusal guards against.
constexpr std::uint32_t above_int_max = std::uint32_t{INT_MAX} + 1U;
constexpr std::int64_t wraps_to_small = (std::int64_t{1} << 32) + 45;

// Buffer sizes above every OS's minimum and below its default maximum.
constexpr std::size_t small = std::size_t{8} * 1024;
constexpr std::size_t large = std::size_t{128} * 1024;

// ---- The sockets under test ---------------------------------------------------------------------

enum class Kind { tcp_socket, listener, client, accepted, udp };

/// One kind of socket of one family: the type parameter of the suites below.
template <Kind K, bool V6>
struct Subject {
  static constexpr Kind kind = K;
  static constexpr bool v6 = V6;
  /// A connected TcpStream (either end).
  static constexpr bool stream = K == Kind::client || K == Kind::accepted;

  static std::string name() {
    std::string text;
    switch (K) {
      case Kind::tcp_socket:
        text = "TcpSocket";
        break;
      case Kind::listener:
        text = "TcpListener";
        break;
      case Kind::client:
        text = "ConnectedStream";
        break;
      case Kind::accepted:
        text = "AcceptedStream";
        break;
      case Kind::udp:
        text = "UdpSocket";
        break;
    }
    return text + (V6 ? "V6" : "V4");
  }
};

struct SubjectName {
  template <class S>
  static std::string GetName(int /*index*/) {  // NOLINT(readability-identifier-naming)
    return S::name();
  }
};

/// Makes the socket of subject `S` on the loopback of its family; an IPv6 subject skips where
/// there is no ::1.
template <class S>
class OptionsTest : public testing::Test {
 protected:
  void SetUp() override {
    if constexpr (S::v6) {
      REQUIRE_IPV6_LOOPBACK();
    }
    const SocketAddr loopback = S::v6 ? test::any_local_ipv6_address() : test::any_local_address();
    std::error_code ec;
    if constexpr (S::kind == Kind::tcp_socket) {
      tcp_socket_ = TcpSocket::for_address(loopback, ec);
    } else if constexpr (S::kind == Kind::listener) {
      listener_ = TcpListener::bind(loopback, ec);
    } else if constexpr (S::kind == Kind::udp) {
      udp_ = UdpSocket::bind(loopback, ec);
    } else {
      pair_ = test::connected_pair(loopback);
      ASSERT_NE(pair_.client.native_handle(), test::invalid_socket) << "no connection";
      ASSERT_NE(pair_.server.native_handle(), test::invalid_socket) << "no connection";
    }
    ASSERT_FALSE(ec) << S::name() << " on " << loopback << ": " << ec.message();
  }

  auto& socket() {
    if constexpr (S::kind == Kind::tcp_socket) {
      return tcp_socket_;
    } else if constexpr (S::kind == Kind::listener) {
      return listener_;
    } else if constexpr (S::kind == Kind::client) {
      return pair_.client;
    } else if constexpr (S::kind == Kind::accepted) {
      return pair_.server;
    } else {
      return udp_;
    }
  }

 private:
  TcpSocket tcp_socket_;
  TcpListener listener_;
  test::StreamPair pair_;
  UdpSocket udp_;
};

using IpSubjects = testing::Types<Subject<Kind::tcp_socket, false>, Subject<Kind::tcp_socket, true>,
                                  Subject<Kind::listener, false>, Subject<Kind::listener, true>,
                                  Subject<Kind::client, false>, Subject<Kind::client, true>,
                                  Subject<Kind::accepted, false>, Subject<Kind::accepted, true>,
                                  Subject<Kind::udp, false>, Subject<Kind::udp, true>>;
using TcpSubjects =
    testing::Types<Subject<Kind::tcp_socket, false>, Subject<Kind::tcp_socket, true>,
                   Subject<Kind::listener, false>, Subject<Kind::listener, true>,
                   Subject<Kind::client, false>, Subject<Kind::client, true>,
                   Subject<Kind::accepted, false>, Subject<Kind::accepted, true>>;

// ---- Every IP socket: SocketBase and IpSocketBase ----------------------------------------------

template <class S>
class IpOptions : public OptionsTest<S> {};
TYPED_TEST_SUITE(IpOptions, IpSubjects, SubjectName);

TYPED_TEST(IpOptions, BufferSizesGrowWhenSetLargerAndOversizedOnesAreRefused) {
  auto& socket = this->socket();
  const auto check = [](const char* what, auto set, auto get) {
    std::error_code ec = test::stale_error();
    set(small, ec);
    ASSERT_FALSE(ec) << "set " << what << " " << small << ": " << ec.message();
    const std::size_t after_small = get(ec);
    ASSERT_FALSE(ec) << what << ": " << ec.message();
    set(large, ec);
    ASSERT_FALSE(ec) << "set " << what << " " << large << ": " << ec.message();
    const std::size_t after_large = get(ec);
    ASSERT_FALSE(ec) << what << ": " << ec.message();
    // Linux reports twice what was set; every OS keeps at least what was asked for here (both
    // are above its minimum and below its default maximum).
    EXPECT_GE(after_small, small) << what;
    EXPECT_GE(after_large, large) << what;
    EXPECT_GT(after_large, after_small) << what << " did not grow";
  };
  check(
      "send_buffer_size",
      [&](std::size_t bytes, std::error_code& ec) { socket.set_send_buffer_size(bytes, ec); },
      [&](std::error_code& ec) { return socket.send_buffer_size(ec); });
  check(
      "recv_buffer_size",
      [&](std::size_t bytes, std::error_code& ec) { socket.set_recv_buffer_size(bytes, ec); },
      [&](std::error_code& ec) { return socket.recv_buffer_size(ec); });

  constexpr std::size_t good = std::size_t{64} * 1024;
  constexpr auto too_big = std::size_t{above_int_max};
  constexpr auto size_max = SIZE_MAX;
  if constexpr (sizeof(std::size_t) > 4) {
    // 2^32 + 4096 would be 4096 in an int.
    constexpr std::size_t wraps = (std::size_t{1} << 32U) + 4096U;
    EXPECT_REFUSED(socket, send_buffer_size, good, too_big, size_max, wraps);
    EXPECT_REFUSED(socket, recv_buffer_size, good, too_big, size_max, wraps);
  } else {
    EXPECT_REFUSED(socket, send_buffer_size, good, too_big, size_max);
    EXPECT_REFUSED(socket, recv_buffer_size, good, too_big, size_max);
  }
}

TYPED_TEST(IpOptions, ReuseAddressRoundTrips) {
  EXPECT_ROUND_TRIP(this->socket(), reuse_address, true, false, true);
}

TYPED_TEST(IpOptions, ReusePortRoundTrips) {
  EXPECT_ROUND_TRIP(this->socket(), reuse_port, true, false, true);
}

TYPED_TEST(IpOptions, OnlyV6IsReadOnIpv6SocketsAndSetBeforeBinding) {
  auto& socket = this->socket();
  std::error_code ec = test::stale_error();
  const bool initial = socket.only_v6(ec);
  if (!TypeParam::v6) {
    // An IPv4 socket has no IPV6_V6ONLY: the OS refuses both calls (which error is its own).
    EXPECT_TRUE(ec) << "only_v6 of an IPv4 socket gave " << initial;
    ec.clear();
    socket.set_only_v6(true, ec);
    EXPECT_TRUE(ec || !test::ipv4_sockets_refuse_only_v6())
        << "set_only_v6 on an IPv4 socket succeeded";
    if constexpr (MIOCPP_OS_LINUX) {
      EXPECT_EQ(ec, std::errc::no_protocol_option) << ec.message();
    }
    return;
  }
  ASSERT_FALSE(ec) << ec.message();
  // Linux makes an IPv6 socket bound to a specific IPv6 address IPv6-only itself (it could never
  // carry IPv4), and an accepted socket inherits that from its listener.
  constexpr bool bound_to_an_ipv6_address = TypeParam::kind == Kind::listener ||
                                            TypeParam::kind == Kind::accepted ||
                                            TypeParam::kind == Kind::udp;
  EXPECT_EQ(initial, (MIOCPP_OS_LINUX && bound_to_an_ipv6_address) || test::default_only_v6());
  if constexpr (TypeParam::kind == Kind::tcp_socket) {
    EXPECT_ROUND_TRIP(socket, only_v6, !initial, initial, true, false);
  } else {
    // Bound already: the choice was made by bind, and the OS keeps it.
    socket.set_only_v6(!initial, ec);
    EXPECT_TRUE(ec) << "IPV6_V6ONLY changed after bind";
    if constexpr (MIOCPP_OS_LINUX) {
      EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
    }
    EXPECT_EQ(socket.only_v6(ec), initial);
    EXPECT_FALSE(ec) << ec.message();
  }
}

TYPED_TEST(IpOptions, HopLimitOfTheSocketsFamilyRoundTripsAndOver255IsRefused) {
  auto& socket = this->socket();
  if constexpr (TypeParam::v6) {
    EXPECT_ROUND_TRIP(socket, unicast_hops_v6, 1U, 64U, 255U, 17U);
    // 263 in a byte would be 7.
    EXPECT_REFUSED(socket, unicast_hops_v6, 42U, 256U, 263U, above_int_max, UINT32_MAX);
  } else {
    EXPECT_ROUND_TRIP(socket, ttl, 1U, 64U, 255U, 17U);
    EXPECT_REFUSED(socket, ttl, 42U, 256U, 263U, above_int_max, UINT32_MAX);
    // An IPv4 socket has no IPv6 hop limit.
    std::error_code ec;
    socket.set_unicast_hops_v6(10, ec);
    EXPECT_TRUE(ec) << "set_unicast_hops_v6 on an IPv4 socket succeeded";
    (void)socket.unicast_hops_v6(ec);
    EXPECT_TRUE(ec) << "unicast_hops_v6 of an IPv4 socket succeeded";
  }
}

TYPED_TEST(IpOptions, TrafficClassOfTheSocketsFamilyRoundTripsAndOver255IsRefused) {
  auto& socket = this->socket();
  // DSCP values only: Linux keeps the two ECN bits of a TCP socket to itself.
  if constexpr (TypeParam::v6) {
    EXPECT_ROUND_TRIP(socket, tclass_v6, 0x10U, 0xb8U, 0x00U, 0x20U);
    EXPECT_REFUSED(socket, tclass_v6, 0x20U, 0x100U, 0x120U, above_int_max, UINT32_MAX);
  } else {
    EXPECT_ROUND_TRIP(socket, tos, 0x10U, 0xb8U, 0x00U, 0x20U);
    EXPECT_REFUSED(socket, tos, 0x20U, 0x100U, 0x120U, above_int_max, UINT32_MAX);
    std::error_code ec;
    socket.set_tclass_v6(0x10, ec);
    EXPECT_TRUE(ec) << "set_tclass_v6 on an IPv4 socket succeeded";
  }
}

TYPED_TEST(IpOptions, BindDeviceRoundTripsAndOverlongNamesAreRefused) {
  auto& socket = this->socket();
  const std::string loopback = test::loopback_interface_name();
  ASSERT_FALSE(loopback.empty()) << "no loopback interface name";
  EXPECT_ROUND_TRIP(socket, bind_device, loopback);
  if (!MIOCPP_OS_LINUX || test::has_capability(test::cap_net_raw)) {
    // Undoing (or changing) a binding takes CAP_NET_RAW on Linux.
    EXPECT_ROUND_TRIP(socket, bind_device, std::string(), loopback);
  }
  // IFNAMSIZ is 16 with the terminating zero; a zero inside would cut the name short.
  const std::string sixteen(16, 'x');
  const std::string long_name(40, 'y');
  const std::string_view with_zero("lo\0xx", 5);
  EXPECT_REFUSED(socket, bind_device, loopback, sixteen, long_name, with_zero);

  if (os_has(Opt::bind_device)) {
    std::error_code ec;
    socket.set_bind_device("miocpp-nodev15", ec);  // fits, but names no interface
    EXPECT_EQ(ec, std::errc::no_such_device) << ec.message();
  }
}

TYPED_TEST(IpOptions, MarkRoundTripsWithCapNetAdmin) {
  EXPECT_ROUND_TRIP(this->socket(), mark, 42U, UINT32_MAX, 0U);
  std::error_code ec = test::stale_error();
  (void)this->socket().mark(ec);
  test::expect_outcome(ec, test::expected_get_error(Opt::mark), "mark (no privilege needed)");
}

// ---- TCP sockets: TcpSocketBase -----------------------------------------------------------------

template <class S>
class TcpOptions : public OptionsTest<S> {};
TYPED_TEST_SUITE(TcpOptions, TcpSubjects, SubjectName);

TYPED_TEST(TcpOptions, NodelayIsOffByDefaultAndRoundTrips) {
  std::error_code ec = test::stale_error();
  EXPECT_FALSE(this->socket().nodelay(ec));
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_ROUND_TRIP(this->socket(), nodelay, true, false, true);
}

TYPED_TEST(TcpOptions, LingerIsOffByDefaultRoundTripsAndRefusesWhatTheOsCannotHold) {
  auto& socket = this->socket();
  std::error_code ec = test::stale_error();
  EXPECT_EQ(socket.linger(ec), std::nullopt);
  EXPECT_FALSE(ec) << ec.message();

  const std::optional<std::chrono::seconds> off;
  EXPECT_ROUND_TRIP(socket, linger, std::optional(0s), std::optional(5s), off,
                    std::optional(std::chrono::seconds(test::max_linger_seconds)), off);
  EXPECT_REFUSED(socket, linger, std::optional(7s), std::optional(-1s),
                 std::optional(std::chrono::seconds(test::max_linger_seconds + 1)),
                 std::optional(std::chrono::seconds(wraps_to_small)),
                 std::optional(std::chrono::seconds::max()),
                 std::optional(std::chrono::seconds::min()));
  // A lingering close would wait for the peer in the destructor.
  socket.set_linger(std::nullopt, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TYPED_TEST(TcpOptions, KeepaliveAndItsTimesRoundTripAndOutOfRangeTimesAreRefused) {
  auto& socket = this->socket();
  std::error_code ec = test::stale_error();
  EXPECT_FALSE(socket.keepalive(ec));
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_ROUND_TRIP(socket, keepalive, true, false, true);

  EXPECT_ROUND_TRIP(socket, keepalive_idle, 30s, 1s, 7200s);
  EXPECT_ROUND_TRIP(socket, keepalive_interval, 10s, 1s, 75s);
  EXPECT_ROUND_TRIP(socket, keepalive_retries, 3U, 1U, 9U);

  const auto too_long = std::chrono::seconds(std::int64_t{INT_MAX} + 1);
  const auto wraps = std::chrono::seconds(wraps_to_small);
  EXPECT_REFUSED(socket, keepalive_idle, 45s, 0s, -1s, too_long, wraps,
                 std::chrono::seconds::min());
  EXPECT_REFUSED(socket, keepalive_interval, 45s, 0s, -1s, too_long, wraps,
                 std::chrono::seconds::max());
  EXPECT_REFUSED(socket, keepalive_retries, 5U, 0U, above_int_max, UINT32_MAX);

  if constexpr (MIOCPP_OS_LINUX) {
    // Within the int but beyond Linux's own limits (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPCNT): the
    // kernel's refusal comes through as the same code.
    EXPECT_REFUSED(socket, keepalive_idle, 45s, 32768s);
    EXPECT_REFUSED(socket, keepalive_interval, 45s, 32768s);
    EXPECT_REFUSED(socket, keepalive_retries, 5U, 128U);
  }
}

TYPED_TEST(TcpOptions, QuickackRoundTrips) {
  EXPECT_ROUND_TRIP(this->socket(), quickack, false, true, false, true);
}

TYPED_TEST(TcpOptions, UserTimeoutRoundTripsAndOutOfRangeIsRefused) {
  auto& socket = this->socket();
  EXPECT_ROUND_TRIP(socket, user_timeout, 5000ms, 0ms, std::chrono::milliseconds(INT_MAX), 1ms);
  EXPECT_REFUSED(socket, user_timeout, 1234ms, -1ms,
                 std::chrono::milliseconds(std::int64_t{INT_MAX} + 1),
                 std::chrono::milliseconds(wraps_to_small), std::chrono::milliseconds::min());
}

TYPED_TEST(TcpOptions, FastopenIsForASocketAboutToListenOrListening) {
  auto& socket = this->socket();
  if constexpr (TypeParam::stream) {
    // An established connection has no accept queue: Linux refuses the option, but reads it.
    std::error_code ec = test::stale_error();
    socket.set_fastopen(5, ec);
    if (os_has(Opt::fastopen)) {
      EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
    } else {
      EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
    }
    ec = test::stale_error();
    EXPECT_EQ(socket.fastopen(ec), 0U);
    test::expect_outcome(ec, test::expected_get_error(Opt::fastopen), "fastopen");
    for (const std::uint32_t length : {above_int_max, UINT32_MAX}) {
      socket.set_fastopen(length, ec);
      EXPECT_EQ(ec, os_has(Opt::fastopen) ? std::errc::invalid_argument : std::errc::not_supported)
          << length << ": " << ec.message();
    }
  } else {
    EXPECT_ROUND_TRIP(socket, fastopen, 16U, 0U, 5U);
    EXPECT_REFUSED(socket, fastopen, 8U, above_int_max, UINT32_MAX);
  }
}

TYPED_TEST(TcpOptions, FastopenConnectIsForASocketAboutToConnect) {
  auto& socket = this->socket();
  if constexpr (TypeParam::kind == Kind::tcp_socket) {
    EXPECT_ROUND_TRIP(socket, fastopen_connect, true, false, true);
  } else {
    // Listening or connected: too late (Linux takes it only in the CLOSE state).
    std::error_code ec = test::stale_error();
    socket.set_fastopen_connect(true, ec);
    const auto set_error = test::expected_set_error(Opt::fastopen_connect);
    if (set_error) {
      EXPECT_EQ(ec, *set_error) << ec.message();
    } else {
      EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
    }
    ec = test::stale_error();
    EXPECT_FALSE(socket.fastopen_connect(ec));
    test::expect_outcome(ec, test::expected_get_error(Opt::fastopen_connect), "fastopen_connect");
  }
}

TYPED_TEST(TcpOptions, CorkRoundTrips) {
  EXPECT_ROUND_TRIP(this->socket(), cork, true, false, true, false);
}

// ---- UDP: the multicast options of UdpSocket ---------------------------------------------------

class UdpOptions : public testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (v6()) {
      REQUIRE_IPV6_LOOPBACK();
    }
    std::error_code ec;
    socket_ =
        UdpSocket::bind(v6() ? test::any_local_ipv6_address() : test::any_local_address(), ec);
    ASSERT_FALSE(ec) << ec.message();
  }
  [[nodiscard]] static bool v6() { return GetParam(); }
  UdpSocket& socket() { return socket_; }

 private:
  UdpSocket socket_;
};

INSTANTIATE_TEST_SUITE_P(Loopback, UdpOptions, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& param_info) {
                           return param_info.param ? "ipv6" : "ipv4";
                         });

TEST_P(UdpOptions, MulticastHopsV6RoundTripsOnIpv6AndOver255IsRefused) {
  if (!v6()) {
    std::error_code ec;
    socket().set_multicast_hops_v6(5, ec);
    EXPECT_TRUE(ec) << "set_multicast_hops_v6 on an IPv4 socket succeeded";
    return;
  }
  EXPECT_ROUND_TRIP(socket(), multicast_hops_v6, 5U, 255U, 0U, 1U);
  EXPECT_REFUSED(socket(), multicast_hops_v6, 3U, 256U, 259U, above_int_max, UINT32_MAX);
}

TEST_P(UdpOptions, MulticastIfV4RoundTripsALocalAddress) {
  if (v6()) {
    // Linux lets an IPv6 socket carry IPv4 options for its mapped traffic; nothing to assert.
    return;
  }
  EXPECT_ROUND_TRIP(socket(), multicast_if_v4, Ipv4Addr::localhost(), Ipv4Addr::unspecified(),
                    Ipv4Addr::localhost());
  if (os_has(Opt::multicast_if_v4)) {
    std::error_code ec;
    socket().set_multicast_if_v4(Ipv4Addr(192, 0, 2, 1), ec);  // no interface has it
    EXPECT_TRUE(ec) << "an address of no interface was taken";
    if constexpr (MIOCPP_OS_LINUX) {
      EXPECT_EQ(ec, std::errc::address_not_available) << ec.message();
    }
    EXPECT_EQ(socket().multicast_if_v4(ec), Ipv4Addr::localhost());
  }
}

TEST_P(UdpOptions, MulticastIfV6RoundTripsAnInterfaceIndex) {
  if (!v6()) {
    std::error_code ec;
    socket().set_multicast_if_v6(0, ec);
    EXPECT_TRUE(ec) << "set_multicast_if_v6 on an IPv4 socket succeeded";
    return;
  }
  const auto loopback = test::loopback_interface();
  ASSERT_TRUE(loopback.has_value()) << "no loopback interface";
  EXPECT_ROUND_TRIP(socket(), multicast_if_v6, *loopback, 0U, *loopback);
  if (os_has(Opt::multicast_if_v6)) {
    std::error_code ec;
    socket().set_multicast_if_v6(0x7fff'fff0U, ec);  // no interface has it
    EXPECT_TRUE(ec) << "an index of no interface was taken";
    if constexpr (MIOCPP_OS_LINUX) {
      EXPECT_EQ(ec, std::errc::no_such_device) << ec.message();
    }
    EXPECT_EQ(socket().multicast_if_v6(ec), *loopback);
  }
}

// ---- Effects on the loopback --------------------------------------------------------------------

FAMILY_TEST_SUITE(OptionEffects);

/// Drops `pair.client` and waits (up to 2 s) until `pair.server`, registered with a Poll, hears
/// of it; then reads once, giving the count and `ec`.
std::size_t drop_client_and_read(test::StreamPair& pair, std::error_code& ec) {
  miocpp::Poll poll(ec);
  EXPECT_FALSE(ec) << ec.message();
  miocpp::Events events(8);
  poll.registry().register_source(pair.server, Token{1}, miocpp::Interest::readable, ec);
  EXPECT_FALSE(ec) << ec.message();
  pair.client = TcpStream();
  EXPECT_TRUE(test::wait_for_event(poll, events, Token{1}, [](const miocpp::Event&) {
    return true;
  })) << "the peer heard nothing";
  std::array<std::byte, 16> buffer{};
  return pair.server.read(buffer, ec);
}

TEST_P(OptionEffects, LingerZeroMakesTheDroppedStreamResetItsPeer) {
  if (ipv6()) {
    REQUIRE_IPV6_LOOPBACK();
  }
  OPEN_PAIR(pair, any_local());
  std::error_code ec;
  pair.client.set_linger(0s, ec);
  ASSERT_FALSE(ec) << ec.message();
  // Closing it sends RST instead of FIN.
  EXPECT_EQ(drop_client_and_read(pair, ec), 0U);
  if constexpr (MIOCPP_SELECTOR_IOCP) {
    // As tcp_stream.cpp's reset test: wine's own polling may have collected the reset already,
    // so that recv sees a plain end of stream.
    EXPECT_TRUE(ec == std::errc::connection_reset || (!ec && test::running_under_wine()))
        << ec.message();
  } else {
    EXPECT_EQ(ec, std::errc::connection_reset) << ec.message();
  }
}

TEST_P(OptionEffects, WithoutLingerTheDroppedStreamClosesGracefully) {
  if (ipv6()) {
    REQUIRE_IPV6_LOOPBACK();
  }
  OPEN_PAIR(pair, any_local());
  std::error_code ec;
  pair.client.set_linger(0s, ec);
  pair.client.set_linger(std::nullopt, ec);  // and off again: the control for the test above
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(drop_client_and_read(pair, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_P(OptionEffects, OptionsSetOnAListenerAreInheritedByTheStreamsItAccepts) {
  if constexpr (!MIOCPP_OS_LINUX) {
    GTEST_SKIP() << "what an accepted socket inherits is asserted for Linux only";
  }
  if (ipv6()) {
    REQUIRE_IPV6_LOOPBACK();
  }
  BIND_LISTENER(listener, address, any_local());
  std::error_code ec;
  listener.set_nodelay(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  listener.set_keepalive(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  listener.set_keepalive_idle(123s, ec);
  ASSERT_FALSE(ec) << ec.message();
  listener.set_keepalive_interval(17s, ec);
  ASSERT_FALSE(ec) << ec.message();
  listener.set_keepalive_retries(4, ec);
  ASSERT_FALSE(ec) << ec.message();

  RAW_CONNECT(client, address);
  ASSERT_TRUE(test::raw_wait(listener.native_handle(), POLLIN));
  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(stream.nodelay(ec));
  EXPECT_TRUE(stream.keepalive(ec));
  EXPECT_EQ(stream.keepalive_idle(ec), 123s);
  EXPECT_EQ(stream.keepalive_interval(ec), 17s);
  EXPECT_EQ(stream.keepalive_retries(ec), 4U);
  EXPECT_FALSE(ec) << ec.message();
}

// ---- The throwing overloads ---------------------------------------------------------------------

#if MIOCPP_HAS_EXCEPTIONS
/// Runs the std::error_code overload of a call, then the throwing one: it throws
/// std::system_error with the very code the first reported, or nothing when that reported none.
template <class WithCode, class Throwing>
void expect_same_outcome(const std::string& what, WithCode with_code, Throwing throwing) {
  std::error_code ec = test::stale_error();
  with_code(ec);
  EXPECT_EQ(test::thrown_code(throwing), ec) << what << ": " << ec.message();
}

// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): one line per option and value
#define EXPECT_SAME_SET(socket, option, value)                                      \
  expect_same_outcome(                                                              \
      "set_" #option "(" #value ")",                                                \
      [&](std::error_code& option_ec) { (socket).set_##option(value, option_ec); }, \
      [&] { (socket).set_##option(value); })
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): one line per option
#define EXPECT_SAME_GET(socket, option)                                                 \
  do {                                                                                  \
    std::error_code get_ec;                                                             \
    const auto with_code = (socket).option(get_ec);                                     \
    expect_same_outcome(                                                                \
        #option, [&](std::error_code& option_ec) { (void)(socket).option(option_ec); }, \
        [&] { (void)(socket).option(); });                                              \
    if (!get_ec) {                                                                      \
      EXPECT_TRUE((socket).option() == with_code) << #option;                           \
    }                                                                                   \
  } while (false)

class ThrowingOptions : public test::LeakChecked<> {};

TEST_F(ThrowingOptions, ThrowTheCodeTheErrorCodeOverloadsReport) {
  TcpSocket socket = TcpSocket::v4();
  EXPECT_SAME_SET(socket, send_buffer_size, std::size_t{65536});
  EXPECT_SAME_SET(socket, send_buffer_size, std::size_t{above_int_max});
  EXPECT_SAME_GET(socket, send_buffer_size);
  EXPECT_SAME_SET(socket, recv_buffer_size, std::size_t{65536});
  EXPECT_SAME_SET(socket, recv_buffer_size, SIZE_MAX);
  EXPECT_SAME_GET(socket, recv_buffer_size);
  EXPECT_SAME_SET(socket, reuse_address, true);
  EXPECT_SAME_GET(socket, reuse_address);
  EXPECT_SAME_SET(socket, reuse_port, true);
  EXPECT_SAME_GET(socket, reuse_port);
  EXPECT_SAME_SET(socket, only_v6, true);  // an IPv4 socket: an error
  EXPECT_SAME_GET(socket, only_v6);
  EXPECT_SAME_SET(socket, ttl, 33U);
  EXPECT_SAME_SET(socket, ttl, 256U);
  EXPECT_SAME_GET(socket, ttl);
  EXPECT_SAME_SET(socket, unicast_hops_v6, 33U);
  EXPECT_SAME_GET(socket, unicast_hops_v6);
  EXPECT_SAME_SET(socket, tos, 0x10U);
  EXPECT_SAME_SET(socket, tos, 0x100U);
  EXPECT_SAME_GET(socket, tos);
  EXPECT_SAME_SET(socket, tclass_v6, 0x10U);
  EXPECT_SAME_GET(socket, tclass_v6);
  EXPECT_SAME_SET(socket, bind_device, test::loopback_interface_name());
  EXPECT_SAME_SET(socket, bind_device, std::string(16, 'x'));
  EXPECT_SAME_GET(socket, bind_device);
  EXPECT_SAME_SET(socket, mark, 7U);
  EXPECT_SAME_GET(socket, mark);
  EXPECT_SAME_SET(socket, nodelay, true);
  EXPECT_SAME_GET(socket, nodelay);
  EXPECT_SAME_SET(socket, linger, std::optional(3s));
  EXPECT_SAME_SET(socket, linger, std::optional(-3s));
  EXPECT_SAME_GET(socket, linger);
  EXPECT_SAME_SET(socket, linger, std::nullopt);
  EXPECT_SAME_SET(socket, keepalive, true);
  EXPECT_SAME_GET(socket, keepalive);
  EXPECT_SAME_SET(socket, keepalive_idle, 60s);
  EXPECT_SAME_SET(socket, keepalive_idle, 0s);
  EXPECT_SAME_GET(socket, keepalive_idle);
  EXPECT_SAME_SET(socket, keepalive_interval, 5s);
  EXPECT_SAME_SET(socket, keepalive_interval, -5s);
  EXPECT_SAME_GET(socket, keepalive_interval);
  EXPECT_SAME_SET(socket, keepalive_retries, 4U);
  EXPECT_SAME_SET(socket, keepalive_retries, 0U);
  EXPECT_SAME_GET(socket, keepalive_retries);
  EXPECT_SAME_SET(socket, quickack, true);
  EXPECT_SAME_GET(socket, quickack);
  EXPECT_SAME_SET(socket, user_timeout, 2500ms);
  EXPECT_SAME_SET(socket, user_timeout, -1ms);
  EXPECT_SAME_GET(socket, user_timeout);
  EXPECT_SAME_SET(socket, fastopen, 4U);
  EXPECT_SAME_SET(socket, fastopen, above_int_max);
  EXPECT_SAME_GET(socket, fastopen);
  EXPECT_SAME_SET(socket, fastopen_connect, true);
  EXPECT_SAME_GET(socket, fastopen_connect);
  EXPECT_SAME_SET(socket, cork, true);
  EXPECT_SAME_GET(socket, cork);

  // A good value does not throw (where the OS has the option), and the getter sees it.
  if (os_has(Opt::ttl)) {
    socket.set_ttl(99);
    EXPECT_EQ(socket.ttl(), 99U);
  }
  EXPECT_EQ(test::thrown_code([&] { socket.set_ttl(300); }), std::errc::invalid_argument);

  UdpSocket udp = UdpSocket::bind(test::any_local_address());
  EXPECT_SAME_SET(udp, multicast_hops_v6, 3U);  // an IPv4 socket: an error
  EXPECT_SAME_GET(udp, multicast_hops_v6);
  EXPECT_SAME_SET(udp, multicast_if_v4, Ipv4Addr::localhost());
  EXPECT_SAME_SET(udp, multicast_if_v4, Ipv4Addr(192, 0, 2, 1));
  EXPECT_SAME_GET(udp, multicast_if_v4);
  EXPECT_SAME_SET(udp, multicast_if_v6, 0U);
  EXPECT_SAME_GET(udp, multicast_if_v6);
}
#endif

}  // namespace
