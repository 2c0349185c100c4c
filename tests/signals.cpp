// Signals: POSIX signals as an event source. A signal raised in this thread, sent from another
// thread or from another process is seen once by every watcher, with its count; the handler that
// was there before still runs and comes back when the last watcher goes; the handler allocates
// nothing; signals that cannot be watched are refused; the edge-triggered contract holds (a
// signal after the drain is a new event, on every backend).
#include "support/signals.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/allocation_counter.hpp"
#include "support/expect.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events, miocpp::Interest, miocpp::Poll, miocpp::SignalCount, miocpp::Signals,
    miocpp::Token;

static_assert(miocpp::event::Source<Signals>);
static_assert(std::is_nothrow_move_constructible_v<Signals> &&
              std::is_nothrow_move_assignable_v<Signals>);

using test::receive_all, test::signals_token, test::watch, test::watch_registered;

/// The handler installed for `signal` now.
struct sigaction current_action(int signal) {
  struct sigaction action {};
  ::sigaction(signal, nullptr, &action);
  return action;
}

/// A handler of the program's own, to check that it keeps running and comes back.
std::atomic<int> own_handler_calls{0};
void own_handler(int /*signal*/) {
  own_handler_calls.fetch_add(1);
}

/// Installs own_handler for `signal` and restores what was there when it goes.
class OwnHandler {
 public:
  explicit OwnHandler(int signal) : signal_(signal) {
    struct sigaction action {};
    action.sa_handler = &own_handler;
    ::sigemptyset(&action.sa_mask);
    ::sigaction(signal_, &action, &saved_);
    own_handler_calls = 0;
  }
  OwnHandler(const OwnHandler&) = delete;
  OwnHandler& operator=(const OwnHandler&) = delete;
  ~OwnHandler() { ::sigaction(signal_, &saved_, nullptr); }

 private:
  int signal_;
  struct sigaction saved_ {};
};

TEST(Signals, ARaisedSignalIsOneReadableEventWithItsCount) {
  OwnHandler own(SIGUSR1);  // SIGUSR1's default action would end the test program
  OPEN_POLL(poll);
  Events events(8);
  Signals signals = watch_registered(poll, {SIGUSR1, SIGUSR2});

  ::raise(SIGUSR1);
  ::raise(SIGUSR1);
  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, signals_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable()) << *event;
  EXPECT_EQ(receive_all(signals), (std::map<int, std::uint64_t>{{SIGUSR1, 2}}));
  test::expect_no_events(poll, events);
}

TEST(Signals, ASignalAfterTheDrainIsANewEvent) {
  OwnHandler own(SIGUSR2);
  OPEN_POLL(poll);
  Events events(8);
  Signals signals = watch_registered(poll, {SIGUSR2});
  for (int round = 0; round < 3; ++round) {
    ::raise(SIGUSR2);
    ASSERT_NE(test::expect_exactly_one_event(poll, events, signals_token), nullptr);
    EXPECT_EQ(receive_all(signals), (std::map<int, std::uint64_t>{{SIGUSR2, 1}}));
    test::expect_no_events(poll, events);
  }
}

/// Whether `fd` is readable now.
bool readable_now(int fd) {
  ::pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, 0) == 1 && (entry.revents & POLLIN) != 0;
}

// The fewest system calls: a round of receives reads the wake descriptor once, when nothing is
// left to report, however many signals the round reports. A signal that arrives during the
// round is reported in it, and the drain at its end leaves no event behind.
TEST(Signals, ARoundOfReceivesReadsTheWakeDescriptorOnceAtItsEnd) {
  OwnHandler own_1(SIGUSR1);
  OwnHandler own_2(SIGUSR2);
  OPEN_POLL(poll);
  Events events(8);
  Signals signals = watch_registered(poll, {SIGUSR1, SIGUSR2});
  test::expect_one_drain_per_round(poll, events, signals, {SIGUSR1, [] { ::raise(SIGUSR1); }},
                                   {SIGUSR2, [] { ::raise(SIGUSR2); }}, readable_now);
  ::raise(SIGUSR2);
  ASSERT_NE(test::expect_exactly_one_event(poll, events, signals_token), nullptr);
  EXPECT_EQ(receive_all(signals), (std::map<int, std::uint64_t>{{SIGUSR2, 1}}));
}

TEST(Signals, EveryWatcherInEveryPollSeesEachSignal) {
  OwnHandler own(SIGUSR1);
  OPEN_POLL(first_poll);
  OPEN_POLL(second_poll);
  Events events(8);
  Signals first = watch({SIGUSR1});
  Signals second = watch({SIGUSR1});
  Signals third = watch({SIGUSR1, SIGUSR2});
  test::register_readable(first_poll, first, Token{1});
  test::register_readable(first_poll, second, Token{2});
  test::register_readable(second_poll, third, Token{3});

  ::raise(SIGUSR1);
  test::expect_events(first_poll, events,
                      {{Token{1}, test::Ready::readable}, {Token{2}, test::Ready::readable}});
  test::expect_events(second_poll, events, {{Token{3}, test::Ready::readable}});
  for (Signals* watcher : {&first, &second, &third}) {
    EXPECT_EQ(receive_all(*watcher), (std::map<int, std::uint64_t>{{SIGUSR1, 1}}));
  }
  EXPECT_EQ(own_handler_calls.load(), 1);  // chained once, not once per watcher
}

TEST(Signals, ASignalFromAnotherThreadIsSeen) {
  OwnHandler own(SIGUSR1);
  OPEN_POLL(poll);
  Events events(8);
  Signals signals = watch_registered(poll, {SIGUSR1});
  std::jthread sender([] { ::kill(::getpid(), SIGUSR1); });
  sender.join();
  test::expect_events(poll, events, {{signals_token, test::Ready::readable}});
  EXPECT_EQ(receive_all(signals), (std::map<int, std::uint64_t>{{SIGUSR1, 1}}));
}

TEST(Signals, ASignalFromAnotherProcessIsSeen) {
  OwnHandler own(SIGUSR2);
  OPEN_POLL(poll);
  Events events(8);
  Signals signals = watch_registered(poll, {SIGUSR2});
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::kill(parent, SIGUSR2);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  test::expect_events(poll, events, {{signals_token, test::Ready::readable}});
  EXPECT_EQ(receive_all(signals), (std::map<int, std::uint64_t>{{SIGUSR2, 1}}));
}

TEST(Signals, ThePreviousHandlerStillRunsAndComesBackWithTheLastWatcher) {
  OwnHandler own(SIGUSR1);
  {
    Signals first = watch({SIGUSR1});
    EXPECT_NE(current_action(SIGUSR1).sa_handler, &own_handler);
    {
      Signals second = watch({SIGUSR1});
      ::raise(SIGUSR1);
      EXPECT_EQ(own_handler_calls.load(), 1);
    }
    // One watcher is left: the handler is still miocpp's, and still chains.
    EXPECT_NE(current_action(SIGUSR1).sa_handler, &own_handler);
    ::raise(SIGUSR1);
    EXPECT_EQ(own_handler_calls.load(), 2);
    EXPECT_EQ(receive_all(first), (std::map<int, std::uint64_t>{{SIGUSR1, 2}}));
  }
  EXPECT_EQ(current_action(SIGUSR1).sa_handler, &own_handler);
  ::raise(SIGUSR1);
  EXPECT_EQ(own_handler_calls.load(), 3);
}

TEST(Signals, WatchingReplacesTheDefaultActionUntilTheLastWatcherGoes) {
  ASSERT_EQ(current_action(SIGTERM).sa_handler, SIG_DFL) << "the test runner changed SIGTERM";
  {
    Signals signals = watch({SIGTERM});
    ::raise(SIGTERM);  // would end the program without the watcher
    EXPECT_EQ(receive_all(signals), (std::map<int, std::uint64_t>{{SIGTERM, 1}}));
  }
  EXPECT_EQ(current_action(SIGTERM).sa_handler, SIG_DFL);
}

TEST(Signals, TheHandlerAllocatesNothing) {
  OwnHandler own(SIGUSR1);
  Signals signals = watch({SIGUSR1});
  std::size_t allocations = 0;
  {
    const test::AllocationWindow window;
    ::raise(SIGUSR1);  // the handler runs in this thread, before raise returns
    allocations = window.count();
  }
  EXPECT_EQ(allocations, 0U);
  EXPECT_EQ(receive_all(signals), (std::map<int, std::uint64_t>{{SIGUSR1, 1}}));
}

TEST(Signals, SignalsThatCannotBeWatchedAreInvalidArgument) {
  for (const int signal : {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, 0, -1, NSIG}) {
    std::error_code ec;
    const Signals signals = Signals::watch({SIGUSR1, signal}, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << "signal " << signal;
    EXPECT_EQ(signals.native_handle(), -1);
  }
  std::error_code ec;
  (void)Signals::watch(std::span<const int>{}, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  // A refused watch installed nothing.
  EXPECT_EQ(current_action(SIGUSR1).sa_handler, SIG_DFL);
}

TEST(Signals, AnEmptyWatcherReportsBadDescriptor) {
  Signals signals;
  std::error_code ec;
  (void)signals.receive(ec);
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, std::errc::operation_would_block);
}

TEST(Signals, MovedWatchersKeepWatching) {
  OwnHandler own(SIGUSR2);
  OPEN_POLL(poll);
  Events events(8);
  Signals first = watch({SIGUSR2});
  Signals moved(std::move(first));
  Signals assigned = watch({SIGUSR2});
  assigned = std::move(moved);  // the watcher assigned over stops watching first
  test::register_readable(poll, assigned, signals_token);
  ::raise(SIGUSR2);
  test::expect_events(poll, events, {{signals_token, test::Ready::readable}});
  EXPECT_EQ(receive_all(assigned), (std::map<int, std::uint64_t>{{SIGUSR2, 1}}));
}

// A storm from another thread while watchers come and go: every signal sent reaches the live
// watcher at least once (counts merge), nothing crashes, and a signal after the storm is still a
// new event. Bounded: 20,000 signals.
TEST(Signals, AStormWhileWatchersComeAndGoLosesNoWakeup) {
  OwnHandler own(SIGUSR1);
  OPEN_POLL(poll);
  Events events(64);
  Signals steady = watch_registered(poll, {SIGUSR1});
  std::atomic<bool> done{false};
  std::jthread sender([&] {
    for (int sent = 0; sent < 20'000; ++sent) {
      ::kill(::getpid(), SIGUSR1);
    }
    done = true;
  });
  std::uint64_t received = 0;
  while (!done) {
    Signals passing = watch({SIGUSR1});  // added and removed while signals arrive
    std::error_code ec;
    poll.poll(events, 10ms, ec);
    // A signal landing in this thread ends the wait early (epoll_wait is never restarted).
    ASSERT_TRUE(!ec || ec == std::errc::interrupted) << ec.message();
    received += receive_all(steady)[SIGUSR1];
  }
  sender.join();
  // Signals still on their way may end a wait early: let them land before the final check.
  for (int settle = 0; settle < 3; ++settle) {
    std::error_code ec;
    poll.poll(events, 10ms, ec);
    ASSERT_TRUE(!ec || ec == std::errc::interrupted) << ec.message();
    received += receive_all(steady)[SIGUSR1];
  }
  EXPECT_GT(received, 0U);
  EXPECT_LE(received, 20'000U);
  ::raise(SIGUSR1);
  test::expect_events(poll, events, {{signals_token, test::Ready::readable}});
  EXPECT_EQ(receive_all(steady), (std::map<int, std::uint64_t>{{SIGUSR1, 1}}));
}

TEST(Signals, AProcessHasRoomForManyWatchersAndSaysWhenFull) {
  std::vector<Signals> watchers;
  std::error_code ec;
  for (int made = 0; made < 1000 && !ec; ++made) {
    Signals signals = Signals::watch({SIGUSR2}, ec);
    if (!ec) {
      watchers.push_back(std::move(signals));
    }
  }
  EXPECT_EQ(ec, std::errc::too_many_files_open);
  EXPECT_GE(watchers.size(), 64U);
}

}  // namespace
