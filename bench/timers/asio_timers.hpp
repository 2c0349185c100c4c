// bench_timers' Asio side: one asio::steady_timer per timer on one io_context (Asio keeps them
// in a binary heap and arms a timerfd for the earliest).
#pragma once

#include <cstddef>
#include <cstdio>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "workload.hpp"

namespace bench {

class AsioTimers {
 public:
  static constexpr const char* name = "asio";

  /// `live` timers, all far away.
  AsioTimers(std::size_t live, Random& random) : random_(random) {
    timers_.reserve(live);
    base_ = Clock::now();
    for (std::size_t i = 0; i < live; ++i) {
      timers_.emplace_back(io_, base_ + random_.far());
      timers_.back().async_wait(Handler{this, i, false});
    }
  }

  /// One operation: cancel a random timer (its handler then runs with operation_aborted, in the
  /// poll() every 1024 operations, which is part of the measurement) and wait on it again with a
  /// new far deadline.
  void start_cancel(std::size_t operations) {
    for (std::size_t op = 0; op < operations; ++op) {
      const std::size_t i = random_.below(timers_.size());
      timers_[i].cancel();
      timers_[i].expires_at(base_ + random_.far());
      timers_[i].async_wait(Handler{this, i, false});
      drain_every(op);
    }
    drain();
  }

  /// One operation: expires_at() on a random timer (which cancels its wait) and a new wait.
  void reset(std::size_t operations) {
    for (std::size_t op = 0; op < operations; ++op) {
      const std::size_t i = random_.below(timers_.size());
      timers_[i].expires_at(base_ + random_.far());
      timers_[i].async_wait(Handler{this, i, false});
      drain_every(op);
    }
    drain();
  }

  /// Turns the first `count` timers into ones that fire within a few milliseconds and wait
  /// again from their handler.
  void make_near(std::size_t count) {
    near_ = count;
    for (std::size_t i = 0; i < count; ++i) {
      timers_[i].cancel();
    }
    drain();  // the cancelled far waits' handlers, before any near timer can fall due
    now_ = Clock::now();
    for (std::size_t i = 0; i < count; ++i) {
      timers_[i].expires_at(now_ + random_.near());
      timers_[i].async_wait(Handler{this, i, true});
    }
  }

  /// io_context::poll_one() until no handler is ready: Asio finds the due timers (its timerfd
  /// is readable) and runs their handlers, each waiting again. At most one handler per near
  /// timer: poll() would run until the loop catches up with the clock, since timers it restarts
  /// fall due while it runs, and it may never return. Returns the timers fired.
  std::size_t expire_due() {
    now_ = Clock::now();
    fired_ = 0;
    for (std::size_t handlers = 0; handlers < near_ && io_.poll_one() != 0; ++handlers) {
    }
    if (io_.stopped()) {
      io_.restart();
    }
    return fired_;
  }

 private:
  struct Handler {
    AsioTimers* self;
    std::size_t index;
    bool near;
    void operator()(const asio::error_code& ec) const {
      if (ec || !near) {
        return;  // cancelled (or, impossibly, a far timer fired)
      }
      ++self->fired_;
      asio::steady_timer& timer = self->timers_[index];
      timer.expires_at(self->now_ + self->random_.near());
      timer.async_wait(Handler{self, index, true});
    }
  };

  void drain_every(std::size_t op) {
    if (op % 1024 == 1023) {
      drain();
    }
  }
  void drain() {
    io_.poll();
    if (io_.stopped()) {
      io_.restart();
    }
  }

  Random& random_;
  asio::io_context io_{1};
  std::vector<asio::steady_timer> timers_;
  Clock::time_point base_;
  Clock::time_point now_;
  std::size_t near_ = 0;
  std::size_t fired_ = 0;
};

}  // namespace bench
