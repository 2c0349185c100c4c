// Waker: waking a Poll from the same thread and from others, coalescing, re-arming, the one-Waker-
// per-Poll rule, and what happens around moves and a Poll that is already gone.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events, miocpp::Poll, miocpp::Token, miocpp::Waker;

constexpr Token waker_token{10};

static_assert(!std::is_copy_constructible_v<Waker> && !std::is_copy_assignable_v<Waker>);
static_assert(std::is_nothrow_move_constructible_v<Waker> &&
              std::is_nothrow_move_assignable_v<Waker>);

/// Polls once and returns what the OS said.
std::error_code poll_once(Poll& poll, Events& events,
                          std::optional<std::chrono::nanoseconds> timeout) {
  std::error_code ec;
  poll.poll(events, timeout, ec);
  return ec;
}

/// One poll (with a generous timeout, which a wake makes return at once) must report exactly one
/// event: the waker's, readable.
void expect_one_waker_event(Poll& poll, Events& events, Token token) {
  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, token, 2s);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable()) << *event;
}

/// Wakes `poll` with a second source (a UDP socket registered readable, which works on every
/// backend) if a test is about to block forever, so that a lost wake fails the test instead of
/// hanging the suite.
class Watchdog {
 public:
  static constexpr Token token{0xdead};

  explicit Watchdog(Poll& poll) {
    std::error_code ec;
    const miocpp::net::SocketAddr loopback(miocpp::net::Ipv4Addr::localhost(), 0);
    receiver_ = miocpp::net::UdpSocket::bind(loopback, ec);
    EXPECT_FALSE(ec) << ec.message();
    sender_ = miocpp::net::UdpSocket::bind(loopback, ec);
    EXPECT_FALSE(ec) << ec.message();
    const miocpp::net::SocketAddr target = receiver_.local_addr(ec);
    EXPECT_FALSE(ec) << ec.message();
    poll.registry().register_source(receiver_, token, miocpp::Interest::readable, ec);
    EXPECT_FALSE(ec) << ec.message();
    thread_ = std::thread([this, target] {
      const auto deadline = std::chrono::steady_clock::now() + 5s;
      while (!done_.load() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
      }
      if (!done_.load()) {
        std::error_code send_ec;
        (void)sender_.send_to(test::bytes_of("!"), target, send_ec);
      }
    });
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    done_.store(true);
    thread_.join();
  }

 private:
  miocpp::net::UdpSocket sender_;
  miocpp::net::UdpSocket receiver_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

TEST(Waker, WakeOnSameThreadGivesOneReadableEvent) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  const Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();

  waker.wake(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_one_waker_event(poll, events, waker_token);
  test::expect_no_events(poll, events);
}

TEST(Waker, NothingHappensWithoutAWake) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  const Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_no_events(poll, events);
}

TEST(Waker, EveryTokenValueWorks) {
  for (const std::size_t value : {std::size_t{0}, std::size_t{1}, SIZE_MAX - 1, SIZE_MAX}) {
    SCOPED_TRACE(value);
    OPEN_POLL(poll, events(4));
    std::error_code ec;
    const Waker waker(poll.registry(), Token(value), ec);
    ASSERT_FALSE(ec) << ec.message();
    waker.wake(ec);
    ASSERT_FALSE(ec) << ec.message();
    expect_one_waker_event(poll, events, Token(value));
    EXPECT_EQ(events.begin()->token().value, value);
  }
}

TEST(Waker, EventIsReadableOnly) {
  OPEN_POLL(poll, events(4));
  std::error_code ec;
  const Waker waker(poll.registry(), Token(SIZE_MAX), ec);
  ASSERT_FALSE(ec) << ec.message();
  waker.wake(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_one_waker_event(poll, events, Token(SIZE_MAX));
  const miocpp::Event& event = *events.begin();
  EXPECT_TRUE(event.is_readable()) << event;
  EXPECT_FALSE(event.is_writable()) << event;
  EXPECT_FALSE(event.is_error()) << event;
  EXPECT_FALSE(event.is_read_closed()) << event;
  EXPECT_FALSE(event.is_write_closed()) << event;
  EXPECT_FALSE(event.is_priority()) << event;
  EXPECT_FALSE(event.is_aio()) << event;
  EXPECT_FALSE(event.is_lio()) << event;
}

TEST(Waker, WakesABlockedPollFromAnotherThread) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  const Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();
  const Watchdog watchdog(poll);

  constexpr auto delay = 30ms;
  std::error_code wake_ec;
  const auto start = std::chrono::steady_clock::now();
  std::thread waking([&] {
    std::this_thread::sleep_for(delay);
    waker.wake(wake_ec);
  });
  ec = poll_once(poll, events, std::nullopt);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  waking.join();

  ASSERT_FALSE(ec) << ec.message();
  ASSERT_FALSE(wake_ec) << wake_ec.message();
  ASSERT_EQ(events.size(), 1U) << test::describe(events);
  EXPECT_EQ(events.begin()->token(), waker_token) << *events.begin();
  EXPECT_TRUE(events.begin()->is_readable());
  // The poll really blocked until the wake (a lower bound only).
  EXPECT_GE(elapsed, delay);
  test::expect_no_events(poll, events);
}

TEST(Waker, WakeBeforeTheOtherThreadPollsIsNotLost) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  const Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();

  std::error_code wake_ec;
  std::thread waking([&] { waker.wake(wake_ec); });
  waking.join();
  ASSERT_FALSE(wake_ec) << wake_ec.message();
  expect_one_waker_event(poll, events, waker_token);
  test::expect_no_events(poll, events);
}

TEST(Waker, ManyWakesOnOneThreadCoalesceIntoOneEvent) {
  OPEN_POLL(poll, events(1024));
  std::error_code ec;
  const Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();

  std::size_t failures = 0;
  for (int i = 0; i < 1000; ++i) {
    waker.wake(ec);
    failures += ec ? 1U : 0U;
  }
  EXPECT_EQ(failures, 0U);
  expect_one_waker_event(poll, events, waker_token);
  test::expect_no_events(poll, events, 20ms);
}

TEST(Waker, ManyWakesFromFourThreadsCoalesceIntoOneEvent) {
  OPEN_POLL(poll, events(1024));
  std::error_code ec;
  const Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();

  std::atomic<std::size_t> failures{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) {
        std::this_thread::yield();
      }
      for (int i = 0; i < 250; ++i) {
        std::error_code wake_ec;
        waker.wake(wake_ec);
        if (wake_ec) {
          failures.fetch_add(1);
        }
      }
    });
  }
  go.store(true);
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures.load(), 0U);
  expect_one_waker_event(poll, events, waker_token);
  test::expect_no_events(poll, events, 20ms);
}

// More wakes than a self-pipe holds (64 KiB on Linux) without a poll in between: a waker that
// must drain itself to make room still succeeds and still reports once.
TEST(Waker, WakesWithoutPollingNeverFail) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  const Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();

  std::size_t failures = 0;
  for (int i = 0; i < 70'000; ++i) {
    waker.wake(ec);
    failures += ec ? 1U : 0U;
  }
  EXPECT_EQ(failures, 0U) << ec.message();
  expect_one_waker_event(poll, events, waker_token);
  test::expect_no_events(poll, events, 20ms);

  // And it keeps working afterwards.
  waker.wake(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_one_waker_event(poll, events, waker_token);
}

TEST(Waker, RearmsAfterEveryPoll) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  const Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();

  for (int round = 0; round < 100; ++round) {
    SCOPED_TRACE(round);
    waker.wake(ec);
    ASSERT_FALSE(ec) << ec.message();
    expect_one_waker_event(poll, events, waker_token);
    if (::testing::Test::HasFatalFailure()) {
      return;
    }
  }
  test::expect_no_events(poll, events, 20ms);
}

TEST(Waker, WakeAfterThePollIsGoneDoesNotCrash) {
  std::optional<Poll> poll;
  std::error_code ec;
  poll.emplace(ec);
  ASSERT_FALSE(ec) << ec.message();
  const Waker waker(poll->registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.reset();

  // Either outcome is fine; what matters is no crash, no hang and a consistent answer.
  std::error_code first;
  waker.wake(first);
  for (int i = 0; i < 1000; ++i) {
    waker.wake(ec);
    EXPECT_EQ(static_cast<bool>(ec), static_cast<bool>(first)) << ec.message();
  }
}

TEST(Waker, SecondWakerOnOnePollIsRefused) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  auto first = std::make_optional<Waker>(poll.registry(), Token(1), ec);
  ASSERT_FALSE(ec) << ec.message();

  const Waker second(poll.registry(), Token(2), ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  // The refused Waker is empty: waking it fails and the first Waker is untouched.
  std::error_code wake_ec;
  second.wake(wake_ec);
  EXPECT_TRUE(wake_ec);
  test::expect_no_events(poll, events, 20ms);
  first->wake(wake_ec);
  ASSERT_FALSE(wake_ec) << wake_ec.message();
  expect_one_waker_event(poll, events, Token(1));

  // Destroying a refused Waker does not free the slot it never had.
  {
    const Waker refused(poll.registry(), Token(4), ec);
    EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  }
  const Waker still_refused(poll.registry(), Token(5), ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();

  // Once the first is gone the slot is free again.
  first.reset();
  const Waker third(poll.registry(), Token(3), ec);
  ASSERT_FALSE(ec) << ec.message();
  third.wake(wake_ec);
  ASSERT_FALSE(wake_ec) << wake_ec.message();
  expect_one_waker_event(poll, events, Token(3));
}

TEST(Waker, WakersOfDifferentPollsAreIndependent) {
  OPEN_POLL(poll1);
  OPEN_POLL(poll2, events(16));
  std::error_code ec;
  const Waker waker1(poll1.registry(), Token(1), ec);
  ASSERT_FALSE(ec) << ec.message();
  const Waker waker2(poll2.registry(), Token(2), ec);
  ASSERT_FALSE(ec) << ec.message();

  waker2.wake(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_no_events(poll1, events, 20ms);
  expect_one_waker_event(poll2, events, Token(2));
}

TEST(Waker, WakerOnAClonedRegistryCountsForTheSamePoll) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  const miocpp::Registry clone1 = poll.registry().try_clone(ec);
  ASSERT_FALSE(ec) << ec.message();
  const miocpp::Registry clone2 = poll.registry().try_clone(ec);
  ASSERT_FALSE(ec) << ec.message();

  auto waker = std::make_optional<Waker>(clone1, waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();
  {
    const Waker refused(clone2, Token(2), ec);
    EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  }
  {
    const Waker refused(poll.registry(), Token(3), ec);
    EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  }
  // The clone's Waker wakes the original Poll.
  waker->wake(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_one_waker_event(poll, events, waker_token);

  waker.reset();
  const Waker replacement(clone2, Token(4), ec);
  ASSERT_FALSE(ec) << ec.message();
  replacement.wake(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_one_waker_event(poll, events, Token(4));
}

TEST(Waker, MovedWakerStillWakes) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  Waker original(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();

  const Waker moved(std::move(original));
  moved.wake(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_one_waker_event(poll, events, waker_token);

  // The moved-from Waker is empty: waking it reports an error and wakes nothing.
  original.wake(ec);  // NOLINT(bugprone-use-after-move): the moved-from state is under test
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  test::expect_no_events(poll, events, 20ms);

  // The slot moved with it.
  const Waker refused(poll.registry(), Token(2), ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
}

TEST(Waker, MoveAssignmentTakesOverTheSlotAndFreesTheOldOne) {
  OPEN_POLL(poll1);
  OPEN_POLL(poll2, events(16));
  std::error_code ec;
  Waker source(poll1.registry(), Token(1), ec);
  ASSERT_FALSE(ec) << ec.message();
  Waker target(poll2.registry(), Token(2), ec);
  ASSERT_FALSE(ec) << ec.message();

  target = std::move(source);
  target.wake(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_one_waker_event(poll1, events, Token(1));
  test::expect_no_events(poll2, events, 20ms);

  // poll1's slot is still taken (by target), poll2's was given back.
  {
    const Waker refused(poll1.registry(), Token(3), ec);
    EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  }
  const Waker fresh(poll2.registry(), Token(4), ec);
  ASSERT_FALSE(ec) << ec.message();
  fresh.wake(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_one_waker_event(poll2, events, Token(4));
}

TEST(Waker, EmptyRegistryIsRefused) {
  OPEN_POLL(poll);
  const Poll moved(std::move(poll));
  std::error_code ec;
  // NOLINTNEXTLINE(bugprone-use-after-move): a moved-from Poll's registry is empty
  const Waker waker(poll.registry(), waker_token, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();

  // The moved-to Poll is unaffected and still has its slot free.
  const Waker good(moved.registry(), waker_token, ec);
  EXPECT_FALSE(ec) << ec.message();
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(Waker, ThrowingOverloadsThrowSystemError) {
  Poll poll;
  Events events(16);
  Waker waker(poll.registry(), waker_token);
  EXPECT_NO_THROW(waker.wake());
  expect_one_waker_event(poll, events, waker_token);

  EXPECT_THROW(Waker(poll.registry(), Token(2)), std::system_error);
  EXPECT_EQ(test::thrown_code([&] { const Waker second(poll.registry(), Token(2)); }),
            std::errc::file_exists);
  EXPECT_EQ(test::thrown_code([&] { const Waker second(poll.registry().try_clone(), Token(2)); }),
            std::errc::file_exists);

  const Waker moved(std::move(waker));
  EXPECT_NO_THROW(moved.wake());
  // NOLINTNEXTLINE(bugprone-use-after-move): the moved-from state is under test
  EXPECT_EQ(test::thrown_code([&] { waker.wake(); }), std::errc::bad_file_descriptor);

  const Poll other(std::move(poll));
  // NOLINTNEXTLINE(bugprone-use-after-move): a moved-from Poll's registry is empty
  EXPECT_EQ(test::thrown_code([&] { const Waker empty(poll.registry(), Token(5)); }),
            std::errc::bad_file_descriptor);
}
#endif

// Several threads wake as fast as they can while one thread polls in a loop: every poll returns
// (there is always a wake pending) and reports the Waker at most once.
TEST(Waker, StressManyThreadsWakeWhileOnePolls) {
  OPEN_POLL(poll, events(64));
  std::error_code ec;
  const Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();

  std::atomic<bool> stop{false};
  std::atomic<std::size_t> wakes{0};
  std::atomic<std::size_t> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        std::error_code wake_ec;
        waker.wake(wake_ec);
        (wake_ec ? failures : wakes).fetch_add(1, std::memory_order_relaxed);
      }
    });
  }

  const auto deadline = std::chrono::steady_clock::now() + 500ms;
  std::size_t rounds = 0;
  std::size_t bad_polls = 0;
  std::size_t poll_errors = 0;
  while (std::chrono::steady_clock::now() < deadline && rounds < 20'000) {
    poll.poll(events, 2s, ec);
    if (ec) {
      ++poll_errors;
    } else if (events.size() != 1 || events.begin()->token() != waker_token ||
               !events.begin()->is_readable()) {
      ++bad_polls;
    }
    ++rounds;
  }
  stop.store(true);
  for (std::thread& thread : threads) {
    thread.join();
  }

  EXPECT_EQ(poll_errors, 0U);
  EXPECT_EQ(bad_polls, 0U) << "of " << rounds << " polls";
  EXPECT_EQ(failures.load(), 0U);
  EXPECT_GT(rounds, 0U);
  EXPECT_GE(wakes.load(), rounds);
  // At most one wake is left over after the threads stopped; then nothing.
  ASSERT_FALSE(poll_once(poll, events, 0ms));
  EXPECT_LE(events.size(), 1U) << test::describe(events);
  test::expect_no_events(poll, events, 20ms);
}

// Lock-step: each round one of four threads wakes while the poller blocks; no wake is lost and
// none is reported twice.
TEST(Waker, StressNoWakeIsLostBetweenThreads) {
  OPEN_POLL(poll, events(64));
  std::error_code ec;
  const Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();
  const Watchdog watchdog(poll);

  constexpr int rounds = 300;
  constexpr int thread_count = 4;
  std::atomic<int> turn{-1};
  std::atomic<std::size_t> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      for (int round = t; round < rounds; round += thread_count) {
        while (turn.load() < round) {
          std::this_thread::yield();
        }
        std::error_code wake_ec;
        waker.wake(wake_ec);
        if (wake_ec) {
          failures.fetch_add(1);
        }
      }
    });
  }

  int seen = 0;
  for (int round = 0; round < rounds; ++round) {
    turn.store(round);
    ec = poll_once(poll, events, std::nullopt);
    if (ec || events.size() != 1 || events.begin()->token() != waker_token) {
      ADD_FAILURE() << "round " << round << ": " << ec.message() << '\n' << test::describe(events);
      break;
    }
    ++seen;
  }
  turn.store(rounds);
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(seen, rounds);
  EXPECT_EQ(failures.load(), 0U);
  test::expect_no_events(poll, events, 20ms);
}

// A wake while an earlier one is pending makes no system call; that must never cost a wake. Four
// threads publish work (a counter) and wake; the poller reads the counter only when the Waker's
// event comes, so a wake coalesced away without an event to cover it would leave work unseen.
TEST(Waker, CoalescedWakesNeverHideWork) {
  OPEN_POLL(poll, events(64));
  std::error_code ec;
  const Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();
  constexpr std::size_t thread_count = 4;
  constexpr std::size_t per_thread = 5000;
  std::atomic<std::size_t> published{0};
  std::atomic<std::size_t> failures{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < thread_count; ++t) {
    threads.emplace_back([&] {
      for (std::size_t i = 0; i < per_thread; ++i) {
        published.fetch_add(1, std::memory_order_relaxed);
        std::error_code wake_ec;
        waker.wake(wake_ec);
        if (wake_ec) {
          failures.fetch_add(1);
        }
        if (i % 64 == 0) {
          std::this_thread::yield();  // let the poller in between, now and then
        }
      }
    });
  }
  std::size_t seen = 0;
  std::size_t waker_events = 0;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (seen < thread_count * per_thread && std::chrono::steady_clock::now() < deadline) {
    poll.poll(events, 100ms, ec);
    ASSERT_FALSE(ec) << ec.message();
    std::size_t in_this_poll = 0;
    for (const miocpp::Event& event : events) {
      if (event.token() == waker_token) {
        ++in_this_poll;
        // The Waker's event covers every wake before the poll returned.
        seen = published.load(std::memory_order_relaxed);
      }
    }
    EXPECT_LE(in_this_poll, 1U);
    waker_events += in_this_poll;
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures.load(), 0U);
  EXPECT_EQ(seen, thread_count * per_thread) << "a wake was lost: the last work stayed unseen";
  EXPECT_GT(waker_events, 0U);
  EXPECT_LT(waker_events, thread_count * per_thread) << "no wake coalesced";
  RecordProperty("waker_events", static_cast<int>(waker_events));
}

}  // namespace
