// Timers: user-space timers for an event loop, on every backend. Time is driven by hand (`now` is
// an argument), so nothing here sleeps and every expectation is exact.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/allocation_counter.hpp"
#include <miocpp/timers.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::TimerId, miocpp::Timers, miocpp::Token;
using Clock = Timers::clock;
using Expired = Timers::Expired;

static_assert(std::is_trivially_copyable_v<TimerId>);
static_assert(sizeof(TimerId) == 8);
static_assert(TimerId{} == TimerId{});
static_assert(std::is_nothrow_default_constructible_v<Timers>);
static_assert(std::is_nothrow_move_constructible_v<Timers> &&
              std::is_nothrow_move_assignable_v<Timers>);
static_assert(!std::is_copy_constructible_v<Timers> && !std::is_copy_assignable_v<Timers>);
static_assert(noexcept(std::declval<Timers&>().cancel(TimerId{})));
static_assert(noexcept(std::declval<Timers&>().reset(TimerId{},
                                                     std::declval<Clock::time_point>())));
static_assert(noexcept(std::declval<Timers&>().expire(std::declval<Clock::time_point>(),
                                                      std::span<Expired>{})));
static_assert(noexcept(std::declval<const Timers&>().timeout(std::declval<Clock::time_point>())));

/// The instant a fresh Timers counts its ticks from (its construction): a timer whose deadline
/// lies before it is due at tick 0, and next_deadline() reports tick 0 as that instant.
Clock::time_point origin_of(Timers& timers) {
  std::error_code ec;
  const TimerId probe = timers.start(Token{0}, Clock::time_point::min(), ec);
  EXPECT_FALSE(ec) << ec.message();
  const Clock::time_point origin = timers.next_deadline().value();
  EXPECT_TRUE(timers.cancel(probe));
  return origin;
}

TimerId start(Timers& timers, std::size_t token, Clock::time_point deadline) {
  std::error_code ec;
  const TimerId id = timers.start(Token{token}, deadline, ec);
  EXPECT_FALSE(ec) << ec.message();
  return id;
}

/// Everything expire(now) reports, however many calls that takes (8 at a time).
std::vector<Expired> expire_all(Timers& timers, Clock::time_point now) {
  std::vector<Expired> all;
  std::array<Expired, 8> fired{};
  for (std::size_t n = timers.expire(now, fired); n != 0; n = timers.expire(now, fired)) {
    all.insert(all.end(), fired.begin(), fired.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return all;
}

std::vector<std::size_t> tokens_of(const std::vector<Expired>& fired) {
  std::vector<std::size_t> tokens;
  tokens.reserve(fired.size());
  for (const Expired& timer : fired) {
    tokens.push_back(timer.token.value);
  }
  return tokens;
}

// ---- An empty Timers ----------------------------------------------------------------------------

TEST(Timers, EmptyHasNothingToWaitForAndAllocatesNothing) {
  std::size_t allocations = 0;
  {
    const test::AllocationWindow window;
    const Timers timers;
    allocations = window.count();
    EXPECT_EQ(timers.size(), 0U);
    EXPECT_EQ(timers.capacity(), 0U);
    EXPECT_TRUE(timers.empty());
    EXPECT_EQ(timers.next_deadline(), std::nullopt);
    EXPECT_EQ(timers.timeout(Clock::now()), std::nullopt);
  }
  EXPECT_EQ(allocations, 0U);
  Timers timers;
  std::array<Expired, 4> fired{};
  EXPECT_EQ(timers.expire(Clock::now() + 24h, fired), 0U);
  EXPECT_FALSE(timers.cancel(TimerId{}));
  EXPECT_FALSE(timers.reset(TimerId{}, Clock::now()));
  EXPECT_FALSE(timers.reset_after(TimerId{}, 1s));
}

// ---- Never early, at most one tick late ---------------------------------------------------------

TEST(Timers, NeverFiresBeforeItsDeadlineAndFiresAtTheTickBoundaryAfterIt) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  // Deadlines on, just after and just before millisecond boundaries of the Timers' clock.
  const std::vector<Clock::duration> offsets = {1ns,       999'999ns,  1ms,           1ms + 1ns,
                                                2ms - 1ns, 7ms,        7ms + 500us,   64ms - 1ns,
                                                64ms,      64ms + 1ns, 4096ms + 300us};
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    start(timers, i, origin + offsets[i]);
  }
  std::vector<bool> seen(offsets.size(), false);
  std::array<Expired, 16> fired{};
  // Every 100 µs: a timer comes out at the first `now` that has reached its deadline rounded
  // up to the millisecond, and never at one that has not reached its deadline.
  for (Clock::time_point now = origin; now <= origin + 4100ms; now += 100us) {
    const std::size_t n = timers.expire(now, fired);
    for (const Expired& timer : std::span(fired).first(n)) {
      const std::size_t i = timer.token.value;
      EXPECT_LE(timer.deadline, now) << "early: timer " << i;
      EXPECT_EQ(timer.deadline, origin + offsets.at(i));
      const auto boundary = std::chrono::ceil<std::chrono::milliseconds>(offsets.at(i));
      EXPECT_GE(now - origin, boundary) << "timer " << i;
      EXPECT_LT(now - origin, boundary + 100us) << "late: timer " << i;
      seen.at(i) = true;
    }
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true),
            static_cast<std::ptrdiff_t>(offsets.size()));
  EXPECT_TRUE(timers.empty());
}

TEST(Timers, SubMillisecondDeadlineFiresAtTheNextWholeMillisecondOfTheTimersClock) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  start(timers, 1, origin + 10ms + 1ns);
  EXPECT_EQ(timers.next_deadline(), origin + 11ms);
  std::array<Expired, 4> fired{};
  EXPECT_EQ(timers.expire(origin + 10ms + 999'999ns, fired), 0U);
  ASSERT_EQ(timers.expire(origin + 11ms, fired), 1U);
  EXPECT_EQ(fired[0].deadline, origin + 10ms + 1ns);
}

TEST(Timers, DeadlineInThePastIsDueAtTheNextExpire) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  std::array<Expired, 4> fired{};
  EXPECT_EQ(timers.expire(origin + 50ms, fired), 0U);
  start(timers, 1, origin + 10ms);
  start(timers, 2, Clock::time_point::min());
  EXPECT_EQ(timers.timeout(origin + 50ms), 0ns);
  EXPECT_EQ(tokens_of(expire_all(timers, origin + 50ms)), (std::vector<std::size_t>{1, 2}));
}

// ---- Order --------------------------------------------------------------------------------------

TEST(Timers, FireInDeadlineOrderAcrossEveryLevelOfTheWheel) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  using std::chrono::hours;
  // Each just inside or just past a level's span (64^l ms), and one beyond six levels.
  const std::vector<Clock::duration> deadlines = {
      1ms, 63ms, 64ms, 65ms, 4095ms, 4096ms, 4097ms, 262'144ms, 1h, hours(24 * 365 * 3)};
  std::vector<std::size_t> order(deadlines.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  for (const std::size_t i : order) {
    start(timers, i, origin + deadlines[i]);
  }
  std::array<Expired, 4> fired{};
  for (std::size_t i = 0; i < deadlines.size(); ++i) {
    // The wheel knows when the next one is due (not merely when its slot begins) ...
    ASSERT_EQ(timers.next_deadline(), origin + deadlines[i]) << i;
    EXPECT_EQ(timers.timeout(origin + deadlines[i] - 1ns), 1ns) << i;
    // ... nothing comes out a nanosecond before it ...
    EXPECT_EQ(timers.expire(origin + deadlines[i] - 1ns, fired), 0U) << i;
    // ... and exactly it comes out at it.
    ASSERT_EQ(timers.expire(origin + deadlines[i], fired), 1U) << i;
    EXPECT_EQ(fired[0].token, Token{i});
    EXPECT_EQ(fired[0].deadline, origin + deadlines[i]);
  }
  EXPECT_TRUE(timers.empty());
}

TEST(Timers, FireInDeadlineOrderWhenTimeJumpsPastThemAll) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  const std::vector<Clock::duration> deadlines = {5000ms, 3ms, 70ms, 4100ms, 1h, 64ms, 0ms};
  for (std::size_t i = 0; i < deadlines.size(); ++i) {
    start(timers, i, origin + deadlines[i]);
  }
  EXPECT_EQ(tokens_of(expire_all(timers, origin + 2h)),
            (std::vector<std::size_t>{6, 1, 5, 2, 3, 0, 4}));
}

TEST(Timers, WithinOneTickTimersFireInStartOrderWhateverTheirSubMillisecondDeadlines) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  // Tick 3 near (level 0), tick 5000 far (a higher level: the timers move down before firing,
  // and asking for next_deadline() sorts that slot by tick first, which must keep this order).
  for (const Clock::duration tick : {3ms, 5000ms}) {
    start(timers, 1, origin + tick - 1ns);
    start(timers, 2, origin + tick - 500us);
    start(timers, 3, origin + tick - 999'999ns);
    start(timers, 4, origin + tick);
  }
  start(timers, 0, origin + 4990ms);  // earlier, but started last
  EXPECT_EQ(tokens_of(expire_all(timers, origin + 3ms)), (std::vector<std::size_t>{1, 2, 3, 4}));
  EXPECT_EQ(timers.next_deadline(), origin + 4990ms);
  EXPECT_EQ(tokens_of(expire_all(timers, origin + 6s)), (std::vector<std::size_t>{0, 1, 2, 3, 4}));
}

TEST(Timers, AResetTimerComesAfterTheOthersOfItsNewTick) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  const TimerId first = start(timers, 1, origin + 20ms);
  start(timers, 2, origin + 20ms);
  EXPECT_TRUE(timers.reset(first, origin + 20ms));
  EXPECT_EQ(tokens_of(expire_all(timers, origin + 20ms)), (std::vector<std::size_t>{2, 1}));
}

// ---- Stale ids ----------------------------------------------------------------------------------

TEST(Timers, CancelAndResetOfAFiredTimerReturnFalseAndTouchNothing) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  const TimerId fires = start(timers, 1, origin + 1ms);
  start(timers, 2, origin + 10ms);
  std::array<Expired, 4> fired{};
  ASSERT_EQ(timers.expire(origin + 1ms, fired), 1U);
  EXPECT_EQ(fired[0].id, fires);
  EXPECT_FALSE(timers.cancel(fires));
  EXPECT_FALSE(timers.reset(fires, origin + 2ms));
  EXPECT_FALSE(timers.reset_after(fires, 1ms));
  EXPECT_EQ(timers.size(), 1U);
  EXPECT_EQ(timers.next_deadline(), origin + 10ms);
}

TEST(Timers, CancelTwiceIsFalseTheSecondTime) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  const TimerId id = start(timers, 1, origin + 5ms);
  EXPECT_TRUE(timers.cancel(id));
  EXPECT_TRUE(timers.empty());
  EXPECT_FALSE(timers.cancel(id));
  EXPECT_FALSE(timers.reset(id, origin + 6ms));
  EXPECT_TRUE(timers.empty());
  EXPECT_EQ(timers.next_deadline(), std::nullopt);
  EXPECT_EQ(expire_all(timers, origin + 1h).size(), 0U);
}

TEST(Timers, TheIdOfAReusedSlotIsStaleAndCannotReachTheNewTimer) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  const TimerId old = start(timers, 1, origin + 5ms);
  ASSERT_TRUE(timers.cancel(old));
  const TimerId reused = start(timers, 2, origin + 7ms);  // the free list gives the same slot
  EXPECT_NE(reused, old);
  EXPECT_FALSE(timers.cancel(old));
  EXPECT_FALSE(timers.reset(old, origin + 1ms));
  EXPECT_EQ(timers.size(), 1U);
  EXPECT_EQ(timers.next_deadline(), origin + 7ms);
  const std::vector<Expired> fired = expire_all(timers, origin + 1h);
  ASSERT_EQ(fired.size(), 1U);
  EXPECT_EQ(fired[0].id, reused);
  EXPECT_EQ(fired[0].token, Token{2});
  EXPECT_NE(TimerId{}, reused);
}

TEST(Timers, ResetKeepsTheIdAndTokenAndMovesTheDeadlineEitherWay) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  const TimerId id = start(timers, 9, origin + 10s);
  EXPECT_TRUE(timers.reset(id, origin + 2ms));
  EXPECT_EQ(timers.next_deadline(), origin + 2ms);
  EXPECT_TRUE(timers.reset(id, origin + 20s));
  EXPECT_EQ(timers.next_deadline(), origin + 20s);
  EXPECT_EQ(timers.size(), 1U);
  EXPECT_EQ(expire_all(timers, origin + 20s - 1ns).size(), 0U);
  const std::vector<Expired> fired = expire_all(timers, origin + 20s);
  ASSERT_EQ(fired.size(), 1U);
  EXPECT_EQ(fired[0].id, id);
  EXPECT_EQ(fired[0].token, Token{9});
  EXPECT_EQ(fired[0].deadline, origin + 20s);
}

// ---- A `fired` span smaller than what is due ----------------------------------------------------

TEST(Timers, WhatDoesNotFitInFiredStaysDueInOrderForTheNextCall) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  for (std::size_t i = 0; i < 100; ++i) {
    start(timers, i, origin + std::chrono::milliseconds(1 + i / 10));  // 10 per tick
  }
  std::array<Expired, 7> fired{};
  EXPECT_EQ(timers.expire(origin + 1h, std::span<Expired>{}), 0U);
  std::size_t next = 0;
  for (std::size_t n = timers.expire(origin + 1h, fired); n != 0;
       n = timers.expire(origin + 1h, fired)) {
    EXPECT_TRUE(n == fired.size() || next + n == 100) << n;
    for (const Expired& timer : std::span(fired).first(n)) {
      EXPECT_EQ(timer.token, Token{next++});
    }
    EXPECT_EQ(timers.size(), 100 - next);
    if (next < 100) {
      EXPECT_EQ(timers.timeout(origin + 1h), 0ns);  // the rest are still due
    }
  }
  EXPECT_EQ(next, 100U);
}

// ---- timeout() for Poll::poll -------------------------------------------------------------------

TEST(Timers, TimeoutIsNulloptWhenEmptyZeroWhenDueAndExactlyTheWaitOtherwise) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  EXPECT_EQ(timers.timeout(origin), std::nullopt);
  const TimerId id = start(timers, 1, origin + 30ms + 200us);  // fires at origin + 31 ms
  EXPECT_EQ(timers.timeout(origin), 31ms);
  EXPECT_EQ(timers.timeout(origin + 30ms + 1ns), 1ms - 1ns);
  EXPECT_EQ(timers.timeout(origin + 31ms), 0ns);
  EXPECT_EQ(timers.timeout(origin + 1h), 0ns);
  EXPECT_TRUE(timers.cancel(id));
  EXPECT_EQ(timers.timeout(origin), std::nullopt);
}

TEST(Timers, TimeoutIsNeverShorterThanTheWaitForTheEarliestTimer) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  std::mt19937_64 random(11);
  std::array<Expired, 64> fired{};
  Clock::time_point now = origin;
  for (int round = 0; round < 2000; ++round) {
    // Far and near timers, so that the earliest is often in a slot spanning many ticks.
    const auto ahead =
        std::chrono::nanoseconds(random() % (round % 2 == 0 ? 10'000'000'000ULL : 3'000'000ULL));
    start(timers, static_cast<std::size_t>(round), now + ahead);
    const std::optional<std::chrono::nanoseconds> wait = timers.timeout(now);
    ASSERT_TRUE(wait.has_value());
    if (*wait > 0ns) {
      // Waiting a nanosecond less finds nothing due; waiting exactly that long finds one.
      EXPECT_EQ(timers.expire(now + *wait - 1ns, fired), 0U) << round;
      now += *wait;
      EXPECT_GE(timers.expire(now, fired), 1U) << round;
    } else {
      EXPECT_GE(timers.expire(now, fired), 1U) << round;
    }
  }
}

TEST(Timers, NextDeadlineOfAFarTimerIsItsOwnNotItsWheelSlots) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  start(timers, 1, origin + 5h + 17ms + 1ns);
  start(timers, 2, origin + 5h + 3ms);
  EXPECT_EQ(timers.next_deadline(), origin + 5h + 3ms);
  EXPECT_EQ(timers.timeout(origin), 5h + 3ms);
}

// ---- start_after and reset_after ----------------------------------------------------------------

TEST(Timers, AfterCountsFromTheLatestNowGivenToExpire) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  std::error_code ec;
  const TimerId first = timers.start_after(Token{1}, 10ms, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(timers.next_deadline(), origin + 10ms);  // before any expire: from the creation
  std::array<Expired, 4> fired{};
  EXPECT_EQ(timers.expire(origin + 5ms + 300us, fired), 0U);
  const TimerId second = timers.start_after(Token{2}, 1ms, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(timers.next_deadline(), origin + 7ms);  // 6.3 ms, rounded up
  EXPECT_TRUE(timers.reset_after(first, 0ns));      // due at once
  EXPECT_EQ(timers.next_deadline(), origin + 5ms);
  EXPECT_EQ(timers.timeout(origin + 5ms + 300us), 0ns);
  // An earlier now counts as the latest one: the Timers' time does not go back.
  ASSERT_EQ(timers.expire(origin + 1ms, fired), 1U);
  EXPECT_EQ(fired[0].token, Token{1});
  EXPECT_EQ(fired[0].deadline, origin + 5ms + 300us);
  EXPECT_TRUE(timers.cancel(second));
}

TEST(Timers, ADeadlineTheTimersNowHasPassedIsDueAtOnceNotAtTheNextMillisecond) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  std::array<Expired, 4> fired{};
  EXPECT_EQ(timers.expire(origin + 5ms + 300us, fired), 0U);
  start(timers, 1, origin + 5ms + 200us);  // passed: due now
  start(timers, 2, origin + 5ms + 400us);  // ahead: at the 6 ms boundary
  EXPECT_EQ(timers.timeout(origin + 5ms + 300us), 0ns);
  EXPECT_EQ(tokens_of(expire_all(timers, origin + 5ms + 300us)), (std::vector<std::size_t>{1}));
  EXPECT_EQ(timers.next_deadline(), origin + 6ms);
  EXPECT_EQ(tokens_of(expire_all(timers, origin + 6ms)), (std::vector<std::size_t>{2}));
}

TEST(Timers, NegativeDelayIsDueNowAndHugeOnesSaturate) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  std::error_code ec;
  std::array<Expired, 4> fired{};
  EXPECT_EQ(timers.expire(origin + 2s, fired), 0U);
  (void)timers.start_after(Token{1}, -5s, ec);
  (void)timers.start_after(Token{2}, Clock::duration::min(), ec);
  const TimerId never = timers.start_after(Token{3}, Clock::duration::max(), ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(timers.timeout(origin + 2s), 0ns);
  EXPECT_EQ(tokens_of(expire_all(timers, origin + 2s)), (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(timers.next_deadline(), Clock::time_point::max());
  EXPECT_GT(timers.timeout(origin + 2s).value(), 24h * 365 * 100);
  EXPECT_EQ(expire_all(timers, Clock::time_point::max() - 1ms).size(), 0U);
  EXPECT_TRUE(timers.cancel(never));
}

// ---- Against a reference model ------------------------------------------------------------------

/// The same timers in a std::multimap keyed by (tick due, start sequence): what expire() must
/// report and in which order, stated the simple way.
class Model {
 public:
  explicit Model(Clock::time_point origin) : origin_(origin), now_(origin) {}

  void start(TimerId id, std::size_t token, Clock::time_point deadline) {
    timers_.emplace(std::pair(due_tick(deadline), sequence_++),
                    Expired{Token{token}, id, deadline});
  }
  bool cancel(TimerId id) {
    const auto found = find(id);
    if (found == timers_.end()) {
      return false;
    }
    timers_.erase(found);
    return true;
  }
  bool reset(TimerId id, Clock::time_point deadline) {
    const auto found = find(id);
    if (found == timers_.end()) {
      return false;
    }
    Expired timer = found->second;
    timers_.erase(found);
    timer.deadline = deadline;
    timers_.emplace(std::pair(due_tick(deadline), sequence_++), timer);
    return true;
  }
  std::vector<Expired> expire(Clock::time_point now, std::size_t room) {
    std::vector<Expired> fired;
    now_ = std::max(now_, now);
    if (room == 0) {
      return fired;
    }
    const std::int64_t reached = now_ < origin_ ? -1 : (now_ - origin_) / 1ms;
    while (!timers_.empty() && fired.size() < room &&
           static_cast<std::int64_t>(timers_.begin()->first.first) <= reached) {
      elapsed_ = std::max(elapsed_, timers_.begin()->first.first);
      fired.push_back(timers_.begin()->second);
      timers_.erase(timers_.begin());
    }
    if (fired.size() < room && reached >= 0) {
      elapsed_ = std::max(elapsed_, static_cast<std::uint64_t>(reached));
    }
    return fired;
  }
  [[nodiscard]] std::optional<Clock::time_point> next_deadline() const {
    if (timers_.empty()) {
      return std::nullopt;
    }
    return origin_ + std::chrono::milliseconds(timers_.begin()->first.first);
  }
  [[nodiscard]] std::size_t size() const { return timers_.size(); }

 private:
  using Map = std::multimap<std::pair<std::uint64_t, std::uint64_t>, Expired>;

  /// When a timer with `deadline` is due: at once if the Timers' now has passed it, else at the
  /// tick boundary at or after it; never before the tick the wheel stands at.
  [[nodiscard]] std::uint64_t due_tick(Clock::time_point deadline) const {
    return std::max(deadline <= now_ ? 0 : tick_of(deadline), elapsed_);
  }
  [[nodiscard]] std::uint64_t tick_of(Clock::time_point deadline) const {
    return deadline <= origin_
               ? 0
               : static_cast<std::uint64_t>(
                     std::chrono::ceil<std::chrono::milliseconds>(deadline - origin_).count());
  }
  Map::iterator find(TimerId id) {
    return std::find_if(timers_.begin(), timers_.end(),
                        [id](const auto& entry) { return entry.second.id == id; });
  }

  Clock::time_point origin_;
  Clock::time_point now_;      // the latest now given to expire()
  std::uint64_t elapsed_ = 0;  // the tick the wheel stands at: earlier deadlines are due there
  std::uint64_t sequence_ = 0;
  Map timers_;
};

TEST(Timers, RandomStartsCancelsResetsAndExpiresAgreeWithAReferenceModel) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  Model model(origin);
  std::mt19937_64 random(2024);
  std::vector<TimerId> ids;  // live and stale alike
  Clock::time_point now = origin;
  Clock::time_point latest = origin;  // the Timers' now: `now` at its latest
  std::array<Expired, 64> fired{};
  const auto some_deadline = [&] {
    switch (random() % 4) {
      case 0:  // near, sub-millisecond parts
        return now + std::chrono::nanoseconds(random() % 20'000'000);
      case 1:  // far: higher levels of the wheel
        return now + std::chrono::milliseconds(random() % 20'000'000);
      case 2:  // already passed
        return now - std::chrono::nanoseconds(random() % 5'000'000);
      default:
        return now + std::chrono::milliseconds(random() % 70'000);
    }
  };
  std::size_t expired = 0;
  for (int step = 0; step < 100'000; ++step) {
    const std::uint64_t choice = random() % 100;
    if (choice < 40 || ids.empty()) {
      const Clock::time_point deadline = some_deadline();
      const TimerId id = start(timers, static_cast<std::size_t>(step), deadline);
      model.start(id, static_cast<std::size_t>(step), deadline);
      ids.push_back(id);
    } else if (choice < 60) {
      const TimerId id = ids[random() % ids.size()];
      ASSERT_EQ(timers.cancel(id), model.cancel(id)) << step;
    } else if (choice < 80) {
      const TimerId id = ids[random() % ids.size()];
      const Clock::time_point deadline = some_deadline();
      ASSERT_EQ(timers.reset(id, deadline), model.reset(id, deadline)) << step;
    } else if (choice < 97) {
      // Time moves forward by up to 100 ms (now and then back a little, which changes nothing).
      now += std::chrono::microseconds(random() % 100'000) - (random() % 10 == 0 ? 1ms : 0ms);
      latest = std::max(latest, now);
      const std::size_t room = random() % (fired.size() + 1);
      const std::size_t n = timers.expire(now, std::span(fired).first(room));
      const std::vector<Expired> expected = model.expire(now, room);
      ASSERT_EQ(n, expected.size()) << step;
      for (std::size_t k = 0; k < n; ++k) {
        const Expired& timer = fired.at(k);
        ASSERT_EQ(timer.token, expected[k].token) << step;
        ASSERT_EQ(timer.id, expected[k].id) << step;
        ASSERT_EQ(timer.deadline, expected[k].deadline) << step;
        ASSERT_LE(timer.deadline, latest) << step;
      }
      expired += n;
    } else {
      // Time leaps by up to 6 hours: the wheel cascades through its upper levels.
      now += std::chrono::seconds(random() % 21'600);
    }
    ASSERT_EQ(timers.size(), model.size()) << step;
    if (step % 16 == 0) {
      ASSERT_EQ(timers.next_deadline(), model.next_deadline()) << step;
    }
    if (ids.size() > 4096) {
      ids.erase(ids.begin(), ids.begin() + 2048);
    }
  }
  EXPECT_GT(expired, 10'000U);
}

// ---- Scale --------------------------------------------------------------------------------------

TEST(Timers, OneMillionLiveTimersStartAndExpireInOrderWithoutAllocating) {
  constexpr std::size_t count = 1'000'000;
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  std::error_code reserve_ec;
  timers.reserve(count, reserve_ec);
  ASSERT_FALSE(reserve_ec) << reserve_ec.message();
  ASSERT_GE(timers.capacity(), count);
  std::mt19937_64 random(5);
  std::size_t allocations = 0;
  {
    const test::AllocationWindow window;
    std::error_code ec;
    for (std::size_t i = 0; i < count; ++i) {
      // Spread over two days: every level up to the fifth holds some.
      const auto deadline = origin + std::chrono::nanoseconds(random() % 172'800'000'000'000ULL);
      (void)timers.start(Token{i}, deadline, ec);
    }
    allocations = window.count();
    ASSERT_FALSE(ec) << ec.message();
  }
  EXPECT_EQ(allocations, 0U);
  ASSERT_EQ(timers.size(), count);
  std::vector<Expired> fired(4096);
  std::size_t total = 0;
  std::uint64_t last_tick = 0;
  std::size_t last_token = 0;
  bool first = true;
  for (Clock::time_point now = origin; !timers.empty(); now += 10min) {
    for (std::size_t n = timers.expire(now, fired); n != 0; n = timers.expire(now, fired)) {
      for (std::size_t k = 0; k < n; ++k) {
        const Expired& timer = fired[k];
        ASSERT_LE(timer.deadline, now);
        const auto tick = static_cast<std::uint64_t>(
            std::chrono::ceil<std::chrono::milliseconds>(timer.deadline - origin).count());
        ASSERT_GE(tick, last_tick);
        ASSERT_TRUE(first || tick > last_tick || timer.token.value > last_token);
        first = false;
        last_tick = tick;
        last_token = timer.token.value;
      }
      total += n;
    }
    ASSERT_LE(now, origin + 49h);
  }
  EXPECT_EQ(total, count);
}

// ---- Allocations --------------------------------------------------------------------------------

TEST(Timers, NoOperationAllocatesOnceCapacityIsReserved) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  std::error_code ec;
  timers.reserve(10'000, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_GE(timers.capacity(), 10'000U);
  std::vector<TimerId> ids(10'000);
  std::array<Expired, 256> fired{};
  std::size_t allocations = 0;
  {
    const test::AllocationWindow window;
    for (std::size_t round = 0; round < 3; ++round) {
      for (std::size_t i = 0; i < ids.size(); ++i) {
        ids[i] = timers.start_after(Token{i}, std::chrono::milliseconds(i % 5000), ec);
      }
      for (std::size_t i = 0; i + 1 < ids.size(); i += 3) {
        (void)timers.cancel(ids[i]);
        (void)timers.reset_after(ids[i + 1], 3s);
      }
      (void)timers.next_deadline();
      (void)timers.timeout(origin);
      while (timers.expire(origin + std::chrono::hours(round + 1), fired) != 0) {
      }
    }
    allocations = window.count();
  }
  EXPECT_EQ(allocations, 0U);
  EXPECT_TRUE(timers.empty());

  // The counter does see the Timers' own allocation, where it watches malloc.
  if (test::counts_malloc) {
    const std::size_t past_capacity = timers.capacity() + 1;
    const test::AllocationWindow window;
    for (std::size_t i = 0; i < past_capacity; ++i) {
      (void)timers.start(Token{i}, origin, ec);
    }
    EXPECT_GE(window.count(), 1U);
  }
}

TEST(Timers, AnAbsurdReserveIsNotEnoughMemoryAndChangesNothing) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  const TimerId id = start(timers, 1, origin + 1s);
  const std::size_t capacity = timers.capacity();
  for (const std::size_t absurd :
       {std::numeric_limits<std::size_t>::max(), std::numeric_limits<std::size_t>::max() / 2,
        std::numeric_limits<std::size_t>::max() / 16}) {
    std::error_code ec;
    timers.reserve(absurd, ec);
    EXPECT_EQ(ec, std::errc::not_enough_memory) << absurd;
    EXPECT_EQ(timers.capacity(), capacity);
  }
  EXPECT_EQ(timers.size(), 1U);
  EXPECT_TRUE(timers.reset(id, origin + 2s));
  EXPECT_EQ(timers.next_deadline(), origin + 2s);
#if MIOCPP_HAS_EXCEPTIONS
  try {
    timers.reserve(std::numeric_limits<std::size_t>::max());
    ADD_FAILURE() << "no exception";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::not_enough_memory);
  }
#endif
}

TEST(Timers, AFailedAllocationIsReportedAndLeavesEveryTimerAsItWas) {
  if (!test::can_fail_malloc) {
    GTEST_SKIP() << "this build cannot make malloc fail on purpose";
  }
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  const std::size_t capacity = timers.capacity();  // what origin_of's timer needed
  std::error_code ec;
  {
    const test::FailingAllocations failing;
    timers.reserve(capacity + 100, ec);
  }
  EXPECT_EQ(ec, std::errc::not_enough_memory);
  EXPECT_EQ(timers.capacity(), capacity);
  std::vector<TimerId> ids;
  for (std::size_t i = 0; i < capacity; ++i) {
    ids.push_back(start(timers, i, origin + std::chrono::milliseconds(i)));
  }
  ASSERT_EQ(timers.size(), timers.capacity());
  TimerId refused;
  {
    const test::FailingAllocations failing;
    refused = timers.start(Token{99}, origin, ec);
  }
  EXPECT_EQ(ec, std::errc::not_enough_memory);
  EXPECT_EQ(refused, TimerId{});
  EXPECT_FALSE(timers.cancel(refused));
  EXPECT_EQ(timers.size(), capacity);
  const std::vector<Expired> fired = expire_all(timers, origin + 1h);
  ASSERT_EQ(fired.size(), capacity);
  for (std::size_t i = 0; i < fired.size(); ++i) {
    EXPECT_EQ(fired[i].id, ids[i]);
  }
  (void)start(timers, 100, origin);  // and it recovers
}

// ---- Moves and the throwing overloads -----------------------------------------------------------

TEST(Timers, AMovedTimersKeepsItsTimersAndIdsAndLeavesAnEmptyOneBehind) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  const TimerId id = start(timers, 1, origin + 10ms);
  start(timers, 2, origin + 20s);
  Timers moved(std::move(timers));
  EXPECT_EQ(moved.size(), 2U);
  EXPECT_TRUE(timers.empty());  // NOLINT(bugprone-use-after-move): it is left empty on purpose
  EXPECT_EQ(timers.next_deadline(), std::nullopt);
  EXPECT_FALSE(timers.cancel(id));
  start(timers, 3, origin + 1ms);  // still usable
  EXPECT_TRUE(moved.reset(id, origin + 5ms));
  Timers assigned;
  assigned = std::move(moved);
  EXPECT_EQ(tokens_of(expire_all(assigned, origin + 1h)), (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(tokens_of(expire_all(timers, origin + 1h)), (std::vector<std::size_t>{3}));
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(Timers, ThrowingOverloadsStartAndReserveLikeTheErrorCodeOnes) {
  Timers timers;
  const Clock::time_point origin = origin_of(timers);
  timers.reserve(16);
  const TimerId a = timers.start(Token{1}, origin + 2ms);
  const TimerId b = timers.start_after(Token{2}, 1ms);
  EXPECT_NE(a, b);
  EXPECT_EQ(tokens_of(expire_all(timers, origin + 2ms)), (std::vector<std::size_t>{2, 1}));
}
#endif

}  // namespace
