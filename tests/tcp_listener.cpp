// net::TcpListener: binding, accepting (non-blocking, close-on-exec, one readable edge per burst of
// connections), registration, options, ownership, empty listeners and running out of
// descriptors (tcp_listener_unix.cpp). Every test that opens sockets runs on the IPv4 and the IPv6
// loopback.
#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/net.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include "support/source_type.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Interest, miocpp::Token;
using miocpp::net::SocketAddr, miocpp::net::TcpListener, miocpp::net::TcpStream;
using test::expect_accepted, test::local_addr_of, test::Ready;

constexpr Token id1{0}, id2{1};

static_assert(test::OwningSource<TcpListener, test::NativeSocket>);
static_assert(
    std::is_same_v<decltype(std::declval<TcpListener&>().accept(std::declval<std::error_code&>())),
                   std::pair<TcpStream, SocketAddr>>);

FAMILY_TEST_SUITE(TcpListenerTest);

TEST_P(TcpListenerTest, BindsPortZeroToARealPort) {
  BIND_LISTENER(listener, address, any_local());
  EXPECT_NE(address.port(), 0);
  EXPECT_EQ(address.ip(), any_local().ip());
  EXPECT_EQ(address.is_ipv6(), ipv6());
  EXPECT_TRUE(test::is_nonblocking(listener.native_handle()));
  EXPECT_TRUE(test::is_close_on_exec(listener.native_handle()));

  // The address really is the one the kernel bound: a raw client can connect to it.
  const test::OwnedFd client = test::raw_connect(address);
  EXPECT_TRUE(client.valid());

  std::error_code ec;
  EXPECT_FALSE(listener.take_error(ec)) << "a healthy listener has no pending error";
  EXPECT_FALSE(ec) << ec.message();
}

TEST_P(TcpListenerTest, AcceptsOneConnectionThenWouldBlock) {
  OPEN_POLL(poll, events(16));
  BIND_LISTENER(listener, address, any_local());
  std::error_code ec;
  REGISTER(poll, listener, id1, Interest::readable);

  RAW_CONNECT(client, address);
  test::expect_events(poll, events, {{id1, Ready::readable}});

  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_NE(stream.native_handle(), test::invalid_socket);
  expect_accepted(stream, peer, address, local_addr_of(client.get()));

  // Accepted streams are non-blocking and close-on-exec, set atomically by the accept.
  EXPECT_TRUE(test::is_nonblocking(stream.native_handle()));
  EXPECT_TRUE(test::is_close_on_exec(stream.native_handle()));
  std::array<std::byte, 20> buffer{};
  EXPECT_EQ(stream.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();

  // No more connections: would-block, with both results empty.
  auto [none, nobody] = listener.accept(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  EXPECT_EQ(none.native_handle(), test::invalid_socket);
  EXPECT_EQ(nobody, SocketAddr());

  EXPECT_FALSE(listener.take_error(ec));
  EXPECT_FALSE(ec) << ec.message();
}

TEST_P(TcpListenerTest, ReportsAReadableEdgePerIncomingConnection) {
  OPEN_POLL(poll, events(16));
  BIND_LISTENER(listener, address, any_local());
  std::error_code ec;
  REGISTER(poll, listener, id1, Interest::readable);
  test::expect_no_events(poll, events);

  std::vector<test::OwnedFd> clients;
  for (int round = 0; round < 3; ++round) {
    clients.push_back(test::raw_connect(address));
    ASSERT_TRUE(clients.back().valid());
    test::expect_events(poll, events, {{id1, Ready::readable}});
    // Edge-triggered: the connection waits, but is reported once only.
    test::expect_no_events(poll, events);
    auto [stream, peer] = listener.accept(ec);
    ASSERT_FALSE(ec) << "round " << round << ": " << ec.message();
    expect_accepted(stream, peer, address, local_addr_of(clients.back().get()));
    (void)listener.accept(ec);
    EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
    // Drained: nothing more until the next connection.
    test::expect_no_events(poll, events);
  }
}

TEST_P(TcpListenerTest, ReregisterReplacesTheToken) {
  OPEN_POLL(poll, events(16));
  BIND_LISTENER(listener, address, any_local());
  std::error_code ec;
  REGISTER(poll, listener, id1, Interest::readable);
  REREGISTER(poll, listener, id2, Interest::readable);

  RAW_CONNECT(client, address);
  bool saw_old_token = false;
  EXPECT_TRUE(test::wait_for_event(
      poll, events, id2, [&](const miocpp::Event& event) { return event.is_readable(); }));
  for (const miocpp::Event& event : events) {
    saw_old_token = saw_old_token || event.token() == id1;
  }
  EXPECT_FALSE(saw_old_token);

  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_accepted(stream, peer, address, local_addr_of(client.get()));
  (void)listener.accept(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block);
}

TEST_P(TcpListenerTest, DeregisteredListenerGivesNoEventsButStillAccepts) {
  OPEN_POLL(poll, events(16));
  BIND_LISTENER(listener, address, any_local());
  std::error_code ec;
  REGISTER(poll, listener, id1, Interest::readable);

  RAW_CONNECT(client, address);
  DEREGISTER(poll, listener);
  test::expect_no_events(poll, events, 100ms);

  // The connection is queued all the same.
  ASSERT_TRUE(test::raw_wait(listener.native_handle(), POLLIN));
  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_accepted(stream, peer, address, local_addr_of(client.get()));
  (void)listener.accept(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block);

  // And it may be registered again.
  poll.registry().register_source(listener, id2, Interest::readable, ec);
  EXPECT_FALSE(ec) << ec.message();
  const test::OwnedFd second = test::raw_connect(address);
  test::expect_events(poll, events, {{id2, Ready::readable}});
}

TEST_P(TcpListenerTest, DroppedReadyListenerGivesNoEvents) {
  OPEN_POLL(poll, events(16));
  SocketAddr address;
  test::OwnedFd client;
  {
    BIND_LISTENER(listener, bound, any_local());
    address = bound;
    std::error_code ec;
    REGISTER(poll, listener, id1, Interest::readable);
    // A pending connection makes it ready; it is closed before anyone polls.
    client = test::raw_connect(address);
    ASSERT_TRUE(test::raw_wait(listener.native_handle(), POLLIN));
  }
  std::error_code ec;
  poll.poll(events, 100ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  for (const miocpp::Event& event : events) {
    ADD_FAILURE() << "event for a closed listener: " << event;
  }
  // The port was released with the listener: it can be bound again.
  const TcpListener again = TcpListener::bind(address, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_P(TcpListenerTest, SecondConnectionAfterAcceptGivesASecondEdge) {
  OPEN_POLL(poll, events(16));
  BIND_LISTENER(listener, address, any_local());
  std::error_code ec;
  REGISTER(poll, listener, id1, Interest::readable);

  // The second client connects from another thread while this one waits in poll.
  const test::OwnedFd first = test::raw_connect(address);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  auto accepted = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  (void)listener.accept(ec);
  ASSERT_EQ(ec, std::errc::operation_would_block);

  test::OwnedFd second;
  std::jthread connector([&] {
    std::this_thread::sleep_for(20ms);
    second = test::raw_connect(address);
  });
  test::expect_events(poll, events, {{id1, Ready::readable}});
  connector.join();
  ASSERT_TRUE(second.valid());
  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_accepted(stream, peer, address, local_addr_of(second.get()));
  test::expect_no_events(poll, events);
}

TEST_P(TcpListenerTest, TtlRoundTrips) {
  BIND_LISTENER(listener, address, any_local());
  std::error_code ec;
  const std::uint32_t initial = listener.ttl(ec);
  EXPECT_FALSE(ec) << "ttl without a previous set_ttl: " << ec.message();
  EXPECT_GT(initial, 0U);
  EXPECT_LE(initial, 255U);
  for (const std::uint32_t ttl : {10U, 1U, 255U}) {
    listener.set_ttl(ttl, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(listener.ttl(ec), ttl);
    EXPECT_FALSE(ec) << ec.message();
  }
  // Checked before the OS sees them: 0xFFFFFFFF would reach Linux as -1, "the default".
  for (const std::uint32_t ttl : {256U, 0x80000000U, 0xFFFFFFFFU}) {
    listener.set_ttl(ttl, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << ttl << ": " << ec.message();
    EXPECT_EQ(listener.ttl(ec), 255U) << "a refused set_ttl(" << ttl << ") changed the TTL";
  }
  EXPECT_FALSE(listener.take_error(ec));
  EXPECT_FALSE(ec);
}

TEST_P(TcpListenerTest, NativeHandleReleaseAndFromNativeTransferOwnership) {
  BIND_LISTENER(listener, address, any_local());
  const test::NativeSocket fd = listener.native_handle();
  ASSERT_NE(fd, test::invalid_socket);
  EXPECT_EQ(listener.release(), fd);
  EXPECT_EQ(listener.native_handle(), test::invalid_socket);
  EXPECT_TRUE(test::is_open_descriptor(fd)) << "release must not close";

  std::error_code ec;
  (void)listener.local_addr(ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);

  {
    TcpListener adopted = TcpListener::from_native(fd);
    EXPECT_EQ(adopted.native_handle(), fd);
    EXPECT_EQ(adopted.local_addr(ec), address);
    EXPECT_FALSE(ec) << ec.message();

    // Moving hands the descriptor on and leaves the source empty.
    TcpListener moved = std::move(adopted);
    EXPECT_EQ(moved.native_handle(), fd);
    EXPECT_EQ(adopted.native_handle(), test::invalid_socket);  // NOLINT(bugprone-use-after-move)
    const test::OwnedFd client = test::raw_connect(address);
    ASSERT_TRUE(test::raw_wait(moved.native_handle(), POLLIN));
    auto [stream, peer] = moved.accept(ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_NE(stream.native_handle(), test::invalid_socket);
  }
  EXPECT_FALSE(test::is_open_descriptor(fd)) << "the adopting listener closes on destruction";
}

TEST_P(TcpListenerTest, AdoptsARawListeningSocket) {
  OPEN_POLL(poll, events(16));
  OPEN_RAW(raw, address, test::raw_listen, any_local());
  // A listener made elsewhere is blocking; whoever hands it over makes it non-blocking first.
  const test::NativeSocket fd = test::release_nonblocking(raw);
  ASSERT_NE(fd, test::invalid_socket);

  TcpListener listener = TcpListener::from_native(fd);
  std::error_code ec;
  EXPECT_EQ(listener.local_addr(ec), address);
  REGISTER(poll, listener, id1, Interest::readable);
  const test::OwnedFd client = test::raw_connect(address);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_accepted(stream, peer, address, local_addr_of(client.get()));
  EXPECT_TRUE(test::is_nonblocking(stream.native_handle()));
  EXPECT_TRUE(test::is_close_on_exec(stream.native_handle()));
  (void)listener.accept(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block);
}

TEST_P(TcpListenerTest, BindingAPortInUseGivesAddressInUse) {
  BIND_LISTENER(first, address, any_local());
  std::error_code ec;
  const TcpListener second = TcpListener::bind(address, ec);
  EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();
  EXPECT_EQ(second.native_handle(), test::invalid_socket)
      << "a failed bind gives an empty listener";

  // A connected socket's port is in use too, even with SO_REUSEADDR.
  const test::OwnedFd client = test::raw_connect(address);
  ASSERT_TRUE(test::raw_wait(first.native_handle(), POLLIN));
  auto accepted = first.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  const TcpListener third = TcpListener::bind(address, ec);
  EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();
}

TEST_P(TcpListenerTest, BindingANonLocalAddressFailsCleanly) {
  // 192.0.2.1 and 2001:db8::1 are documentation addresses that no host has.
  const SocketAddr foreign =
      ipv6() ? SocketAddr(miocpp::net::Ipv6Addr(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 0)
             : SocketAddr(miocpp::net::Ipv4Addr(192, 0, 2, 1), 0);
  std::error_code ec;
  const TcpListener listener = TcpListener::bind(foreign, ec);
  EXPECT_EQ(ec, std::errc::address_not_available) << ec.message();
  EXPECT_EQ(listener.native_handle(), test::invalid_socket);
}

#if MIOCPP_HAS_EXCEPTIONS
TEST_P(TcpListenerTest, ThrowingOverloads) {
  TcpListener listener = TcpListener::bind(any_local());
  const SocketAddr address = listener.local_addr();
  EXPECT_NE(address.port(), 0);
  listener.set_ttl(42);
  EXPECT_EQ(listener.ttl(), 42U);
  EXPECT_FALSE(listener.take_error());
  EXPECT_EQ(test::thrown_code([&] { (void)listener.accept(); }), std::errc::operation_would_block);
  EXPECT_EQ(test::thrown_code([&] { (void)TcpListener::bind(address); }),
            std::errc::address_in_use);
  const test::OwnedFd client = test::raw_connect(address);
  ASSERT_TRUE(test::raw_wait(listener.native_handle(), POLLIN));
  auto [stream, peer] = listener.accept();
  expect_accepted(stream, peer, address, local_addr_of(client.get()));
}
#endif

// ---- Not parameterised --------------------------------------------------------------------------

class TcpListenerEmpty : public test::LeakChecked<> {};

TEST_F(TcpListenerEmpty, EveryCallReportsBadFileDescriptor) {
  TcpListener listener;
  EXPECT_EQ(listener.native_handle(), test::invalid_socket);
  std::error_code ec;

  auto [stream, peer] = listener.accept(ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(stream.native_handle(), test::invalid_socket);
  EXPECT_EQ(peer, SocketAddr());

  ec.clear();
  EXPECT_EQ(listener.local_addr(ec), SocketAddr());
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();

  ec.clear();
  listener.set_ttl(10, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();

  ec.clear();
  EXPECT_EQ(listener.ttl(ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();

  ec.clear();
  EXPECT_FALSE(listener.take_error(ec));
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();

  OPEN_POLL(poll);
  ec.clear();
  poll.registry().register_source(listener, id1, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  // It never became registered, so there is nothing to change or remove.
  ec.clear();
  poll.registry().reregister(listener, id1, Interest::readable, ec);
  EXPECT_TRUE(ec);
  ec.clear();
  poll.registry().deregister(listener, ec);
  EXPECT_TRUE(ec);

  EXPECT_EQ(listener.release(), test::invalid_socket);
  TcpListener moved = std::move(listener);
  EXPECT_EQ(moved.native_handle(), test::invalid_socket);

#if MIOCPP_HAS_EXCEPTIONS
  EXPECT_EQ(test::thrown_code([&] { (void)moved.local_addr(); }), std::errc::bad_file_descriptor);
  EXPECT_EQ(test::thrown_code([&] { (void)moved.accept(); }), std::errc::bad_file_descriptor);
#endif
}

TEST_F(TcpListenerEmpty, MoveAssignmentClosesTheOldListener) {
  std::error_code ec;
  TcpListener first = TcpListener::bind(test::any_local_address(), ec);
  ASSERT_FALSE(ec) << ec.message();
  TcpListener second = TcpListener::bind(test::any_local_address(), ec);
  ASSERT_FALSE(ec) << ec.message();
  const test::NativeSocket first_fd = first.native_handle();
  const test::NativeSocket second_fd = second.native_handle();
  first = std::move(second);
  EXPECT_EQ(first.native_handle(), second_fd);
  EXPECT_FALSE(test::is_open_descriptor(first_fd));
}

}  // namespace
