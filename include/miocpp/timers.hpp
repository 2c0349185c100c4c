// Timers: an event loop's timers, kept in user space, that set the timeout of its Poll::poll.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>

#include "config.hpp"
#include "detail/throw_error.hpp"
#include "timer/slab.hpp"
#include "timer/ticks.hpp"
#include "timer/timer_id.hpp"
#include "timer/wheel.hpp"
#include "token.hpp"

namespace miocpp {

/// The timers of one event loop. There is no OS timer object: the loop waits in Poll::poll for
/// at most timeout(), then asks expire() which timers are due, each named by the Token it was
/// started with (as libuv, Asio and tokio do). So timers work the same on every backend, poll(2),
/// WASI and the shell included, and cost no system call.
///
/// ```
/// miocpp::Timers timers;
/// timers.reserve(10'000);                                   // the only allocation
/// const miocpp::TimerId idle = timers.start_after(miocpp::Token{7}, std::chrono::seconds(30));
/// std::array<miocpp::Timers::Expired, 64> fired;
/// for (;;) {
///   poll.poll(events, timers.timeout(miocpp::Timers::clock::now()));
///   const std::size_t n = timers.expire(miocpp::Timers::clock::now(), fired);
///   for (const auto& timer : std::span(fired).first(n)) { /* timer.token is due */ }
///   for (const miocpp::Event& event : events) { /* ... timers.reset_after(idle, 30s) ... */ }
/// }
/// ```
///
/// Time: the Timers' now is the latest `now` given to expire() (its creation before the first);
/// it never goes back, and it is read from no clock: the constructor reads the clock once, every
/// other call is given the time.
///
/// Resolution: 1 ms, counted from the Timers' creation. A deadline rounds up to the next whole
/// millisecond of that count, and a timer fires in the first expire() whose `now` has reached
/// that boundary, so it never fires early and at most 1 ms late (plus however late expire() is
/// called). A deadline less than a millisecond away, or one that is not on a millisecond
/// boundary, fires at the next whole millisecond of the Timers' clock. A deadline at or before
/// the Timers' now is due at once: the next expire() reports it.
///
/// Order: expire() reports timers in deadline order, one millisecond tick after the other, and
/// within a tick in the order they were started or last reset. A timer that is due at once
/// joins the tick the Timers has reached, after the timers already due there.
///
/// Cost: start, cancel and reset are O(1) and, once reserve() has made room, allocate nothing
/// and make no system call; expire() is O(1) per timer it reports, plus the moves of the timing
/// wheel (each timer moves down a level at most 7 times in its life). A timer takes 32 bytes.
/// Beyond the reserved capacity, start() grows the storage (doubling); an allocation that fails
/// reports `std::errc::not_enough_memory` and changes nothing.
///
/// Not thread-safe: like Poll::poll, a Timers is used by its loop's thread only.
class Timers {
 public:
  /// The clock of every deadline and `now`: monotonic, so a timer is not moved by changes of the
  /// wall-clock time.
  using clock = std::chrono::steady_clock;

  /// A timer that expire() found due.
  struct Expired {
    /// The token it was started with.
    Token token;
    /// Its id, stale from now on: cancel and reset return false for it.
    TimerId id;
    /// The deadline it was started (or last reset) with, before rounding: never after the
    /// Timers' now at the expire() that reported it (the `now` given, unless it went back).
    clock::time_point deadline;
  };

  /// An empty set of timers; allocates nothing. Ticks count from now.
  Timers() noexcept : wheel_(clock::now()), now_(wheel_.ticks().origin()) {}

  /// Takes over `other`'s timers (their ids stay valid here); `other` is left empty.
  Timers(Timers&& other) noexcept = default;
  /// Drops this Timers' timers and takes over `other`'s; `other` is left empty.
  Timers& operator=(Timers&& other) noexcept = default;
  Timers(const Timers&) = delete;
  Timers& operator=(const Timers&) = delete;
  ~Timers() = default;

  /// Makes room for `timers` timers in all, so that starting that many allocates nothing more.
  /// `std::errc::not_enough_memory` when the allocator refuses or `timers` is more than a
  /// Timers can index (2^32 - 1, or what the address space holds); nothing changes then.
  void reserve(std::size_t timers, std::error_code& ec) noexcept { slab_.reserve(timers, ec); }

#if MIOCPP_HAS_EXCEPTIONS
  /// The same, throwing std::system_error with the code.
  void reserve(std::size_t timers) {
    detail::or_throw("miocpp::Timers::reserve", [&](std::error_code& ec) { reserve(timers, ec); });
  }
#endif

  /// The number of live timers: started, and neither fired nor cancelled.
  [[nodiscard]] std::size_t size() const noexcept {
    return slab_.size();
  }
  /// How many timers fit before start() allocates.
  [[nodiscard]] std::size_t capacity() const noexcept {
    return slab_.capacity();
  }
  /// Whether no timer is live (then timeout() is nullopt).
  [[nodiscard]] bool empty() const noexcept {
    return slab_.size() == 0;
  }

  /// Starts a timer that expire() reports with `token` once `deadline` has passed (rounded up
  /// to the millisecond; see the class comment). Allocates only when size() == capacity(); on
  /// failure `ec` is `std::errc::not_enough_memory` and the id is the default (stale) one.
  TimerId start(Token token, clock::time_point deadline, std::error_code& ec) noexcept {
    const std::uint32_t index = slab_.acquire(ec);
    if (index == timer::detail::none) {
      return {};
    }
    timer::detail::TimerEntry& entry = slab_[index];
    entry.deadline = deadline;
    entry.token = token;
    wheel_.insert(slab_.data(), index, due_tick(deadline));
    return {index, entry.generation};
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// The same, throwing std::system_error (`std::errc::not_enough_memory`).
  TimerId start(Token token, clock::time_point deadline) {
    return detail::or_throw("miocpp::Timers::start",
                            [&](std::error_code& ec) { return start(token, deadline, ec); });
  }
#endif

  /// Starts a timer due `delay` after the Timers' now (the latest `now` given to expire(), its
  /// creation before the first), as libuv's timers count from the loop's cached time: no clock
  /// is read. In a loop that calls expire() as soon as poll returns, that is when the iteration
  /// began; for a delay from this very moment, use start(token, clock::now() + delay). A zero or
  /// negative delay makes the timer due at once: the next expire() reports it.
  TimerId start_after(Token token, clock::duration delay, std::error_code& ec) noexcept {
    return start(token, timer::detail::TickClock::later(now_, delay), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// The same, throwing std::system_error (`std::errc::not_enough_memory`).
  TimerId start_after(Token token, clock::duration delay) {
    return detail::or_throw("miocpp::Timers::start_after",
                            [&](std::error_code& ec) { return start_after(token, delay, ec); });
  }
#endif

  /// Stops the timer `id`; true if it was live. False, touching nothing, when `id` is stale (its
  /// timer fired or was cancelled, even if its slot now holds another timer) or the default id.
  bool cancel(TimerId id) noexcept {
    if (!slab_.is_live(id.index_, id.generation_)) {
      return false;
    }
    wheel_.remove(slab_.data(), id.index_);
    slab_.release(id.index_);
    return true;
  }

  /// Moves the live timer `id` to `deadline`, keeping its id and token; within its new tick it
  /// comes after the timers already there, as if started now. False, touching nothing, when
  /// `id` is stale or the default id.
  bool reset(TimerId id, clock::time_point deadline) noexcept {
    if (!slab_.is_live(id.index_, id.generation_)) {
      return false;
    }
    wheel_.remove(slab_.data(), id.index_);
    slab_[id.index_].deadline = deadline;
    wheel_.insert(slab_.data(), id.index_, due_tick(deadline));
    return true;
  }

  /// reset() to `delay` after the Timers' now (as start_after counts it).
  bool reset_after(TimerId id, clock::duration delay) noexcept {
    return reset(id, timer::detail::TickClock::later(now_, delay));
  }

  /// When the earliest live timer will fire: its deadline rounded up to the millisecond
  /// boundary expire() waits for (never before the deadline). nullopt when no timer is live.
  /// O(1), but for the first call after the earliest timers moved into a new wheel slot, which
  /// may sort that slot's list once (O(k log k) for its k timers; see timer/wheel.hpp).
  [[nodiscard]] std::optional<clock::time_point> next_deadline() const noexcept {
    const auto slot = wheel_.next_slot();
    if (!slot) {
      return std::nullopt;
    }
    return wheel_.ticks().time_of(wheel_.earliest_tick(slab_.data(), *slot));
  }

  /// The timeout for Poll::poll at `now`: until next_deadline(), exactly (so a poll that ends by
  /// its timeout finds that timer due), 0 when a timer is due already, nullopt (block) when no
  /// timer is live. Poll::poll never returns early, rounding up where the OS counts coarser.
  [[nodiscard]] std::optional<std::chrono::nanoseconds> timeout(
      clock::time_point now) const noexcept {
    const std::optional<clock::time_point> deadline = next_deadline();
    if (!deadline) {
      return std::nullopt;
    }
    if (*deadline <= now) {
      return std::chrono::nanoseconds::zero();
    }
    return timer::detail::TickClock::wait_until(*deadline, now);
  }

  /// Moves up to fired.size() timers that are due at `now` (deadline rounded up <= now) into
  /// `fired`, in deadline order (see the class comment), and returns how many. Their ids are
  /// stale from then on. Timers due beyond what `fired` holds stay due, first in line for the
  /// next call. `now` becomes the Timers' now, unless an earlier call gave a later one (then
  /// that one counts: the Timers' time never goes back). Allocates nothing and makes no system
  /// call.
  std::size_t expire(clock::time_point now, std::span<Expired> fired) noexcept {
    now_ = now > now_ ? now : now_;
    const std::optional<std::uint64_t> reached = wheel_.ticks().reached_by(now_);
    std::size_t count = 0;
    while (count < fired.size()) {
      const auto slot = wheel_.next_slot();
      if (!slot || !reached || slot->start > *reached) {
        // Nothing is due before `now`: the wheel can stand there, so that timers started
        // from here on are placed relative to it (no slot between is occupied).
        if (reached) {
          wheel_.advance_to(*reached);
        }
        break;
      }
      wheel_.advance_to(slot->start);
      if (slot->level != 0) {
        wheel_.cascade(slab_.data(), *slot);
        continue;
      }
      for (std::uint32_t index = wheel_.front(*slot);
           index != timer::detail::none && count < fired.size(); index = wheel_.front(*slot)) {
        const timer::detail::TimerEntry& entry = slab_[index];
        fired[count++] = Expired{entry.token, TimerId(index, entry.generation), entry.deadline};
        wheel_.remove(slab_.data(), index);
        slab_.release(index);
      }
    }
    return count;
  }

 private:
  /// The tick a timer with `deadline` is due at: the tick boundary at or after it, or, when the
  /// Timers' now has passed it already, at once (rounding up would make it wait for the next
  /// boundary, up to 1 ms, though it is due).
  [[nodiscard]] std::uint64_t due_tick(clock::time_point deadline) const noexcept {
    return deadline <= now_ ? 0 : wheel_.ticks().tick_of(deadline);
  }

  timer::detail::TimerSlab slab_;
  timer::detail::TimerWheel wheel_;
  clock::time_point now_;  // the latest `now` given to expire(): start_after counts from it
};

}  // namespace miocpp
