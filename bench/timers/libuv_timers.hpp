// bench_timers' libuv side: uv_timer_t handles in one loop (libuv keeps them in a binary heap).
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "workload.hpp"

namespace bench {

class LibuvTimers {
 public:
  static constexpr const char* name = "libuv";

  /// `live` timers, all far away.
  LibuvTimers(std::size_t live, Random& random) : random_(random), timers_(live) {
    if (uv_loop_init(&loop_) != 0) {
      std::fprintf(stderr, "bench_timers: uv_loop_init failed\n");
      std::exit(1);
    }
    for (uv_timer_t& timer : timers_) {
      uv_timer_init(&loop_, &timer);
      timer.data = this;
      uv_timer_start(&timer, on_far, milliseconds_of(random_.far()), 0);
    }
  }
  LibuvTimers(const LibuvTimers&) = delete;
  LibuvTimers& operator=(const LibuvTimers&) = delete;
  ~LibuvTimers() {
    for (uv_timer_t& timer : timers_) {
      uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);  // NOLINT(*-reinterpret-cast)
    }
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }

  /// One operation: uv_timer_stop on a random timer, uv_timer_start with a new far timeout.
  void start_cancel(std::size_t operations) {
    for (std::size_t op = 0; op < operations; ++op) {
      uv_timer_t& timer = timers_[random_.below(timers_.size())];
      uv_timer_stop(&timer);
      uv_timer_start(&timer, on_far, milliseconds_of(random_.far()), 0);
    }
  }

  /// One operation: uv_timer_start on a random active timer, which moves it (libuv stops it
  /// first itself).
  void reset(std::size_t operations) {
    for (std::size_t op = 0; op < operations; ++op) {
      uv_timer_start(&timers_[random_.below(timers_.size())], on_far,
                     milliseconds_of(random_.far()), 0);
    }
  }

  /// Turns the first `count` timers into ones that fire within a few milliseconds and are
  /// started again by their callback.
  void make_near(std::size_t count) {
    uv_update_time(&loop_);
    for (std::size_t i = 0; i < count; ++i) {
      uv_timer_start(&timers_[i], on_near, milliseconds_of(random_.near()), 0);
    }
  }

  /// One turn of the loop that polls nothing (UV_RUN_NOWAIT): libuv reads the clock, runs the
  /// callbacks of every due timer, each starting its timer again. Returns the timers fired.
  std::size_t expire_due() {
    fired_ = 0;
    uv_run(&loop_, UV_RUN_NOWAIT);
    return fired_;
  }

 private:
  static void on_far(uv_timer_t* /*timer*/) {
    std::fprintf(stderr, "bench_timers: a far libuv timer fired\n");
  }
  static void on_near(uv_timer_t* timer) {
    auto* self = static_cast<LibuvTimers*>(timer->data);
    ++self->fired_;
    uv_timer_start(timer, on_near, milliseconds_of(self->random_.near()), 0);
  }

  Random& random_;
  uv_loop_t loop_{};
  std::vector<uv_timer_t> timers_;  // never resized: libuv holds pointers into it
  std::size_t fired_ = 0;
};

}  // namespace bench
