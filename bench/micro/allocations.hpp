// Counts the calls of the global operator new, so a benchmark can report allocations per
// iteration (the performance contract says a poll, a wake, a registration and an I/O call make
// none).
#pragma once

#include <cstddef>

#include <benchmark/benchmark.h>

namespace bench {

/// Allocations made by this thread so far.
std::size_t allocations() noexcept;

/// Adds the counter "allocs" (allocations per iteration) for the loop it surrounds.
class AllocationCounter {
 public:
  explicit AllocationCounter(benchmark::State& state) noexcept
      : state_(state), before_(allocations()) {}
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;
  ~AllocationCounter() {
    state_.counters["allocs"] = benchmark::Counter(static_cast<double>(allocations() - before_),
                                                   benchmark::Counter::kAvgIterations);
  }

 private:
  benchmark::State& state_;
  std::size_t before_;
};

}  // namespace bench
