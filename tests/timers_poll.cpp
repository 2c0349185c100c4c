// Timers driving a real Poll: the loop waits in Poll::poll for I/O or timers.timeout(), whichever
// comes first, then learns from expire() which timers fired. Real time passes here.
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

#include "support/setup.hpp"
#include "support/text.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events, miocpp::Timers, miocpp::Token;
using Clock = Timers::clock;

constexpr Token socket_token{100};

/// What one turn of the loop saw.
struct Turn {
  bool socket_ready = false;
  std::vector<Timers::Expired> fired;
  Clock::time_point expired_at;
};

/// One turn of the usual loop: poll with the timers' timeout, then expire what is due.
Turn turn(miocpp::Poll& poll, Events& events, Timers& timers) {
  Turn seen;
  std::error_code ec;
  poll.poll(events, timers.timeout(Clock::now()), ec);
  EXPECT_FALSE(ec) << ec.message();
  for (const miocpp::Event& event : events) {
    seen.socket_ready = seen.socket_ready || event.token() == socket_token;
  }
  std::array<Timers::Expired, 8> fired{};
  seen.expired_at = Clock::now();
  const std::size_t n = timers.expire(seen.expired_at, fired);
  seen.fired.assign(fired.begin(), fired.begin() + static_cast<std::ptrdiff_t>(n));
  return seen;
}

/// A UDP socket registered readable, and a second one to send it a datagram.
struct Datagrams {
  miocpp::net::UdpSocket receiver;
  miocpp::net::UdpSocket sender;
  miocpp::net::SocketAddr target;
};

TEST(TimersPoll, IoAndTimersReachTheLoopInTimeOrderAndNoTimerFiresEarly) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  const miocpp::net::SocketAddr loopback(miocpp::net::Ipv4Addr::localhost(), 0);
  Datagrams io{miocpp::net::UdpSocket::bind(loopback, ec), {}, {}};
  ASSERT_FALSE(ec) << ec.message();
  io.sender = miocpp::net::UdpSocket::bind(loopback, ec);
  ASSERT_FALSE(ec) << ec.message();
  io.target = io.receiver.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, io.receiver, socket_token, miocpp::Interest::readable);

  Timers timers;
  const Clock::time_point start = Clock::now();
  const Clock::time_point first = start + 30ms + 300us;  // not on a millisecond boundary
  const Clock::time_point second = start + 70ms;
  (void)timers.start(Token{2}, second, ec);
  (void)timers.start(Token{1}, first, ec);
  ASSERT_FALSE(ec) << ec.message();
  (void)io.sender.send_to(test::bytes_of("now"), io.target, ec);
  ASSERT_FALSE(ec) << ec.message();

  // The datagram comes first (it is there already), then each timer, in deadline order.
  std::vector<Token> order;
  bool socket_seen = false;
  for (int turns = 0; turns < 50 && (order.size() < 2 || !socket_seen); ++turns) {
    const Turn seen = turn(poll, events, timers);
    if (seen.socket_ready) {
      EXPECT_TRUE(order.empty()) << "the datagram waited for a timer";
      socket_seen = true;
      std::array<std::byte, 16> buffer{};
      (void)io.receiver.recv_from(buffer, ec);
      EXPECT_FALSE(ec) << ec.message();
    }
    for (const Timers::Expired& timer : seen.fired) {
      EXPECT_LE(timer.deadline, seen.expired_at) << "fired early";
      order.push_back(timer.token);
    }
    // A poll that ends by its timeout finds a timer due: the timeout is never short.
    if (!seen.socket_ready) {
      EXPECT_FALSE(seen.fired.empty()) << "woke before any timer was due";
    }
  }
  EXPECT_TRUE(socket_seen);
  EXPECT_EQ(order, (std::vector<Token>{Token{1}, Token{2}}));
  EXPECT_GE(Clock::now(), second);
  EXPECT_TRUE(timers.empty());
  EXPECT_EQ(timers.timeout(Clock::now()), std::nullopt);
}

TEST(TimersPoll, ACancelledTimerDoesNotWakeTheLoop) {
  OPEN_POLL(poll, events(16));
  Timers timers;
  std::error_code ec;
  const miocpp::TimerId cancelled = timers.start_after(Token{1}, 10ms, ec);
  (void)timers.start(Token{2}, Clock::now() + 40ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(timers.cancel(cancelled));
  const Clock::time_point before = Clock::now();
  const Turn seen = turn(poll, events, timers);
  ASSERT_EQ(seen.fired.size(), 1U);
  EXPECT_EQ(seen.fired[0].token, Token{2});
  EXPECT_GE(seen.expired_at - before, 39ms);
}

}  // namespace
