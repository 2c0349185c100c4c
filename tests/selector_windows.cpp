// The IOCP/AFD selector with sockets (Windows only, while the POSIX-descriptor suites poll,
// registering and close_on_drop cannot run here): edge-triggered re-arming through would-block,
// registrations from another thread during a blocked poll, and sockets or Polls dropped while an
// AFD poll is in flight.
#include <chrono>
#include <cstddef>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events;
using miocpp::Interest;
using miocpp::Poll;
using miocpp::Token;
using miocpp::net::SocketAddr;
using miocpp::net::TcpListener;
using miocpp::net::TcpStream;
using miocpp::net::UdpSocket;

#define OPEN_POLL(name)      \
  std::error_code name##_ec; \
  Poll name(name##_ec);      \
  ASSERT_FALSE(name##_ec) << name##_ec.message()

SocketAddr loopback() {
  return {miocpp::net::Ipv4Addr::localhost(), 0};
}

struct UdpPair {
  UdpSocket receiver;
  UdpSocket sender;
  SocketAddr target;
};

UdpPair udp_pair() {
  UdpPair pair{UdpSocket::bind(loopback()), UdpSocket::bind(loopback()), {}};
  pair.target = pair.receiver.local_addr();
  return pair;
}

std::size_t drain(UdpSocket& socket) {
  std::size_t count = 0;
  std::byte buffer[64]{};
  for (;;) {
    std::error_code ec;
    (void)socket.recv(buffer, ec);
    if (ec) {
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
      return count;
    }
    ++count;
  }
}

TEST(WindowsSelector, WouldBlockIsWinsockErrorAndComparesEqualToErrc) {
  UdpSocket socket = UdpSocket::bind(loopback());
  std::byte buffer[4]{};
  std::error_code ec;
  (void)socket.recv(buffer, ec);
  EXPECT_EQ(ec, std::errc::operation_would_block);
  EXPECT_EQ(ec.value(), WSAEWOULDBLOCK);
  EXPECT_EQ(ec.default_error_condition(), std::errc::operation_would_block);
}

TEST(WindowsSelector, ReadinessIsReportedOnceUntilAnOperationWouldBlock) {
  OPEN_POLL(poll);
  Events events(16);
  UdpPair pair = udp_pair();
  poll.registry().register_source(pair.receiver, Token{1}, Interest::readable);
  pair.sender.send_to(test::bytes_of("a"), pair.target);
  test::expect_events(poll, events, {{Token{1}, test::Ready::readable}});

  // Still readable, but not drained: edge-triggered, so no second event.
  pair.sender.send_to(test::bytes_of("b"), pair.target);
  test::expect_no_events(poll, events, 200ms);

  EXPECT_EQ(drain(pair.receiver), 2U);
  pair.sender.send_to(test::bytes_of("c"), pair.target);
  test::expect_events(poll, events, {{Token{1}, test::Ready::readable}});
}

TEST(WindowsSelector, ReregisterReportsWhatIsStillReady) {
  OPEN_POLL(poll);
  Events events(16);
  UdpPair pair = udp_pair();
  poll.registry().register_source(pair.receiver, Token{1}, Interest::readable);
  pair.sender.send_to(test::bytes_of("a"), pair.target);
  test::expect_events(poll, events, {{Token{1}, test::Ready::readable}});
  poll.registry().reregister(pair.receiver, Token{2}, Interest::readable);
  test::expect_events(poll, events, {{Token{2}, test::Ready::readable}});
}

TEST(WindowsSelector, RegistrationDuringABlockedPollTakesEffect) {
  OPEN_POLL(poll);
  Events events(16);
  UdpPair pair = udp_pair();
  pair.sender.send_to(test::bytes_of("a"), pair.target);
  const miocpp::Registry registry = poll.registry().try_clone();
  std::thread registrar([&] {
    std::this_thread::sleep_for(100ms);
    registry.register_source(pair.receiver, Token{7}, Interest::readable);
  });
  const auto start = std::chrono::steady_clock::now();
  poll.poll(events, 10s);
  registrar.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "the registration did not wake it";
  EXPECT_TRUE(test::matches(events, {Token{7}, test::Ready::readable})) << test::describe(events);
}

TEST(WindowsSelector, DeregisteredSocketReportsNothing) {
  OPEN_POLL(poll);
  Events events(16);
  UdpPair pair = udp_pair();
  poll.registry().register_source(pair.receiver, Token{1}, Interest::readable);
  poll.poll(events, 0ms);  // submits the AFD poll
  poll.registry().deregister(pair.receiver);
  pair.sender.send_to(test::bytes_of("a"), pair.target);
  test::expect_no_events(poll, events, 200ms);
  poll.registry().register_source(pair.receiver, Token{2}, Interest::readable);
  test::expect_events(poll, events, {{Token{2}, test::Ready::readable}});
}

TEST(WindowsSelector, SocketClosedWhileItsPollIsInFlight) {
  OPEN_POLL(poll);
  Events events(16);
  {
    UdpPair pair = udp_pair();
    poll.registry().register_source(pair.receiver, Token{1}, Interest::readable);
    poll.poll(events, 0ms);  // the AFD poll is now in flight
  }
  // Its cancelled completion arrives and is swallowed; the Poll keeps working.
  test::expect_no_events(poll, events, 200ms);
  UdpPair other = udp_pair();
  poll.registry().register_source(other.receiver, Token{2}, Interest::readable);
  other.sender.send_to(test::bytes_of("a"), other.target);
  test::expect_events(poll, events, {{Token{2}, test::Ready::readable}});
}

TEST(WindowsSelector, PollDroppedBeforeItsSockets) {
  UdpPair pair = udp_pair();
  TcpListener listener = TcpListener::bind(loopback());
  {
    OPEN_POLL(poll);
    Events events(16);
    poll.registry().register_source(pair.receiver, Token{1}, Interest::readable);
    poll.registry().register_source(listener, Token{2}, Interest::readable);
    poll.poll(events, 0ms);
  }
  // The polls in flight keep the selector's state alive until the sockets go; then it is
  // released without a crash or a hang, and the sockets may join another Poll.
  OPEN_POLL(second);
  Events events(16);
  second.registry().register_source(pair.receiver, Token{3}, Interest::readable);
  pair.sender.send_to(test::bytes_of("a"), pair.target);
  test::expect_events(second, events, {{Token{3}, test::Ready::readable}});
}

TEST(WindowsSelector, ManySocketsShareTheAfdHelpers) {
  OPEN_POLL(poll);
  Events events(128);
  // More than one helper's worth (32 sockets each), all reported.
  std::vector<UdpPair> pairs;
  for (std::size_t i = 0; i < 70; ++i) {
    pairs.push_back(udp_pair());
    poll.registry().register_source(pairs.back().receiver, Token{i}, Interest::readable);
  }
  std::vector<test::Expected> expected;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    pairs[i].sender.send_to(test::bytes_of("x"), pairs[i].target);
    expected.push_back({Token{i}, test::Ready::readable});
  }
  test::expect_events(poll, events, expected);
}

TEST(WindowsSelector, ConnectFailureIsAnErrorEvent) {
  OPEN_POLL(poll);
  Events events(16);
  // A port that was just free: nothing listens there.
  SocketAddr address;
  {
    const TcpListener probe = TcpListener::bind(loopback());
    address = probe.local_addr();
  }
  std::error_code ec;
  TcpStream stream = TcpStream::connect(address, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(stream, Token{1}, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{Token{1}, test::Ready::error}});
  EXPECT_EQ(stream.take_error(), std::errc::connection_refused);
}

TEST(WindowsSelector, PeerShutdownIsReadClosed) {
  OPEN_POLL(poll);
  Events events(16);
  TcpListener listener = TcpListener::bind(loopback());
  TcpStream client = TcpStream::connect(listener.local_addr());
  poll.registry().register_source(listener, Token{0}, Interest::readable);
  test::expect_events(poll, events, {{Token{0}, test::Ready::readable}});
  auto [server, peer] = listener.accept();
  poll.registry().register_source(server, Token{1}, Interest::readable);
  client.shutdown(miocpp::net::Shutdown::write);
  test::expect_events(poll, events, {{Token{1}, test::Ready::read_closed}});
  std::byte buffer[4]{};
  EXPECT_EQ(server.read(buffer), 0U);
}

}  // namespace
