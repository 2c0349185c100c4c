// The performance contract: polling, waking, registration and stream I/O allocate nothing (on
// Windows: nothing but the one block per registration that AFD polls need).
//
// This binary counts the allocations a thread makes while that thread's counting window is open
// (tests/support/allocation_counter.hpp says how).
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "support/allocation_counter.hpp"
#include "support/net.hpp"
#include "support/text.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using test::AllocationWindow;
using namespace std::chrono_literals;
using miocpp::Events, miocpp::Interest, miocpp::Poll, miocpp::Token;

constexpr Token waker_token{1}, stream_token{2};

/// Keeps the optimizer from removing an allocation it could otherwise prove unused.
void* volatile sink = nullptr;

// ---- The counter itself: if it did not count, the tests below could not fail
// ---------------------

TEST(AllocationCounter, CountsOperatorNewInsideTheWindow) {
  ASSERT_TRUE(test::allocation_hooks_installed);
  std::size_t count = 0;
  {
    const AllocationWindow window;
    auto* single = new int(7);  // NOLINT(cppcoreguidelines-owning-memory)
    sink = single;
    delete single;  // NOLINT(cppcoreguidelines-owning-memory)
    count = window.count();
  }
  EXPECT_EQ(count, 1U);

  {
    const AllocationWindow window;
    std::vector<int> numbers(100);
    sink = numbers.data();
    auto array = std::make_unique<char[]>(64);  // NOLINT(*-avoid-c-arrays)
    sink = array.get();
    struct alignas(128) Wide {
      std::array<char, 128> bytes;
    };
    auto wide = std::make_unique<Wide>();
    sink = wide.get();
    auto* nothrow = new (std::nothrow) int(3);  // NOLINT(cppcoreguidelines-owning-memory)
    sink = nothrow;
    delete nothrow;  // NOLINT(cppcoreguidelines-owning-memory)
    count = window.count();
  }
  EXPECT_EQ(count, 4U);
}

#if MIOCPP_TEST_SANITIZED || MIOCPP_TEST_REPLACE_MALLOC
TEST(AllocationCounter, CountsMallocInsideTheWindow) {
  std::size_t count = 0;
  {
    const AllocationWindow window;
    void* pointer = std::malloc(32);  // NOLINT(*-no-malloc)
    sink = pointer;
    pointer = std::realloc(pointer, 4096);  // NOLINT(*-no-malloc)
    sink = pointer;
    std::free(pointer);                // NOLINT(*-no-malloc)
    void* zeroed = std::calloc(4, 8);  // NOLINT(*-no-malloc)
    sink = zeroed;
    std::free(zeroed);  // NOLINT(*-no-malloc)
    count = window.count();
  }
  EXPECT_EQ(count, 3U);
}
#endif

TEST(AllocationCounter, IgnoresOtherThreadsAndTheTimeOutsideTheWindow) {
  const std::size_t before = test::allocation_count;
  auto outside = std::make_unique<int>(1);
  sink = outside.get();
  EXPECT_EQ(test::allocation_count, before);

  // Starting a thread allocates its state on this thread; what the new thread allocates itself
  // must not show up here. (The first thread of a process costs more: start one beforehand.)
  std::thread([] {}).join();
  std::size_t empty_thread = 0;
  {
    const AllocationWindow window;
    std::thread([] {}).join();
    empty_thread = window.count();
  }
  std::size_t count = 0;
  {
    const AllocationWindow window;
    std::thread([] {
      for (int i = 0; i < 10; ++i) {
        auto elsewhere = std::make_unique<std::array<int, 64>>();
        sink = elsewhere.get();
      }
    }).join();
    count = window.count();
  }
  EXPECT_EQ(count, empty_thread);
}

// ---- The contract ---------------------------------------------------------------------------

struct Fixture {
  std::error_code ec;
  Poll poll{ec};
  Events events{64};
  std::optional<miocpp::Waker> waker;
  miocpp::net::TcpStream sender;
  miocpp::net::TcpStream receiver;

  /// Everything a loop needs, registered: the Waker, and the accepting end of a loopback TCP
  /// connection.
  std::error_code open() {
    if (ec) {
      return ec;
    }
    waker.emplace(poll.registry(), waker_token, ec);
    if (ec) {
      return ec;
    }
    test::StreamPair pair = test::connected_pair(test::any_local_address());
    if (pair.client.native_handle() == test::invalid_socket) {
      return std::make_error_code(std::errc::not_connected);
    }
    sender = std::move(pair.client);
    receiver = std::move(pair.server);
    // Each small write must leave at once, not wait (Nagle) for the peer's delayed ACK.
    sender.set_nodelay(true, ec);
    if (ec) {
      return ec;
    }
    poll.registry().register_source(receiver, stream_token, Interest::readable, ec);
    return ec;
  }
};

/// A Fixture `f`, opened, where the zero-allocation contract holds (epoll, kqueue, poll(2) and
/// Windows); elsewhere the test is skipped. The test stops if `f` cannot be opened.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): GTEST_SKIP and ASSERT_ must sit in the test body
#define OPEN_STEADY_STATE(f)                                                                  \
  if (!(MIOCPP_SELECTOR_EPOLL || MIOCPP_SELECTOR_KQUEUE || MIOCPP_SELECTOR_POLL ||            \
        MIOCPP_SELECTOR_IOCP)) {                                                              \
    GTEST_SKIP() << "the zero-allocation contract covers epoll, kqueue, poll(2) and Windows"; \
  }                                                                                           \
  Fixture f;                                                                                  \
  const std::error_code f##_ec = f.open();                                                    \
  ASSERT_FALSE(f##_ec) << f##_ec.message()

/// What one steady-state iteration saw; checked after the window closes, because a failing
/// assertion allocates.
struct Tally {
  std::size_t errors = 0;
  std::size_t waker_events = 0;
  std::size_t stream_events = 0;
  std::size_t bytes = 0;
  std::size_t other = 0;
  std::error_code last_error;

  void check(const std::error_code& ec) noexcept {
    if (ec) {
      ++errors;
      last_error = ec;
    }
  }

  void count(const Events& events) noexcept {
    for (const miocpp::Event& event : events) {
      if (event.token() == waker_token && event.is_readable() && !event.is_writable()) {
        ++waker_events;
      } else if (event.token() == stream_token && event.is_readable() && !event.is_error() &&
                 !event.is_read_closed() && !event.is_write_closed() && !event.is_priority() &&
                 !event.is_aio() && !event.is_lio()) {
        ++stream_events;
      } else {
        ++other;
      }
    }
  }
};

/// One round of the event loop: wake, poll, write, poll (sub-millisecond timeout), read, vectored
/// I/O, poll without waiting, reregister, deregister and register again.
void iterate(Fixture& f, Tally& tally) noexcept {
  std::error_code ec;
  f.waker->wake(ec);
  tally.check(ec);
  f.poll.poll(f.events, 1s, ec);
  tally.check(ec);
  tally.count(f.events);

  tally.bytes += f.sender.write(test::bytes_of("ping"), ec);
  tally.check(ec);
  f.poll.poll(f.events, 500us, ec);  // precise timeout path (epoll_pwait2 where available)
  tally.check(ec);
  tally.count(f.events);

  std::array<std::byte, 16> buffer{};
  const std::size_t got = f.receiver.read(buffer, ec);
  tally.check(ec);
  tally.bytes -= got;

  const std::array<miocpp::IoSlice, 2> out = {miocpp::IoSlice(test::bytes_of("ab")),
                                              miocpp::IoSlice(test::bytes_of("cd"))};
  tally.bytes += f.sender.write_vectored(out, ec);
  tally.check(ec);
  std::array<std::byte, 3> first{};
  std::array<std::byte, 8> second{};
  std::array<miocpp::IoSliceMut, 2> in = {miocpp::IoSliceMut(first), miocpp::IoSliceMut(second)};
  tally.bytes -= f.receiver.read_vectored(in, ec);
  tally.check(ec);
  (void)f.receiver.read(buffer, ec);  // drained: would_block is the expected answer here
  if (ec != std::errc::operation_would_block) {
    tally.check(ec ? ec : std::make_error_code(std::errc::invalid_argument));
  }

  f.poll.poll(f.events, 0ms, ec);
  tally.check(ec);
  tally.count(f.events);

  f.poll.registry().reregister(f.receiver, stream_token, Interest::readable | Interest::writable,
                               ec);
  tally.check(ec);
  f.poll.registry().reregister(f.receiver, stream_token, Interest::readable, ec);
  tally.check(ec);
  f.poll.registry().deregister(f.receiver, ec);
  tally.check(ec);
  f.poll.registry().register_source(f.receiver, stream_token, Interest::readable, ec);
  tally.check(ec);
  f.poll.poll(f.events, 0ms, ec);
  tally.check(ec);
  tally.count(f.events);
}

TEST(Allocations, SteadyStateEventLoopAllocatesNothing) {
  OPEN_STEADY_STATE(f);

  Tally warm_up;
  iterate(f, warm_up);
  ASSERT_EQ(warm_up.errors, 0U) << warm_up.last_error.message();
  ASSERT_EQ(warm_up.waker_events, 1U);

  constexpr std::size_t iterations = 1000;
  Tally tally;
  std::size_t allocations = 0;
  {
    const AllocationWindow window;
    for (std::size_t i = 0; i < iterations; ++i) {
      iterate(f, tally);
    }
    allocations = window.count();
  }
#if MIOCPP_SELECTOR_IOCP
  // The Windows backend gives every registered socket a block of state that the AFD poll in
  // flight points at (it must outlive a cancelled poll, so it is not embedded in the socket):
  // each register_source allocates it, once, and nothing else does.
  EXPECT_EQ(allocations, iterations) << "allocations in " << iterations << " iterations";
#else
  EXPECT_EQ(allocations, 0U) << "allocations in " << iterations << " iterations";
#endif
  EXPECT_EQ(tally.errors, 0U) << tally.last_error.message();
  // The loop did real work: every wake and every write was seen, every byte read back.
  EXPECT_EQ(tally.waker_events, iterations);
  EXPECT_GE(tally.stream_events, iterations);
  EXPECT_EQ(tally.other, 0U);
  EXPECT_EQ(tally.bytes, 0U);
}

// The same loop, but the wake comes from another thread while this one blocks in poll; both
// threads count.
TEST(Allocations, WakingABlockedPollFromAnotherThreadAllocatesNothing) {
  OPEN_STEADY_STATE(f);

  constexpr int rounds = 200;
  std::atomic<int> turn{0};
  std::atomic<std::size_t> waker_allocations{0};
  std::atomic<std::size_t> wake_errors{0};
  std::thread waking([&] {
    const AllocationWindow window;
    for (int round = 1; round <= rounds; ++round) {
      while (turn.load() < round) {
        std::this_thread::yield();
      }
      std::error_code wake_ec;
      f.waker->wake(wake_ec);
      if (wake_ec) {
        wake_errors.fetch_add(1);
      }
    }
    waker_allocations.store(window.count());
  });

  Tally tally;
  std::size_t allocations = 0;
  {
    const AllocationWindow window;
    for (int round = 1; round <= rounds; ++round) {
      turn.store(round);
      std::error_code ec;
      f.poll.poll(f.events, 5s, ec);
      tally.check(ec);
      tally.count(f.events);
    }
    allocations = window.count();
  }
  waking.join();
  EXPECT_EQ(allocations, 0U);
  EXPECT_EQ(waker_allocations.load(), 0U);
  EXPECT_EQ(wake_errors.load(), 0U);
  EXPECT_EQ(tally.errors, 0U) << tally.last_error.message();
  EXPECT_EQ(tally.waker_events, static_cast<std::size_t>(rounds));
  EXPECT_EQ(tally.other, 0U);
}

TEST(Allocations, ClearingAndMovingEventsAllocatesNothing) {
  Events events(128);
  std::size_t allocations = 0;
  std::size_t capacity = 0;
  {
    const AllocationWindow window;
    events.clear();
    Events moved(std::move(events));
    capacity = moved.capacity();
    events = std::move(moved);
    allocations = window.count();
  }
  EXPECT_EQ(allocations, 0U);
  EXPECT_EQ(capacity, 128U);
  EXPECT_EQ(events.capacity(), 128U);
}

}  // namespace
