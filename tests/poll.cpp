// Poll: opening a selector, waiting with and without timeouts, and using its Registry from other
// threads. The sources are UDP sockets (test::ReadySource); signals are in poll_unix.cpp.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/net.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Event, miocpp::Events, miocpp::Interest, miocpp::Registry;
using miocpp::Token, miocpp::Waker;
using clock_type = std::chrono::steady_clock;

// ---- Compile time
// --------------------------------------------------------------------------------

static_assert(!std::is_copy_constructible_v<miocpp::Poll> &&
              !std::is_copy_assignable_v<miocpp::Poll>);
static_assert(std::is_nothrow_move_constructible_v<miocpp::Poll> &&
              std::is_nothrow_move_assignable_v<miocpp::Poll>);
static_assert(std::is_nothrow_constructible_v<miocpp::Poll, std::error_code&>);
static_assert(std::is_default_constructible_v<miocpp::Poll> == bool{MIOCPP_HAS_EXCEPTIONS},
              "Poll() is the throwing constructor");
static_assert(noexcept(std::declval<miocpp::Poll&>().poll(std::declval<Events&>(), std::nullopt,
                                                          std::declval<std::error_code&>())));
static_assert(
    std::is_same_v<decltype(std::declval<const miocpp::Poll&>().registry()), const Registry&>);

static_assert(!std::is_copy_constructible_v<Registry> && !std::is_copy_assignable_v<Registry>);
static_assert(std::is_nothrow_move_constructible_v<Registry>);
static_assert(std::is_nothrow_default_constructible_v<Registry>, "an empty Registry exists");

/// Wakes `waker` after `delay` unless destroyed first. It bounds a blocking poll in a test, so a
/// library bug fails the test instead of hanging the suite.
class WakeAfter {
 public:
  WakeAfter(const Waker& waker, std::chrono::milliseconds delay)
      : thread_([this, &waker, delay] {
          std::unique_lock lock(mutex_);
          if (!cancelled_changed_.wait_for(lock, delay, [this] { return cancelled_; })) {
            std::error_code ec;
            waker.wake(ec);
          }
        }) {}
  WakeAfter(const WakeAfter&) = delete;
  WakeAfter& operator=(const WakeAfter&) = delete;
  ~WakeAfter() {
    {
      const std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    cancelled_changed_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cancelled_changed_;
  bool cancelled_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

/// The suite of miocpp::Poll's tests, each of which leaves the descriptors as it found them.
class Poll : public test::LeakChecked<> {};

// ---- Opening
// -------------------------------------------------------------------------------------

TEST_F(Poll, ConstructsWithErrorCode) {
  // A stale error in `ec` is cleared on success, as std::filesystem does.
  std::error_code ec = std::make_error_code(std::errc::io_error);
  miocpp::Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();

  Events events(4);
  ec = std::make_error_code(std::errc::io_error);
  poll.poll(events, 0ms, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(events.empty());
}

#if MIOCPP_HAS_EXCEPTIONS
TEST_F(Poll, DefaultConstructorOpensASelector) {
  miocpp::Poll poll;
  Events events(4);
  EXPECT_NO_THROW(poll.poll(events, 0ms));
  EXPECT_TRUE(events.empty());

  // It is a working selector, not an empty object.
  READY_SOURCE(fd, poll, Token{1});
  test::expect_events(poll, events, {{Token{1}, test::Ready::readable}});
}
#endif

TEST_F(Poll, OpensADescriptorAndClosesItOnDestruction) {
  const std::size_t before = test::open_descriptor_count();
  {
    std::error_code ec;
    const miocpp::Poll poll(ec);
    ASSERT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_EPOLL
    EXPECT_EQ(test::open_descriptor_count(), before + 1) << "one epoll instance";
#elif MIOCPP_SELECTOR_KQUEUE
    EXPECT_EQ(test::open_descriptor_count(), before + 1) << "one kqueue";
#endif
  }
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST_F(Poll, ManyPollsLeakNothing) {
  for (int i = 0; i < 500; ++i) {
    OPEN_POLL(poll, events(4));
    std::error_code ec;
    poll.poll(events, 0ms, ec);
    ASSERT_FALSE(ec) << ec.message();
  }
}

// ---- Timeouts
// ------------------------------------------------------------------------------------

TEST_F(Poll, ZeroTimeoutReturnsImmediatelyWithNoEvents) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  for (int i = 0; i < 20; ++i) {
    const auto start = clock_type::now();
    poll.poll(events, 0ns, ec);
    const auto elapsed = clock_type::now() - start;
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(events.empty()) << test::describe(events);
    EXPECT_LT(elapsed, 2s);
  }
}

TEST_F(Poll, ZeroTimeoutStillCollectsReadyEvents) {
  OPEN_POLL(poll);
  std::error_code ec;
  READY_SOURCE(fd, poll, Token{4});

  Events events(16);
  poll.poll(events, 0ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U) << test::describe(events);
  EXPECT_EQ(events.begin()->token(), Token{4});
  EXPECT_TRUE(events.begin()->is_readable());
}

TEST_F(Poll, NegativeTimeoutActsAsZero) {
  OPEN_POLL(poll);
  std::error_code ec;
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();
  const WakeAfter bound(waker, 5s);  // a negative timeout must not mean "block forever"

  Events events(4);
  for (const std::chrono::nanoseconds timeout :
       {std::chrono::nanoseconds(-1), std::chrono::nanoseconds(-1'500'000),
        std::chrono::nanoseconds(-3'000'000'000)}) {
    poll.poll(events, timeout, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(events.empty()) << "timeout " << timeout.count() << "ns:\n"
                                << test::describe(events);
  }
}

TEST_F(Poll, TimeoutNeverReturnsEarly) {
  OPEN_POLL(poll);
  std::error_code ec;
  // An unrelated, idle registration changes nothing.
  test::ReadySource idle = test::ready_source();
  REGISTER(poll, idle.socket, Token{1}, Interest::readable);

  Events events(4);
  const std::vector<std::chrono::nanoseconds> timeouts = {
      10ms, 1500us, 100us, 1ms, 999us, 2ms + 1ns, 20ms + 500us, 1ns, 1us,
  };
  for (const std::chrono::nanoseconds timeout : timeouts) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      const auto start = clock_type::now();
      poll.poll(events, timeout, ec);
      const auto elapsed = clock_type::now() - start;
      ASSERT_FALSE(ec) << ec.message();
      EXPECT_TRUE(events.empty()) << test::describe(events);
      EXPECT_GE(elapsed, timeout) << "a " << timeout.count() << "ns timeout returned after "
                                  << std::chrono::nanoseconds(elapsed).count() << "ns";
    }
  }
}

TEST_F(Poll, TimeoutAcceptsAnyDurationType) {
  OPEN_POLL(poll, events(4));
  std::error_code ec;

  const auto start = clock_type::now();
  poll.poll(events, std::chrono::milliseconds(5), ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.poll(events, std::chrono::microseconds(2500), ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.poll(events, std::chrono::duration<long long, std::ratio<1, 10'000>>(25), ec);  // 2.5 ms
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_GE(clock_type::now() - start, 10ms);
}

TEST_F(Poll, HugeTimeoutsWaitInsteadOfFailing) {
  OPEN_POLL(poll);
  std::error_code ec;
  const Waker waker(poll.registry(), Token{7}, ec);
  ASSERT_FALSE(ec) << ec.message();

  Events events(4);
  // Past INT_MAX milliseconds, and the largest representable duration: neither may overflow into
  // an error or a negative ("block forever" or "return now") timeout.
  for (const std::chrono::nanoseconds timeout :
       {std::chrono::nanoseconds(std::chrono::milliseconds(INT_MAX)) + 1ms,
        std::chrono::nanoseconds(std::chrono::milliseconds(INT_MAX)) + 1ns,
        std::chrono::nanoseconds(std::chrono::hours(24 * 365 * 100)),
        std::chrono::nanoseconds::max()}) {
    const auto start = clock_type::now();
    const WakeAfter wake(waker, 50ms);
    poll.poll(events, timeout, ec);
    ASSERT_FALSE(ec) << "timeout " << timeout.count() << "ns: " << ec.message();
    EXPECT_TRUE(test::has_token(events, Token{7})) << test::describe(events);
    EXPECT_GE(clock_type::now() - start, 50ms) << "returned before the wake";
  }
}

// ---- Blocking
// ------------------------------------------------------------------------------------

TEST_F(Poll, NoTimeoutBlocksUntilAWakerFires) {
  OPEN_POLL(poll);
  std::error_code ec;
  const Waker waker(poll.registry(), Token{10}, ec);
  ASSERT_FALSE(ec) << ec.message();

  Events events(4);
  const auto start = clock_type::now();
  std::thread waking([&waker] {
    std::this_thread::sleep_for(50ms);
    std::error_code wake_ec;
    waker.wake(wake_ec);
    EXPECT_FALSE(wake_ec) << wake_ec.message();
  });
  poll.poll(events, std::nullopt, ec);
  const auto elapsed = clock_type::now() - start;
  waking.join();

  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U) << test::describe(events);
  EXPECT_EQ(events.begin()->token(), Token{10});
  EXPECT_TRUE(events.begin()->is_readable());
  EXPECT_GE(elapsed, 50ms) << "poll(nullopt) returned before anything was ready";
}

TEST_F(Poll, NoTimeoutBlocksUntilAnotherThreadMakesASourceReady) {
  OPEN_POLL(poll);
  std::error_code ec;
  test::ReadySource ready = test::ready_source();
  REGISTER(poll, ready.socket, Token{2}, Interest::readable);
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();
  const WakeAfter bound(waker, 5s);

  Events events(4);
  const auto start = clock_type::now();
  std::thread writer([&ready] {
    std::this_thread::sleep_for(50ms);
    EXPECT_TRUE(ready.make_ready("ping"));
  });
  poll.poll(events, std::nullopt, ec);
  const auto elapsed = clock_type::now() - start;
  writer.join();

  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::has_token(events, Token{2})) << test::describe(events);
  EXPECT_FALSE(test::has_token(events, Token{99})) << "only the 5 s safety wake ended the poll";
  EXPECT_GE(elapsed, 50ms);
}

// ---- Invalid arguments and empty objects
// ---------------------------------------------------------

TEST_F(Poll, CapacityZeroEventsIsAnInvalidArgument) {
  OPEN_POLL(poll);
  std::error_code ec;
  READY_SOURCE(fd, poll, Token{3});

  Events empty(0);
  poll.poll(empty, 0ms, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_TRUE(empty.empty());
  ec.clear();
  poll.poll(empty, std::nullopt, ec);  // must fail, not block
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
#if MIOCPP_HAS_EXCEPTIONS
  EXPECT_EQ(test::thrown_code([&] { poll.poll(empty, 10ms); }), std::errc::invalid_argument);
#endif

  // The failed polls consumed nothing: the ready source is still reported.
  Events events(4);
  test::expect_events(poll, events, {{Token{3}, test::Ready::readable}});
}

TEST_F(Poll, AMovedFromPollFailsCleanly) {
  std::error_code ec;
  miocpp::Poll original(ec);
  ASSERT_FALSE(ec) << ec.message();
  miocpp::Poll moved(std::move(original));

  Events events(4);
  // NOLINTBEGIN(bugprone-use-after-move): the moved-from state is what is tested
  original.poll(events, 0ms, ec);
  EXPECT_TRUE(ec) << "poll on a moved-from Poll succeeded";
  EXPECT_TRUE(events.empty());

  test::ReadySource fd = test::ready_source();
  EXPECT_NE(test::register_source(original.registry(), fd.socket, Token{1}, Interest::readable),
            std::error_code());

  ec.clear();
  const Registry clone = original.registry().try_clone(ec);
  EXPECT_TRUE(ec) << "try_clone of a moved-from Poll's registry succeeded";

  ec.clear();
  const Waker waker(original.registry(), Token{2}, ec);
  EXPECT_TRUE(ec) << "a Waker on a moved-from Poll's registry succeeded";

#if MIOCPP_HAS_EXCEPTIONS
  EXPECT_THROW(original.poll(events, 0ms), std::system_error);
#endif
  // NOLINTEND(bugprone-use-after-move)

  // The moved-to Poll works.
  REGISTER(moved, fd.socket, Token{1}, Interest::readable);
  ASSERT_TRUE(fd.make_ready());
  test::expect_events(moved, events, {{Token{1}, test::Ready::readable}});
}

TEST_F(Poll, MoveAssignmentKeepsRegistrationsAndClosesTheOldSelector) {
  std::error_code ec;
  miocpp::Poll first(ec);
  ASSERT_FALSE(ec) << ec.message();
  miocpp::Poll second(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::ReadySource fd = test::ready_source();
  REGISTER(first, fd.socket, Token{6}, Interest::readable);

  const std::size_t before = test::open_descriptor_count();
  second = std::move(first);
#if MIOCPP_SELECTOR_EPOLL
  EXPECT_EQ(test::open_descriptor_count(), before - 1) << "the overwritten epoll was not closed";
#elif MIOCPP_SELECTOR_KQUEUE
  EXPECT_EQ(test::open_descriptor_count(), before - 1) << "the overwritten kqueue was not closed";
#else
  EXPECT_LT(test::open_descriptor_count(), before);
#endif

  ASSERT_TRUE(fd.make_ready());
  Events events(4);
  test::expect_events(second, events, {{Token{6}, test::Ready::readable}});
}

TEST_F(Poll, AnEmptyRegistryFailsCleanly) {
  const Registry empty;
  test::ReadySource fd = test::ready_source();
  miocpp::net::UdpSocket& source = fd.socket;
  std::error_code ec;
  empty.register_source(source, Token{1}, Interest::readable, ec);
  EXPECT_TRUE(ec);
  ec.clear();
  empty.reregister(source, Token{1}, Interest::readable, ec);
  EXPECT_TRUE(ec);
  ec.clear();
  empty.deregister(source, ec);
  EXPECT_TRUE(ec);
  ec.clear();
  const Registry clone = empty.try_clone(ec);
  EXPECT_TRUE(ec);
  ec.clear();
  const Waker waker(empty, Token{2}, ec);
  EXPECT_TRUE(ec);

  // A socket that failed to register with the empty registry is not marked as registered.
  test::ReadySource ready = test::ready_source();
  empty.register_source(ready.socket, Token{3}, Interest::readable, ec);
  EXPECT_TRUE(ec);

  miocpp::Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, ready.socket, Token{3}, Interest::readable);
  ASSERT_TRUE(ready.make_ready("x"));
  Events events(4);
  test::expect_events(poll, events, {{Token{3}, test::Ready::readable}});

#if MIOCPP_HAS_EXCEPTIONS
  EXPECT_THROW(empty.register_source(source, Token{1}, Interest::readable), std::system_error);
  EXPECT_THROW((void)empty.try_clone(), std::system_error);
#endif
}

// ---- The Registry from other threads
// -------------------------------------------------------------

TEST_F(Poll, RegisteringFromAnotherThreadReachesABlockedPoll) {
  OPEN_POLL(poll);
  std::error_code ec;
  test::ReadySource ready = test::ready_source();
  ASSERT_TRUE(ready.make_ready("ready before registration"));
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();
  const WakeAfter bound(waker, 5s);

  std::error_code register_ec;
  std::thread registrar([&] {
    std::this_thread::sleep_for(50ms);  // let the main thread block first
    poll.registry().register_source(ready.socket, Token{1}, Interest::readable, register_ec);
  });
  Events events(4);
  poll.poll(events, std::nullopt, ec);
  registrar.join();

  ASSERT_FALSE(register_ec) << register_ec.message();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::has_token(events, Token{1})) << test::describe(events);
  EXPECT_FALSE(test::has_token(events, Token{99})) << "only the 5 s safety wake ended the poll";
}

TEST_F(Poll, ReregisteringFromAnotherThreadReachesABlockedPoll) {
  OPEN_POLL(poll);
  std::error_code ec;
  test::ReadySource idle = test::ready_source();
  ASSERT_TRUE(idle.valid());
  // Idle for reading; writable all along, but that is not asked for yet.
  REGISTER(poll, idle.socket, Token{1}, Interest::readable);
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();
  const WakeAfter bound(waker, 5s);

  std::error_code reregister_ec;
  std::thread registrar([&] {
    std::this_thread::sleep_for(50ms);  // let the main thread block first
    poll.registry().reregister(idle.socket, Token{2}, Interest::writable, reregister_ec);
  });
  Events events(4);
  poll.poll(events, std::nullopt, ec);
  registrar.join();

  ASSERT_FALSE(reregister_ec) << reregister_ec.message();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::has_token(events, Token{2})) << test::describe(events);
  EXPECT_FALSE(test::has_token(events, Token{1})) << test::describe(events);
  EXPECT_FALSE(test::has_token(events, Token{99})) << "only the 5 s safety wake ended the poll";
}

TEST_F(Poll, DeregisteringFromAnotherThreadSilencesABlockedPoll) {
  OPEN_POLL(poll);
  std::error_code ec;
  test::ReadySource ready = test::ready_source();
  REGISTER(poll, ready.socket, Token{1}, Interest::readable);
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();

  std::error_code thread_ec;
  std::thread worker([&] {
    std::this_thread::sleep_for(50ms);  // let the main thread block first
    poll.registry().deregister(ready.socket, thread_ec);
    if (!thread_ec) {
      EXPECT_TRUE(ready.make_ready("unseen"));
    }
    std::this_thread::sleep_for(50ms);
    std::error_code wake_ec;
    waker.wake(wake_ec);  // ends the poll (and bounds it, should the test fail)
  });
  Events events(4);
  poll.poll(events, 5s, ec);
  worker.join();

  ASSERT_FALSE(thread_ec) << thread_ec.message();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::has_token(events, Token{99})) << test::describe(events);
  EXPECT_FALSE(test::has_token(events, Token{1})) << test::describe(events);
  test::expect_no_events(poll, events);
}

// A backend that must interrupt its wait to apply a change (poll(2)) resumes it afterwards with
// what is left of the timeout: the changes neither end the wait early nor make it longer.
TEST_F(Poll, RegistryChangesFromAnotherThreadKeepTheTimeout) {
  OPEN_POLL(poll);
  std::error_code ec;
  test::ReadySource idle = test::ready_source();
  miocpp::net::UdpSocket& source = idle.socket;

  std::atomic<bool> finished{false};
  std::error_code thread_ec;
  std::thread worker([&] {
    while (!finished.load() && !thread_ec) {
      poll.registry().register_source(source, Token{1}, Interest::readable, thread_ec);
      if (!thread_ec) {
        poll.registry().deregister(source, thread_ec);
      }
      std::this_thread::sleep_for(5ms);
    }
  });
  Events events(4);
  const auto start = clock_type::now();
  poll.poll(events, 300ms, ec);
  const auto elapsed = clock_type::now() - start;
  finished.store(true);
  worker.join();

  ASSERT_FALSE(thread_ec) << thread_ec.message();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(events.empty()) << test::describe(events);
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 2s) << "the changes kept restarting the timeout";
}

// An owned source that reads to would_block on one thread arms its next event for a poll that is
// already blocked on another.
TEST_F(Poll, DrainingOnAnotherThreadRearmsForABlockedPoll) {
  OPEN_POLL(poll, events(4));
  std::error_code ec;
  test::ReadySource ready = test::ready_source();
  REGISTER(poll, ready.socket, Token{1}, Interest::readable);
  ASSERT_TRUE(ready.make_ready("first"));
  test::expect_events(poll, events, {{Token{1}, test::Ready::readable}});
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();
  const WakeAfter bound(waker, 5s);

  std::size_t drained = 0;
  std::error_code read_ec;
  std::error_code write_ec;
  std::thread worker([&] {
    std::this_thread::sleep_for(50ms);  // let the main thread block first
    std::array<std::byte, 64> buffer{};
    drained = ready.socket.recv(buffer, read_ec);
    if (!read_ec) {
      (void)ready.socket.recv(buffer, read_ec);  // would block
    }
    if (!ready.make_ready("second")) {
      write_ec = std::make_error_code(std::errc::io_error);
    }
  });
  poll.poll(events, std::nullopt, ec);
  worker.join();

  EXPECT_EQ(drained, 5U);
  EXPECT_EQ(read_ec, std::errc::operation_would_block) << read_ec.message();
  ASSERT_FALSE(write_ec) << write_ec.message();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::has_token(events, Token{1})) << test::describe(events);
  EXPECT_FALSE(test::has_token(events, Token{99})) << "only the 5 s safety wake ended the poll";
}

// With room for one event per poll, every ready source is reported in turn, each once.
TEST_F(Poll, ASmallBufferReportsEveryReadySourceInTurn) {
  OPEN_POLL(poll);
  std::error_code ec;
  constexpr std::size_t sources = 8;
  std::vector<test::ReadySource> fds;
  for (std::size_t i = 0; i < sources; ++i) {
    fds.push_back(test::ready_source());
    REGISTER(poll, fds.back().socket, Token{i}, Interest::readable);
    ASSERT_TRUE(fds.back().make_ready());
  }

  Events events(1);
  std::vector<std::size_t> seen(sources, 0);
  for (std::size_t round = 0; round < sources; ++round) {
    poll.poll(events, 1s, ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(events.size(), 1U);
    const std::size_t token = events.begin()->token().value;
    ASSERT_LT(token, sources);
    ++seen[token];
  }
  for (std::size_t i = 0; i < sources; ++i) {
    EXPECT_EQ(seen[i], 1U) << "token " << i;
  }
  test::expect_no_events(poll, events);
}

TEST_F(Poll, RegistryOperationsAreThreadSafe) {
  OPEN_POLL(poll);
  std::error_code ec;
  const Registry clone = poll.registry().try_clone(ec);
  ASSERT_FALSE(ec) << ec.message();

  constexpr std::size_t threads = 4;
  std::vector<test::ReadySource> fds;
  for (std::size_t i = 0; i < threads; ++i) {
    fds.push_back(test::ready_source());
    ASSERT_TRUE(fds.back().valid());
  }

  std::atomic<bool> finished{false};
  std::vector<std::thread> workers;
  std::vector<std::error_code> errors(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    // Half the threads use the Poll's own registry, half the clone.
    const Registry& registry = i % 2 == 0 ? poll.registry() : clone;
    workers.emplace_back([&registry, &errors, i, &source = fds[i].socket] {
      std::error_code& worker_ec = errors[i];
      for (int round = 0; round < 200 && !worker_ec; ++round) {
        registry.register_source(source, Token{i}, Interest::readable, worker_ec);
        if (!worker_ec) {
          registry.reregister(source, Token{i}, Interest::readable | Interest::writable, worker_ec);
        }
        if (!worker_ec) {
          registry.deregister(source, worker_ec);
        }
      }
      if (!worker_ec) {
        registry.register_source(source, Token{1000 + i}, Interest::readable, worker_ec);
      }
    });
  }
  // Poll concurrently with the registrations.
  Events events(64);
  std::thread poller([&] {
    Events concurrent(64);
    std::error_code concurrent_ec;
    while (!finished.load() && !concurrent_ec) {
      poll.poll(concurrent, 1ms, concurrent_ec);
    }
    EXPECT_FALSE(concurrent_ec) << concurrent_ec.message();
  });
  for (std::thread& worker : workers) {
    worker.join();
  }
  finished.store(true);
  poller.join();

  for (std::size_t i = 0; i < threads; ++i) {
    EXPECT_FALSE(errors[i]) << "thread " << i << ": " << errors[i].message();
  }
  // Each descriptor ended up registered once, with its final token.
  std::vector<test::Expected> expected;
  for (std::size_t i = 0; i < threads; ++i) {
    ASSERT_TRUE(fds[i].make_ready());
    expected.push_back({Token{1000 + i}, test::Ready::readable});
  }
  test::expect_events(poll, events, expected);
  poll.poll(events, 0ms, ec);
  ASSERT_FALSE(ec);
  for (const Event& event : events) {
    EXPECT_GE(event.token().value, 1000U) << "an event with a stale token";
  }
}

TEST_F(Poll, TryCloneGivesARegistryForTheSamePoll) {
  OPEN_POLL(poll);
  std::error_code ec;

  const std::size_t before = test::open_descriptor_count();
  {
    ec = std::make_error_code(std::errc::io_error);
    const Registry clone = poll.registry().try_clone(ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(test::open_descriptor_count(), before) << "a clone shares its Poll's descriptor";

    test::ReadySource fd = test::ready_source();
    ASSERT_EQ(test::register_source(clone, fd.socket, Token{21}, Interest::readable),
              std::error_code());
    ASSERT_TRUE(fd.make_ready());
    Events events(4);
    test::expect_events(poll, events, {{Token{21}, test::Ready::readable}});
#if MIOCPP_SELECTOR_POLL
    // poll(2) cannot notice a close until its next poll, and the socket below is likely to reuse
    // this number: deregister before closing.
    miocpp::net::UdpSocket& source = fd.socket;
    clone.deregister(source, ec);
    ASSERT_FALSE(ec) << ec.message();
#endif
  }
#if MIOCPP_SELECTOR_IOCP
  // The Windows backend frees a closed socket's AFD state (and with the last one its AFD helper
  // handle) once the cancelled AFD poll's completion is dequeued, which the next poll does.
  Events completions(4);
  poll.poll(completions, 100ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(completions.empty()) << test::describe(completions);
#endif
  EXPECT_EQ(test::open_descriptor_count(), before) << "the clone's descriptor was not closed";

  // The original registry still works once the clone is gone.
  READY_SOURCE(fd, poll, Token{22});
  Events events(4);
  test::expect_events(poll, events, {{Token{22}, test::Ready::readable}});
}

TEST_F(Poll, AClonedRegistryWorksFromAnotherThreadWhilePollBlocks) {
  OPEN_POLL(poll);
  std::error_code ec;
  Registry clone = poll.registry().try_clone(ec);
  ASSERT_FALSE(ec) << ec.message();
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();
  const WakeAfter bound(waker, 5s);
  test::ReadySource ready = test::ready_source();

  std::error_code thread_ec;
  std::thread worker([&, registry = std::move(clone)] {
    std::this_thread::sleep_for(50ms);
    registry.register_source(ready.socket, Token{31}, Interest::readable, thread_ec);
    if (!thread_ec) {
      EXPECT_TRUE(ready.make_ready("hello"));
    }
  });
  Events events(4);
  poll.poll(events, std::nullopt, ec);
  worker.join();

  ASSERT_FALSE(thread_ec) << thread_ec.message();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::has_token(events, Token{31})) << test::describe(events);
  EXPECT_FALSE(test::has_token(events, Token{99})) << "only the 5 s safety wake ended the poll";
}

#if MIOCPP_HAS_EXCEPTIONS
TEST_F(Poll, ThrowingTryCloneGivesAWorkingRegistry) {
  miocpp::Poll poll;
  const Registry clone = poll.registry().try_clone();
  test::ReadySource fd = test::ready_source();
  miocpp::net::UdpSocket& source = fd.socket;
  clone.register_source(source, Token{41}, Interest::readable);
  ASSERT_TRUE(fd.make_ready());
  Events events(4);
  test::expect_events(poll, events, {{Token{41}, test::Ready::readable}});
  // Registered through the clone, deregistered through the original: the same Poll.
  EXPECT_NO_THROW(poll.registry().deregister(source));
  ASSERT_TRUE(fd.make_ready());
  test::expect_no_events(poll, events);
}
#endif

}  // namespace
