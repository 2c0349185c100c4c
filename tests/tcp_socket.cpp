// net::TcpSocket, the builder of listeners and streams: a new socket, bind then listen then
// accept, connect (with or without a source address), the hand-over (listen and connect leave
// the TcpSocket empty on success and keep its socket on error), options set before the hand-over
// staying with the socket, port sharing (reuse_port), IPv6-only listeners, the throwing overloads
// and the empty socket. Every test that opens sockets runs on the IPv4 and the IPv6 loopback.
#include <array>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/net.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include "support/socket_api.hpp"
#include "support/socket_options.hpp"
#include "support/text.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Interest, miocpp::Token;
using miocpp::net::Ipv4Addr, miocpp::net::Ipv6Addr, miocpp::net::SocketAddr;
using miocpp::net::TcpListener, miocpp::net::TcpSocket, miocpp::net::TcpStream;
using test::bytes_of, test::Opt, test::Ready;

constexpr Token id1{1}, id2{2};
constexpr std::uint32_t above_int_max = std::uint32_t{INT_MAX} + 1U;

// A builder, not an event source: registering it would leave the registration behind with the
// socket that listen or connect hands over.
static_assert(!miocpp::event::Source<TcpSocket>);
static_assert(std::is_nothrow_default_constructible_v<TcpSocket>);
static_assert(std::is_nothrow_move_constructible_v<TcpSocket>);
static_assert(std::is_nothrow_move_assignable_v<TcpSocket>);
static_assert(!std::is_copy_constructible_v<TcpSocket> && !std::is_copy_assignable_v<TcpSocket>);
static_assert(std::is_same_v<TcpSocket::native_handle_type, test::NativeSocket>);
static_assert(std::is_same_v<
              decltype(std::declval<TcpSocket&>().listen(1U, std::declval<std::error_code&>())),
              TcpListener>);
static_assert(
    std::is_same_v<decltype(std::declval<TcpSocket&>().connect(std::declval<const SocketAddr&>(),
                                                               std::declval<std::error_code&>())),
                   TcpStream>);
static_assert(noexcept(std::declval<TcpSocket&>().listen(1U, std::declval<std::error_code&>())));

/// A new TcpSocket of `address`'s family; the test stops if there is none.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): ASSERT_ must sit in the test body
#define NEW_SOCKET(name, address)                              \
  std::error_code name##_ec;                                   \
  TcpSocket name = TcpSocket::for_address(address, name##_ec); \
  ASSERT_FALSE(name##_ec) << "TcpSocket::for_address(" << (address) << "): " << name##_ec.message()

/// Binds `socket` to any_local() and names the address it got `address`: a port of its own on
/// the loopback address asked for. The test stops if not.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): ASSERT_ must sit in the test body
#define BIND_ANY(socket, address)                                   \
  std::error_code socket##_bind_ec;                                 \
  (socket).bind(any_local(), socket##_bind_ec);                     \
  ASSERT_FALSE(socket##_bind_ec) << socket##_bind_ec.message();     \
  const SocketAddr address = (socket).local_addr(socket##_bind_ec); \
  ASSERT_FALSE(socket##_bind_ec) << socket##_bind_ec.message();     \
  EXPECT_NE((address).port(), 0);                                   \
  EXPECT_EQ((address).ip(), any_local().ip())

/// Expects `stream` (connecting) and `server` to carry `text` from the first to the second.
void expect_carries(TcpStream& stream, TcpStream& server, std::string_view text) {
  std::error_code ec;
  ASSERT_TRUE(test::raw_wait(stream.native_handle(), POLLOUT)) << "never connected";
  EXPECT_EQ(stream.write(bytes_of(text), ec), text.size());
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(test::raw_wait(server.native_handle(), POLLIN)) << "nothing arrived";
  std::array<std::byte, 64> buffer{};
  const std::size_t count = server.read(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(test::as_string(std::span(buffer).first(count)), text);
}

/// The address of the same port on the other family's loopback.
SocketAddr other_family(const SocketAddr& address) {
  return address.is_ipv6() ? SocketAddr(Ipv4Addr::localhost(), address.port())
                           : SocketAddr(Ipv6Addr::localhost(), address.port());
}

/// Leak-checked, once per loopback family; the IPv6 run skips where there is no ::1.
class TcpSocketTest : public test::FamilyTest {
 protected:
  void SetUp() override {
    test::FamilyTest::SetUp();
    if (ipv6()) {
      REQUIRE_IPV6_LOOPBACK();
    }
  }
};
INSTANTIATE_TEST_SUITE_P(Loopback, TcpSocketTest, testing::ValuesIn(test::loopback_families()),
                         test::family_name);

TEST_P(TcpSocketTest, ANewSocketIsNonBlockingCloseOnExecAndUnbound) {
  NEW_SOCKET(socket, any_local());
  ASSERT_NE(socket.native_handle(), test::invalid_socket);
  EXPECT_TRUE(test::is_close_on_exec(socket.native_handle()));
  if constexpr (!MIOCPP_OS_WINDOWS) {
    // Winsock cannot be asked, and its probe needs a listening or connected socket: the
    // listener test below checks it there.
    EXPECT_TRUE(test::is_nonblocking(socket.native_handle()));
  }
  std::error_code ec = test::stale_error();
  const SocketAddr local = socket.local_addr(ec);
  if (test::unbound_sockets_refuse_local_addr_and_listen) {
    EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  } else {
    EXPECT_FALSE(ec) << "local_addr of an unbound socket: " << ec.message();
    EXPECT_TRUE(local.ip().is_unspecified()) << local;
    EXPECT_EQ(local.port(), 0);
    EXPECT_EQ(local.is_ipv6(), ipv6());
  }

  // v4() and v6() make the family they name.
  TcpSocket named = ipv6() ? TcpSocket::v6(ec) : TcpSocket::v4(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_NE(named.native_handle(), test::invalid_socket);
  named.bind(any_local(), ec);
  ASSERT_FALSE(ec) << "binding to " << any_local() << ": " << ec.message();
  EXPECT_EQ(named.local_addr(ec).is_ipv6(), ipv6());
  EXPECT_FALSE(ec) << ec.message();
}

TEST_P(TcpSocketTest, BindListenAndAcceptARealConnection) {
  OPEN_POLL(poll, events(8));
  NEW_SOCKET(socket, any_local());
  BIND_ANY(socket, address);
  std::error_code ec;

  const test::NativeSocket handle = socket.native_handle();
  TcpListener listener = socket.listen(16, ec);
  ASSERT_FALSE(ec) << ec.message();
  // Handed over: the listener has the very socket, and the builder nothing.
  EXPECT_EQ(listener.native_handle(), handle);
  EXPECT_EQ(socket.native_handle(), test::invalid_socket);
  EXPECT_EQ(listener.local_addr(ec), address);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::is_nonblocking(listener.native_handle()));
  EXPECT_TRUE(test::is_close_on_exec(listener.native_handle()));

  REGISTER(poll, listener, id1, Interest::readable);
  RAW_CONNECT(client, address);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_accepted(stream, peer, address, test::local_addr_of(client.get()));

  ASSERT_TRUE(test::raw_send_all(client.get(), bytes_of(test::data1)));
  ASSERT_TRUE(test::raw_wait(stream.native_handle(), POLLIN));
  std::array<std::byte, 64> buffer{};
  const std::size_t count = stream.read(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(test::as_string(std::span(buffer).first(count)), test::data1);
  (void)listener.accept(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

TEST_P(TcpSocketTest, ListeningWithoutBindingPicksAFreePort) {
  NEW_SOCKET(socket, any_local());
  std::error_code ec;
  TcpListener listener = socket.listen(16, ec);
  if (test::unbound_sockets_refuse_local_addr_and_listen) {
    EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
    EXPECT_NE(socket.native_handle(), test::invalid_socket) << "a failed listen kept no socket";
    return;
  }
  ASSERT_FALSE(ec) << ec.message();
  const SocketAddr local = listener.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_NE(local.port(), 0);
  EXPECT_TRUE(local.ip().is_unspecified()) << local;

  SocketAddr loopback = any_local();
  loopback.set_port(local.port());
  RAW_CONNECT(client, loopback);
  ASSERT_TRUE(test::raw_wait(listener.native_handle(), POLLIN));
  auto [stream, peer] = listener.accept(ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_NE(stream.native_handle(), test::invalid_socket);
}

TEST_P(TcpSocketTest, ABacklogAboveIntMaxIsRefusedAndTheSocketKept) {
  NEW_SOCKET(socket, any_local());
  const test::NativeSocket handle = socket.native_handle();
  std::error_code ec;
  for (const std::uint32_t backlog : {above_int_max, UINT32_MAX}) {
    TcpListener refused = socket.listen(backlog, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << backlog << ": " << ec.message();
    EXPECT_EQ(refused.native_handle(), test::invalid_socket);
    EXPECT_EQ(socket.native_handle(), handle);
  }
  // Still a socket that can listen; 0 is a backlog the OS rounds up.
  socket.bind(any_local(), ec);
  ASSERT_FALSE(ec) << ec.message();
  TcpListener listener = socket.listen(0, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(listener.native_handle(), handle);
  EXPECT_EQ(socket.native_handle(), test::invalid_socket);
}

TEST_P(TcpSocketTest, AFailedListenKeepsTheSocket) {
  if constexpr (!MIOCPP_OS_LINUX) {
    GTEST_SKIP() << "two sockets bound to one port with SO_REUSEADDR, neither listening, is "
                    "Linux's; the BSDs refuse the second bind and Windows lets both listen";
  }
  NEW_SOCKET(first, any_local());
  NEW_SOCKET(second, any_local());
  std::error_code ec;
  first.set_reuse_address(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  second.set_reuse_address(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  first.bind(any_local(), ec);
  ASSERT_FALSE(ec) << ec.message();
  const SocketAddr address = first.local_addr(ec);
  second.bind(address, ec);
  ASSERT_FALSE(ec) << "a second SO_REUSEADDR bind to a port nobody listens on: " << ec.message();

  TcpListener listening = first.listen(8, ec);
  ASSERT_FALSE(ec) << ec.message();
  const test::NativeSocket handle = second.native_handle();
  TcpListener refused = second.listen(8, ec);
  EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();
  EXPECT_EQ(refused.native_handle(), test::invalid_socket);
  EXPECT_EQ(second.native_handle(), handle);
  EXPECT_TRUE(test::is_open_descriptor(handle));

  // Once the port is free the kept socket listens on it.
  listening = TcpListener();
  TcpListener listener = second.listen(8, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(listener.native_handle(), handle);
  EXPECT_EQ(listener.local_addr(ec), address);
}

TEST_P(TcpSocketTest, ConnectHandsTheSocketToAStreamThatCompletes) {
  OPEN_POLL(poll, events(8));
  BIND_LISTENER(listener, address, any_local());
  NEW_SOCKET(socket, address);
  const test::NativeSocket handle = socket.native_handle();
  std::error_code ec;
  TcpStream stream = socket.connect(address, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(stream.native_handle(), handle);
  EXPECT_EQ(socket.native_handle(), test::invalid_socket);

  REGISTER(poll, stream, id1, Interest::writable);
  test::expect_events(poll, events, {{id1, Ready::writable}});
  EXPECT_FALSE(stream.take_error(ec)) << "the connection failed";
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(stream.peer_addr(ec), address);
  EXPECT_FALSE(ec) << ec.message();

  ASSERT_TRUE(test::raw_wait(listener.native_handle(), POLLIN));
  auto [server, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(peer, stream.local_addr(ec));
  expect_carries(stream, server, test::data1);
  expect_carries(server, stream, test::data2);
}

TEST_P(TcpSocketTest, AFailedConnectKeepsTheSocketForAnotherTry) {
  BIND_LISTENER(listener, address, any_local());
  NEW_SOCKET(socket, address);
  const test::NativeSocket handle = socket.native_handle();
  std::error_code ec;
  // An address of the other family: refused at once, before any packet.
  TcpStream refused = socket.connect(other_family(address), ec);
  EXPECT_TRUE(ec) << "an IPv" << (ipv6() ? 6 : 4) << " socket connected to "
                  << other_family(address);
  if constexpr (MIOCPP_OS_LINUX) {
    // Linux judges the address length first for IPv6, the family for IPv4.
    EXPECT_EQ(ec, ipv6() ? std::errc::invalid_argument : std::errc::address_family_not_supported)
        << ec.message();
  }
  EXPECT_EQ(refused.native_handle(), test::invalid_socket);
  EXPECT_EQ(socket.native_handle(), handle);

  TcpStream stream = socket.connect(address, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(stream.native_handle(), handle);
  EXPECT_EQ(socket.native_handle(), test::invalid_socket);
  ASSERT_TRUE(test::raw_wait(stream.native_handle(), POLLOUT));
  EXPECT_FALSE(stream.take_error(ec));
  EXPECT_EQ(stream.peer_addr(ec), address);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_P(TcpSocketTest, BindingBeforeConnectChoosesTheSourceAddress) {
  BIND_LISTENER(listener, address, any_local());
  NEW_SOCKET(socket, address);
  BIND_ANY(socket, source);
  std::error_code ec;

  TcpStream stream = socket.connect(address, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(test::raw_wait(stream.native_handle(), POLLOUT));
  EXPECT_EQ(stream.local_addr(ec), source);
  EXPECT_FALSE(ec) << ec.message();
  ASSERT_TRUE(test::raw_wait(listener.native_handle(), POLLIN));
  auto [server, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(peer, source) << "the listener saw another source";
}

TEST_P(TcpSocketTest, BindErrorsLeaveTheSocketUsable) {
  BIND_LISTENER(listener, address, any_local());
  NEW_SOCKET(socket, address);
  const test::NativeSocket handle = socket.native_handle();
  std::error_code ec;
  socket.bind(address, ec);  // the listener's port
  EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();
  EXPECT_EQ(socket.native_handle(), handle);

  socket.bind(any_local(), ec);
  ASSERT_FALSE(ec) << "a bind after a failed one: " << ec.message();
  socket.bind(any_local(), ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << "bound twice: " << ec.message();

  TcpListener second = socket.listen(4, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_P(TcpSocketTest, OptionsSetBeforeTheHandOverStayWithTheSocket) {
  BIND_LISTENER(listener, address, any_local());
  NEW_SOCKET(socket, address);
  std::error_code ec;
  socket.set_nodelay(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  socket.set_keepalive(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  socket.set_recv_buffer_size(std::size_t{48} * 1024, ec);
  ASSERT_FALSE(ec) << ec.message();
  const std::size_t recv_buffer = socket.recv_buffer_size(ec);
  socket.set_keepalive_idle(77s, ec);
  test::expect_outcome(ec, test::expected_set_error(Opt::keepalive_idle), "keepalive_idle");

  TcpStream stream = socket.connect(address, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(test::raw_wait(stream.native_handle(), POLLOUT));
  EXPECT_TRUE(stream.nodelay(ec));
  EXPECT_TRUE(stream.keepalive(ec));
  EXPECT_EQ(stream.recv_buffer_size(ec), recv_buffer);
  EXPECT_FALSE(ec) << ec.message();
  if (!test::expected_get_error(Opt::keepalive_idle)) {
    EXPECT_EQ(stream.keepalive_idle(ec), 77s);
    EXPECT_FALSE(ec) << ec.message();
  }

  NEW_SOCKET(server_socket, any_local());
  server_socket.set_reuse_address(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  server_socket.set_nodelay(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  server_socket.bind(any_local(), ec);
  ASSERT_FALSE(ec) << ec.message();
  TcpListener other = server_socket.listen(4, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(other.reuse_address(ec));
  EXPECT_TRUE(other.nodelay(ec));
  EXPECT_FALSE(ec) << ec.message();
}

TEST_P(TcpSocketTest, ReusePortLetsTwoSocketsListenOnOnePort) {
  NEW_SOCKET(first, any_local());
  std::error_code ec;
  first.set_reuse_port(true, ec);
  if (!test::os_has(Opt::reuse_port)) {
    EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
    return;  // nothing to share the port with on this backend
  }
  ASSERT_FALSE(ec) << ec.message();
  first.bind(any_local(), ec);
  ASSERT_FALSE(ec) << ec.message();
  const SocketAddr address = first.local_addr(ec);
  NEW_SOCKET(second, address);
  second.set_reuse_port(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  second.bind(address, ec);
  ASSERT_FALSE(ec) << "a second SO_REUSEPORT socket on " << address << ": " << ec.message();

  std::array<TcpListener, 2> listeners{first.listen(16, ec), TcpListener()};
  ASSERT_FALSE(ec) << ec.message();
  listeners[1] = second.listen(16, ec);
  ASSERT_FALSE(ec) << "the second listener on " << address << ": " << ec.message();
  EXPECT_EQ(listeners[1].local_addr(ec), address);

  // Every connection is queued at one of them, and only once.
  OPEN_POLL(poll, events(8));
  REGISTER(poll, listeners[0], id1, Interest::readable);
  REGISTER(poll, listeners[1], id2, Interest::readable);
  constexpr std::size_t clients = 8;
  std::vector<test::OwnedFd> connected;
  for (std::size_t i = 0; i < clients; ++i) {
    connected.push_back(test::raw_connect(address));
    ASSERT_TRUE(connected.back().valid());
  }
  std::size_t accepted = 0;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (accepted < clients && std::chrono::steady_clock::now() < deadline) {
    poll.poll(events, 50ms, ec);
    ASSERT_FALSE(ec) << ec.message();
    for (TcpListener& listener : listeners) {
      for (;;) {
        auto [stream, peer] = listener.accept(ec);
        if (ec) {
          EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
          break;
        }
        ++accepted;
      }
    }
  }
  EXPECT_EQ(accepted, clients);
}

TEST_P(TcpSocketTest, WithoutReusePortASecondSocketCannotBindAListeningPort) {
  BIND_LISTENER(listener, address, any_local());
  NEW_SOCKET(socket, address);
  std::error_code ec;
  if (test::os_has(Opt::reuse_port)) {
    EXPECT_FALSE(socket.reuse_port(ec)) << "on by default";
    EXPECT_FALSE(listener.reuse_port(ec)) << "TcpListener::bind set it";
    EXPECT_FALSE(ec) << ec.message();
  }
  socket.bind(address, ec);
  EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();

  // Even asking for it on the second socket alone is not enough: both must.
  socket.set_reuse_port(true, ec);
  if (test::os_has(Opt::reuse_port)) {
    ASSERT_FALSE(ec) << ec.message();
    socket.bind(address, ec);
    EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();
  }
}

#if MIOCPP_HAS_EXCEPTIONS
TEST_P(TcpSocketTest, ThrowingOverloadsThrowTheCodesTheOthersReport) {
  TcpSocket socket = ipv6() ? TcpSocket::v6() : TcpSocket::v4();
  socket.bind(any_local());
  const SocketAddr address = socket.local_addr();

  TcpSocket other = TcpSocket::for_address(address);
  std::error_code ec;
  other.bind(address, ec);
  ASSERT_TRUE(ec) << "a second bind to " << address;
  EXPECT_EQ(test::thrown_code([&] { other.bind(address); }), ec);

  EXPECT_EQ(test::thrown_code([&] { (void)socket.listen(above_int_max); }),
            std::errc::invalid_argument);
  EXPECT_NE(socket.native_handle(), test::invalid_socket);
  TcpListener listener = socket.listen(16);
  EXPECT_EQ(socket.native_handle(), test::invalid_socket);
  EXPECT_EQ(listener.local_addr(), address);

  TcpSocket client = TcpSocket::for_address(address);
  (void)client.connect(other_family(address), ec);
  ASSERT_TRUE(ec);
  EXPECT_EQ(test::thrown_code([&] { (void)client.connect(other_family(address)); }), ec);
  EXPECT_NE(client.native_handle(), test::invalid_socket);
  TcpStream stream = client.connect(address);
  EXPECT_EQ(client.native_handle(), test::invalid_socket);
  ASSERT_TRUE(test::raw_wait(stream.native_handle(), POLLOUT));
  EXPECT_EQ(stream.peer_addr(), address);

  TcpSocket empty;
  EXPECT_EQ(test::thrown_code([&] { (void)empty.listen(1); }), std::errc::bad_file_descriptor);
  EXPECT_EQ(test::thrown_code([&] { (void)empty.connect(address); }),
            std::errc::bad_file_descriptor);
}
#endif

// ---- IPv6-only listeners ------------------------------------------------------------------------

class OnlyV6 : public test::LeakChecked<> {
 protected:
  void SetUp() override {
    test::LeakChecked<>::SetUp();
    REQUIRE_IPV6_LOOPBACK();
  }

  /// A listener on [::] with IPV6_V6ONLY set to `only`; its port goes to `port`.
  static TcpListener listen_on_any(bool only, std::uint16_t& port) {
    std::error_code ec;
    TcpSocket socket = TcpSocket::v6(ec);
    EXPECT_FALSE(ec) << ec.message();
    socket.set_only_v6(only, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(socket.only_v6(ec), only);
    socket.bind(SocketAddr(Ipv6Addr::unspecified(), 0), ec);
    EXPECT_FALSE(ec) << ec.message();
    port = socket.local_addr(ec).port();
    TcpListener listener = socket.listen(8, ec);
    EXPECT_FALSE(ec) << ec.message();
    return listener;
  }
};

TEST_F(OnlyV6, ANewIpv6SocketHasTheSystemsDefault) {
  std::error_code ec;
  const TcpSocket socket = TcpSocket::v6(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(socket.only_v6(ec), test::default_only_v6());
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(OnlyV6, AnIpv6OnlyListenerLeavesIpv4ToOthers) {
  std::uint16_t port = 0;
  TcpListener listener = listen_on_any(true, port);
  ASSERT_NE(listener.native_handle(), test::invalid_socket);
  const SocketAddr ipv4(Ipv4Addr::localhost(), port);

  // The IPv4 side of the port is free: another socket can bind it (and, bound but not
  // listening, makes sure nothing else answers there).
  test::OwnedFd holder = test::raw_tcp_socket(ipv4);
  ASSERT_TRUE(holder.valid());
  const test::RawAddress raw = test::to_raw_address(ipv4);
  ASSERT_EQ(::bind(holder.get(), raw.get(), raw.length), 0)
      << "binding " << ipv4
      << " beside an IPv6-only listener: " << test::last_socket_error_message();

  test::OwnedFd client = test::raw_tcp_socket(ipv4);
  ASSERT_TRUE(client.valid());
  EXPECT_NE(::connect(client.get(), raw.get(), raw.length), 0) << "an IPv4 client got through";
  EXPECT_EQ(test::last_socket_error(), std::errc::connection_refused)
      << test::last_socket_error_message();
  std::error_code ec;
  (void)listener.accept(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

TEST_F(OnlyV6, ADualStackListenerAcceptsIpv4Clients) {
  std::uint16_t port = 0;
  TcpListener listener = listen_on_any(false, port);
  ASSERT_NE(listener.native_handle(), test::invalid_socket);
  const SocketAddr ipv4(Ipv4Addr::localhost(), port);

  RAW_CONNECT(client, ipv4);
  ASSERT_TRUE(test::raw_wait(listener.native_handle(), POLLIN));
  std::error_code ec;
  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(peer.port(), test::local_addr_of(client.get()).port()) << peer;
  ASSERT_TRUE(test::raw_send_all(client.get(), bytes_of(test::data1)));
  ASSERT_TRUE(test::raw_wait(stream.native_handle(), POLLIN));
  std::array<std::byte, 64> buffer{};
  const std::size_t count = stream.read(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(test::as_string(std::span(buffer).first(count)), test::data1);
}

// ---- The empty socket ---------------------------------------------------------------------------

class TcpSocketEmpty : public test::LeakChecked<> {};

TEST_F(TcpSocketEmpty, EveryCallReportsBadFileDescriptorAndHandsNothingOver) {
  TcpSocket socket;
  EXPECT_EQ(socket.native_handle(), test::invalid_socket);
  const SocketAddr address = test::any_local_address();
  std::error_code ec;
  socket.bind(address, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  ec.clear();
  const TcpListener listener = socket.listen(8, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(listener.native_handle(), test::invalid_socket);
  ec.clear();
  const TcpStream stream = socket.connect(address, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(stream.native_handle(), test::invalid_socket);
  ec.clear();
  socket.set_nodelay(true, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  ec.clear();
  EXPECT_EQ(socket.local_addr(ec), SocketAddr());
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(socket.release(), test::invalid_socket);
}

TEST_F(TcpSocketEmpty, MoveAssignmentClosesTheOldSocket) {
  std::error_code ec;
  TcpSocket first = TcpSocket::v4(ec);
  ASSERT_FALSE(ec) << ec.message();
  TcpSocket second = TcpSocket::v4(ec);
  ASSERT_FALSE(ec) << ec.message();
  const test::NativeSocket first_handle = first.native_handle();
  const test::NativeSocket second_handle = second.native_handle();
  first = std::move(second);
  EXPECT_EQ(first.native_handle(), second_handle);
  EXPECT_FALSE(test::is_open_descriptor(first_handle));
}

}  // namespace
