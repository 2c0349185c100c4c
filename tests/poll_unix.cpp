// Poll on POSIX only: a signal interrupts a blocked wait (EINTR becomes std::errc::interrupted,
// and the wait is not retried). Windows has no signals to deliver to a thread. The portable Poll
// tests are in poll.cpp.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <system_error>
#include <thread>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events, miocpp::Poll, miocpp::Token, miocpp::Waker;
using clock_type = std::chrono::steady_clock;

// ---- Signals
// -------------------------------------------------------------------------------------

extern "C" void ignore_signal(int /*signal*/) {}

struct InterruptedPoll {
  std::error_code ec;
  clock_type::duration elapsed{};
  std::size_t events = 0;
};

/// Blocks in poll(timeout) on another thread and signals that thread until the poll returns. A
/// signal that lands before the thread is inside the wait runs the no-op handler and is lost, so
/// it keeps signalling every 50 ms -- for 3 s at most; then a Waker ends the poll, which makes the
/// test fail rather than hang if the library retried the interrupted wait.
InterruptedPoll poll_until_interrupted(Poll& poll, std::optional<std::chrono::nanoseconds> timeout,
                                       bool throwing) {
  std::error_code ec;
  const Waker waker(poll.registry(), Token{99}, ec);
  EXPECT_FALSE(ec) << ec.message();

  InterruptedPoll result;
  std::atomic<bool> done{false};
  Events events(4);
  std::thread poller([&] {
    const auto start = clock_type::now();
#if MIOCPP_HAS_EXCEPTIONS
    if (throwing) {
      try {
        poll.poll(events, timeout);
      } catch (const std::system_error& error) {
        result.ec = error.code();
      }
    } else {
      poll.poll(events, timeout, result.ec);
    }
#else
    (void)throwing;
    poll.poll(events, timeout, result.ec);
#endif
    result.elapsed = clock_type::now() - start;
    result.events = events.size();
    done.store(true);
  });

  const pthread_t target = poller.native_handle();
  const auto deadline = clock_type::now() + 3s;
  while (!done.load() && clock_type::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    if (!done.load()) {
      ::pthread_kill(target, SIGUSR1);
    }
  }
  if (!done.load()) {
    waker.wake(ec);
  }
  poller.join();
  return result;
}

void expect_interrupted(std::optional<std::chrono::nanoseconds> timeout, bool throwing) {
  const test::DescriptorLeakCheck leak_check;
  const test::ScopedSignalHandler handler(SIGUSR1, ignore_signal);
  ASSERT_TRUE(handler.installed());
  OPEN_POLL(poll);
  std::error_code ec;

  const InterruptedPoll result = poll_until_interrupted(poll, timeout, throwing);
  EXPECT_EQ(result.ec, std::errc::interrupted) << result.ec.message();
  EXPECT_EQ(result.events, 0U);
  EXPECT_LT(result.elapsed, 3s) << "the interrupted wait was retried";

  // The Poll is fine afterwards.
  Events events(4);
  poll.poll(events, 0ms, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(Poll, SignalInterruptsAWaitWithoutTimeout) {
  expect_interrupted(std::nullopt, false);
}

TEST(Poll, SignalInterruptsAWaitWithMillisecondTimeout) {
  expect_interrupted(10s, false);
}

TEST(Poll, SignalInterruptsAWaitWithSubMillisecondTimeout) {
  expect_interrupted(10s + 500us, false);
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(Poll, SignalMakesTheThrowingPollThrowInterrupted) {
  expect_interrupted(10s, true);
}
#endif

}  // namespace
