// Poll: opening a selector, waiting with and without timeouts, signals, and using its Registry
// from other threads.
#include <pthread.h>
#include <signal.h>

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
#include "support/raw_fd.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using miocpp::Event;
using miocpp::Events;
using miocpp::Interest;
using miocpp::Poll;
using miocpp::Registry;
using miocpp::Token;
using miocpp::Waker;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

// ---- Compile time
// --------------------------------------------------------------------------------

static_assert(!std::is_copy_constructible_v<Poll> && !std::is_copy_assignable_v<Poll>);
static_assert(std::is_nothrow_move_constructible_v<Poll> &&
              std::is_nothrow_move_assignable_v<Poll>);
static_assert(std::is_nothrow_constructible_v<Poll, std::error_code&>);
static_assert(std::is_default_constructible_v<Poll> == bool{MIOCPP_HAS_EXCEPTIONS},
              "Poll() is the throwing constructor");
static_assert(noexcept(std::declval<Poll&>().poll(std::declval<Events&>(), std::nullopt,
                                                  std::declval<std::error_code&>())));
static_assert(std::is_same_v<decltype(std::declval<const Poll&>().registry()), const Registry&>);

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

bool has_token(const Events& events, Token token) {
  return std::any_of(events.begin(), events.end(),
                     [token](const Event& event) { return event.token() == token; });
}

// ---- Opening
// -------------------------------------------------------------------------------------

TEST(Poll, ConstructsWithErrorCode) {
  const test::DescriptorLeakCheck leak_check;
  // A stale error in `ec` is cleared on success, as std::filesystem does.
  std::error_code ec = std::make_error_code(std::errc::io_error);
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();

  Events events(4);
  ec = std::make_error_code(std::errc::io_error);
  poll.poll(events, 0ms, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(events.empty());
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(Poll, DefaultConstructorOpensASelector) {
  const test::DescriptorLeakCheck leak_check;
  Poll poll;
  Events events(4);
  EXPECT_NO_THROW(poll.poll(events, 0ms));
  EXPECT_TRUE(events.empty());

  // It is a working selector, not an empty object.
  test::OwnedFd fd = test::make_eventfd();
  ASSERT_EQ(test::register_fd(poll.registry(), fd.get(), Token{1}, Interest::readable),
            std::error_code());
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  test::expect_events(poll, events, {{Token{1}, test::Ready::readable}});
}
#endif

TEST(Poll, OpensADescriptorAndClosesItOnDestruction) {
  const std::size_t before = test::open_descriptor_count();
  {
    std::error_code ec;
    const Poll poll(ec);
    ASSERT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_EPOLL
    EXPECT_EQ(test::open_descriptor_count(), before + 1) << "one epoll instance";
#elif MIOCPP_SELECTOR_KQUEUE
    EXPECT_EQ(test::open_descriptor_count(), before + 1) << "one kqueue";
#endif
  }
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(Poll, ManyPollsLeakNothing) {
  const test::DescriptorLeakCheck leak_check;
  for (int i = 0; i < 500; ++i) {
    std::error_code ec;
    Poll poll(ec);
    ASSERT_FALSE(ec) << ec.message();
    Events events(4);
    poll.poll(events, 0ms, ec);
    ASSERT_FALSE(ec) << ec.message();
  }
}

// ---- Timeouts
// ------------------------------------------------------------------------------------

TEST(Poll, ZeroTimeoutReturnsImmediatelyWithNoEvents) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  Events events(16);
  for (int i = 0; i < 20; ++i) {
    const auto start = clock_type::now();
    poll.poll(events, 0ns, ec);
    const auto elapsed = clock_type::now() - start;
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(events.empty()) << test::describe(events);
    EXPECT_LT(elapsed, 2s);
  }
}

TEST(Poll, ZeroTimeoutStillCollectsReadyEvents) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::OwnedFd fd = test::make_eventfd();
  ASSERT_EQ(test::register_fd(poll.registry(), fd.get(), Token{4}, Interest::readable),
            std::error_code());
  ASSERT_TRUE(test::eventfd_add(fd.get()));

  Events events(16);
  poll.poll(events, 0ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U) << test::describe(events);
  EXPECT_EQ(events.begin()->token(), Token{4});
  EXPECT_TRUE(events.begin()->is_readable());
}

TEST(Poll, NegativeTimeoutActsAsZero) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
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

TEST(Poll, TimeoutNeverReturnsEarly) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  // An unrelated, idle registration changes nothing.
  test::OwnedFd idle = test::make_eventfd();
  ASSERT_EQ(test::register_fd(poll.registry(), idle.get(), Token{1}, Interest::readable),
            std::error_code());

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

TEST(Poll, TimeoutAcceptsAnyDurationType) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  Events events(4);

  const auto start = clock_type::now();
  poll.poll(events, std::chrono::milliseconds(5), ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.poll(events, std::chrono::microseconds(2500), ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.poll(events, std::chrono::duration<long long, std::ratio<1, 10'000>>(25), ec);  // 2.5 ms
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_GE(clock_type::now() - start, 10ms);
}

TEST(Poll, HugeTimeoutsWaitInsteadOfFailing) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
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
    EXPECT_TRUE(has_token(events, Token{7})) << test::describe(events);
    EXPECT_GE(clock_type::now() - start, 50ms) << "returned before the wake";
  }
}

// ---- Blocking
// ------------------------------------------------------------------------------------

TEST(Poll, NoTimeoutBlocksUntilAWakerFires) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
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

TEST(Poll, NoTimeoutBlocksUntilAnotherThreadMakesASourceReady) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::PipeEnds pipe = test::open_pipe();
  poll.registry().register_source(pipe.receiver, Token{2}, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();
  const WakeAfter bound(waker, 5s);

  Events events(4);
  const auto start = clock_type::now();
  std::thread writer([&pipe] {
    std::this_thread::sleep_for(50ms);
    std::error_code write_ec;
    EXPECT_EQ(pipe.sender.write(test::bytes_of("ping"), write_ec), 4U);
    EXPECT_FALSE(write_ec) << write_ec.message();
  });
  poll.poll(events, std::nullopt, ec);
  const auto elapsed = clock_type::now() - start;
  writer.join();

  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(has_token(events, Token{2})) << test::describe(events);
  EXPECT_FALSE(has_token(events, Token{99})) << "only the 5 s safety wake ended the poll";
  EXPECT_GE(elapsed, 50ms);
}

// ---- Invalid arguments and empty objects
// ---------------------------------------------------------

TEST(Poll, CapacityZeroEventsIsAnInvalidArgument) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::OwnedFd fd = test::make_eventfd();
  ASSERT_EQ(test::register_fd(poll.registry(), fd.get(), Token{3}, Interest::readable),
            std::error_code());
  ASSERT_TRUE(test::eventfd_add(fd.get()));

  Events empty(0);
  poll.poll(empty, 0ms, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_TRUE(empty.empty());
  ec.clear();
  poll.poll(empty, std::nullopt, ec);  // must fail, not block
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
#if MIOCPP_HAS_EXCEPTIONS
  try {
    poll.poll(empty, 10ms);
    ADD_FAILURE() << "no exception";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::invalid_argument);
  }
#endif

  // The failed polls consumed nothing: the ready source is still reported.
  Events events(4);
  test::expect_events(poll, events, {{Token{3}, test::Ready::readable}});
}

TEST(Poll, AMovedFromPollFailsCleanly) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll original(ec);
  ASSERT_FALSE(ec) << ec.message();
  Poll moved(std::move(original));

  Events events(4);
  // NOLINTBEGIN(bugprone-use-after-move): the moved-from state is what is tested
  original.poll(events, 0ms, ec);
  EXPECT_TRUE(ec) << "poll on a moved-from Poll succeeded";
  EXPECT_TRUE(events.empty());

  test::OwnedFd fd = test::make_eventfd();
  EXPECT_NE(test::register_fd(original.registry(), fd.get(), Token{1}, Interest::readable),
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
  ASSERT_EQ(test::register_fd(moved.registry(), fd.get(), Token{1}, Interest::readable),
            std::error_code());
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  test::expect_events(moved, events, {{Token{1}, test::Ready::readable}});
}

TEST(Poll, MoveAssignmentKeepsRegistrationsAndClosesTheOldSelector) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll first(ec);
  ASSERT_FALSE(ec) << ec.message();
  Poll second(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::OwnedFd fd = test::make_eventfd();
  ASSERT_EQ(test::register_fd(first.registry(), fd.get(), Token{6}, Interest::readable),
            std::error_code());

  const std::size_t before = test::open_descriptor_count();
  second = std::move(first);
#if MIOCPP_SELECTOR_EPOLL
  EXPECT_EQ(test::open_descriptor_count(), before - 1) << "the overwritten epoll was not closed";
#elif MIOCPP_SELECTOR_KQUEUE
  EXPECT_EQ(test::open_descriptor_count(), before - 1) << "the overwritten kqueue was not closed";
#else
  EXPECT_LT(test::open_descriptor_count(), before);
#endif

  ASSERT_TRUE(test::eventfd_add(fd.get()));
  Events events(4);
  test::expect_events(second, events, {{Token{6}, test::Ready::readable}});
}

TEST(Poll, AnEmptyRegistryFailsCleanly) {
  const test::DescriptorLeakCheck leak_check;
  const Registry empty;
  test::OwnedFd fd = test::make_eventfd();
  miocpp::posix::SourceFd source{fd.get()};
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

  // A pipe end that failed to register with the empty registry is not marked as registered.
  test::PipeEnds pipe = test::open_pipe();
  empty.register_source(pipe.receiver, Token{3}, Interest::readable, ec);
  EXPECT_TRUE(ec);

  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(pipe.receiver, Token{3}, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(pipe.sender.write(test::bytes_of("x"), ec), 1U);
  Events events(4);
  test::expect_events(poll, events, {{Token{3}, test::Ready::readable}});

#if MIOCPP_HAS_EXCEPTIONS
  EXPECT_THROW(empty.register_source(source, Token{1}, Interest::readable), std::system_error);
  EXPECT_THROW((void)empty.try_clone(), std::system_error);
#endif
}

// ---- Signals
// -------------------------------------------------------------------------------------

extern "C" void ignore_signal(int /*signal*/) {}

/// Installs a no-op handler for `signal` without SA_RESTART for its lifetime.
class NoOpSignalHandler {
 public:
  explicit NoOpSignalHandler(int signal) : signal_(signal) {
    struct sigaction action {};
    action.sa_handler = ignore_signal;
    ::sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // deliberately no SA_RESTART
    installed_ = ::sigaction(signal_, &action, &previous_) == 0;
  }
  NoOpSignalHandler(const NoOpSignalHandler&) = delete;
  NoOpSignalHandler& operator=(const NoOpSignalHandler&) = delete;
  ~NoOpSignalHandler() {
    if (installed_) {
      ::sigaction(signal_, &previous_, nullptr);
    }
  }

  [[nodiscard]] bool installed() const { return installed_; }

 private:
  int signal_;
  struct sigaction previous_ {};
  bool installed_ = false;
};

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
  const NoOpSignalHandler handler(SIGUSR1);
  ASSERT_TRUE(handler.installed());
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();

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

// ---- The Registry from other threads
// -------------------------------------------------------------

TEST(Poll, RegisteringFromAnotherThreadReachesABlockedPoll) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::PipeEnds pipe = test::open_pipe();
  ASSERT_EQ(pipe.sender.write(test::bytes_of("ready before registration"), ec), 25U);
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();
  const WakeAfter bound(waker, 5s);

  std::error_code register_ec;
  std::thread registrar([&] {
    std::this_thread::sleep_for(50ms);  // let the main thread block first
    poll.registry().register_source(pipe.receiver, Token{1}, Interest::readable, register_ec);
  });
  Events events(4);
  poll.poll(events, std::nullopt, ec);
  registrar.join();

  ASSERT_FALSE(register_ec) << register_ec.message();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(has_token(events, Token{1})) << test::describe(events);
  EXPECT_FALSE(has_token(events, Token{99})) << "only the 5 s safety wake ended the poll";
}

TEST(Poll, ReregisteringFromAnotherThreadReachesABlockedPoll) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::SocketPair pair = test::make_socket_pair();
  ASSERT_TRUE(pair.first.valid());
  // Idle for reading; writable all along, but that is not asked for yet.
  ASSERT_EQ(test::register_fd(poll.registry(), pair.first.get(), Token{1}, Interest::readable),
            std::error_code());
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();
  const WakeAfter bound(waker, 5s);

  std::error_code reregister_ec;
  std::thread registrar([&] {
    std::this_thread::sleep_for(50ms);  // let the main thread block first
    miocpp::posix::SourceFd source{pair.first.get()};
    poll.registry().reregister(source, Token{2}, Interest::writable, reregister_ec);
  });
  Events events(4);
  poll.poll(events, std::nullopt, ec);
  registrar.join();

  ASSERT_FALSE(reregister_ec) << reregister_ec.message();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(has_token(events, Token{2})) << test::describe(events);
  EXPECT_FALSE(has_token(events, Token{1})) << test::describe(events);
  EXPECT_FALSE(has_token(events, Token{99})) << "only the 5 s safety wake ended the poll";
}

TEST(Poll, DeregisteringFromAnotherThreadSilencesABlockedPoll) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::PipeEnds pipe = test::open_pipe();
  poll.registry().register_source(pipe.receiver, Token{1}, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();

  std::error_code thread_ec;
  std::thread worker([&] {
    std::this_thread::sleep_for(50ms);  // let the main thread block first
    poll.registry().deregister(pipe.receiver, thread_ec);
    if (!thread_ec) {
      (void)pipe.sender.write(test::bytes_of("unseen"), thread_ec);
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
  EXPECT_TRUE(has_token(events, Token{99})) << test::describe(events);
  EXPECT_FALSE(has_token(events, Token{1})) << test::describe(events);
  test::expect_no_events(poll, events);
}

// A backend that must interrupt its wait to apply a change (poll(2)) resumes it afterwards with
// what is left of the timeout: the changes neither end the wait early nor make it longer.
TEST(Poll, RegistryChangesFromAnotherThreadKeepTheTimeout) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::OwnedFd idle = test::make_eventfd();
  miocpp::posix::SourceFd source{idle.get()};

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
TEST(Poll, DrainingOnAnotherThreadRearmsForABlockedPoll) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  Events events(4);
  test::PipeEnds pipe = test::open_pipe();
  poll.registry().register_source(pipe.receiver, Token{1}, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(pipe.sender.write(test::bytes_of("first"), ec), 5U);
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
    drained = pipe.receiver.read(buffer, read_ec);
    if (!read_ec) {
      (void)pipe.receiver.read(buffer, read_ec);  // would block
    }
    (void)pipe.sender.write(test::bytes_of("second"), write_ec);
  });
  poll.poll(events, std::nullopt, ec);
  worker.join();

  EXPECT_EQ(drained, 5U);
  EXPECT_EQ(read_ec, std::errc::operation_would_block) << read_ec.message();
  ASSERT_FALSE(write_ec) << write_ec.message();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(has_token(events, Token{1})) << test::describe(events);
  EXPECT_FALSE(has_token(events, Token{99})) << "only the 5 s safety wake ended the poll";
}

// With room for one event per poll, every ready source is reported in turn, each once.
TEST(Poll, ASmallBufferReportsEveryReadySourceInTurn) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  constexpr std::size_t sources = 8;
  std::vector<test::OwnedFd> fds;
  for (std::size_t i = 0; i < sources; ++i) {
    fds.push_back(test::make_eventfd());
    ASSERT_EQ(test::register_fd(poll.registry(), fds.back().get(), Token{i}, Interest::readable),
              std::error_code());
    ASSERT_TRUE(test::eventfd_add(fds.back().get()));
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

TEST(Poll, RegistryOperationsAreThreadSafe) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  const Registry clone = poll.registry().try_clone(ec);
  ASSERT_FALSE(ec) << ec.message();

  constexpr std::size_t threads = 4;
  std::vector<test::OwnedFd> fds;
  for (std::size_t i = 0; i < threads; ++i) {
    fds.push_back(test::make_eventfd());
    ASSERT_TRUE(fds.back().valid());
  }

  std::atomic<bool> finished{false};
  std::vector<std::thread> workers;
  std::vector<std::error_code> errors(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    // Half the threads use the Poll's own registry, half the clone.
    const Registry& registry = i % 2 == 0 ? poll.registry() : clone;
    workers.emplace_back([&registry, &errors, i, fd = fds[i].get()] {
      miocpp::posix::SourceFd source{fd};
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
    std::error_code poll_ec;
    while (!finished.load() && !poll_ec) {
      poll.poll(concurrent, 1ms, poll_ec);
    }
    EXPECT_FALSE(poll_ec) << poll_ec.message();
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
    ASSERT_TRUE(test::eventfd_add(fds[i].get()));
    expected.push_back({Token{1000 + i}, test::Ready::readable});
  }
  test::expect_events(poll, events, expected);
  poll.poll(events, 0ms, ec);
  ASSERT_FALSE(ec);
  for (const Event& event : events) {
    EXPECT_GE(event.token().value, 1000U) << "an event with a stale token";
  }
}

TEST(Poll, TryCloneGivesARegistryForTheSamePoll) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();

  const std::size_t before = test::open_descriptor_count();
  {
    ec = std::make_error_code(std::errc::io_error);
    const Registry clone = poll.registry().try_clone(ec);
    ASSERT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_EPOLL || MIOCPP_SELECTOR_KQUEUE
    EXPECT_EQ(test::open_descriptor_count(), before + 1) << "the clone owns a duplicate";
#endif

    test::OwnedFd fd = test::make_eventfd();
    ASSERT_EQ(test::register_fd(clone, fd.get(), Token{21}, Interest::readable), std::error_code());
    ASSERT_TRUE(test::eventfd_add(fd.get()));
    Events events(4);
    test::expect_events(poll, events, {{Token{21}, test::Ready::readable}});
#if MIOCPP_SELECTOR_POLL
    // poll(2) cannot notice a close until its next poll, and the eventfd below is likely to reuse
    // this number: deregister before closing, as a raw descriptor must there.
    miocpp::posix::SourceFd source{fd.get()};
    clone.deregister(source, ec);
    ASSERT_FALSE(ec) << ec.message();
#endif
  }
  EXPECT_EQ(test::open_descriptor_count(), before) << "the clone's descriptor was not closed";

  // The original registry still works once the clone is gone.
  test::OwnedFd fd = test::make_eventfd();
  ASSERT_EQ(test::register_fd(poll.registry(), fd.get(), Token{22}, Interest::readable),
            std::error_code());
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  Events events(4);
  test::expect_events(poll, events, {{Token{22}, test::Ready::readable}});
}

TEST(Poll, AClonedRegistryWorksFromAnotherThreadWhilePollBlocks) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  Registry clone = poll.registry().try_clone(ec);
  ASSERT_FALSE(ec) << ec.message();
  const Waker waker(poll.registry(), Token{99}, ec);
  ASSERT_FALSE(ec) << ec.message();
  const WakeAfter bound(waker, 5s);
  test::PipeEnds pipe = test::open_pipe();

  std::error_code thread_ec;
  std::thread worker([&, registry = std::move(clone)] {
    std::this_thread::sleep_for(50ms);
    registry.register_source(pipe.receiver, Token{31}, Interest::readable, thread_ec);
    if (!thread_ec) {
      (void)pipe.sender.write(test::bytes_of("hello"), thread_ec);
    }
  });
  Events events(4);
  poll.poll(events, std::nullopt, ec);
  worker.join();

  ASSERT_FALSE(thread_ec) << thread_ec.message();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(has_token(events, Token{31})) << test::describe(events);
  EXPECT_FALSE(has_token(events, Token{99})) << "only the 5 s safety wake ended the poll";
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(Poll, ThrowingTryCloneGivesAWorkingRegistry) {
  const test::DescriptorLeakCheck leak_check;
  Poll poll;
  const Registry clone = poll.registry().try_clone();
  test::OwnedFd fd = test::make_eventfd();
  miocpp::posix::SourceFd source{fd.get()};
  clone.register_source(source, Token{41}, Interest::readable);
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  Events events(4);
  test::expect_events(poll, events, {{Token{41}, test::Ready::readable}});
  // Registered through the clone, deregistered through the original: the same Poll.
  EXPECT_NO_THROW(poll.registry().deregister(source));
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  test::expect_no_events(poll, events);
}
#endif

}  // namespace
