// bench_timers' miocpp side: one Timers, its capacity reserved up front, ids kept in a vector.
#pragma once

#include <array>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <system_error>
#include <vector>

#include "workload.hpp"
#include <miocpp/timers.hpp>

namespace bench {

class MiocppTimers {
 public:
  static constexpr const char* name = "miocpp";

  /// `live` timers, all far away.
  MiocppTimers(std::size_t live, Random& random) : random_(random), ids_(live) {
    std::error_code ec;
    timers_.reserve(live, ec);
    check(ec);
    base_ = Clock::now();
    for (std::size_t i = 0; i < live; ++i) {
      ids_[i] = timers_.start(miocpp::Token{i}, base_ + random_.far(), ec);
    }
    check(ec);
  }

  /// One operation: cancel a random live timer, start it again with a new far deadline.
  void start_cancel(std::size_t operations) {
    std::error_code ec;
    for (std::size_t op = 0; op < operations; ++op) {
      const std::size_t i = random_.below(ids_.size());
      (void)timers_.cancel(ids_[i]);
      ids_[i] = timers_.start(miocpp::Token{i}, base_ + random_.far(), ec);
    }
    check(ec);
  }

  /// One operation: move a random live timer to a new far deadline.
  void reset(std::size_t operations) {
    for (std::size_t op = 0; op < operations; ++op) {
      const std::size_t i = random_.below(ids_.size());
      (void)timers_.reset(ids_[i], base_ + random_.far());
    }
  }

  /// Turns the first `count` timers into ones that fire within a few milliseconds and are
  /// started again each time they fire.
  void make_near(std::size_t count) {
    const Clock::time_point now = Clock::now();
    for (std::size_t i = 0; i < count; ++i) {
      (void)timers_.reset(ids_[i], now + random_.near());
    }
  }

  /// What a loop does after its poll returns: the timeout it would poll with next, and every
  /// timer due now fired and started again. Returns the timers fired.
  std::size_t expire_due() {
    const Clock::time_point now = Clock::now();
    (void)timers_.timeout(now);
    std::size_t total = 0;
    std::error_code ec;
    for (;;) {
      const std::size_t n = timers_.expire(now, fired_);
      for (std::size_t k = 0; k < n; ++k) {
        const miocpp::Token token = fired_[k].token;
        ids_[token.value] = timers_.start(token, now + random_.near(), ec);
      }
      total += n;
      if (n < fired_.size()) {
        break;
      }
    }
    check(ec);
    return total;
  }

 private:
  static void check(const std::error_code& ec) {
    if (ec) {
      std::fprintf(stderr, "bench_timers: miocpp: %s\n", ec.message().c_str());
      std::exit(1);
    }
  }

  Random& random_;
  miocpp::Timers timers_;
  std::vector<miocpp::TimerId> ids_;
  Clock::time_point base_;
  std::array<miocpp::Timers::Expired, 1024> fired_{};
};

}  // namespace bench
