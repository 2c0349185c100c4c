// Iterating Events: what a loop reads of each event (its token and readiness), beside the same
// reads of the epoll_event array. No system call: this is the wrapper's whole cost.
#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <system_error>

#include <benchmark/benchmark.h>

#include "allocations.hpp"
#include "support.hpp"
#include <miocpp/miocpp.hpp>

namespace {

constexpr std::size_t count = 64;

void miocpp_events_iterate(benchmark::State& state) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  miocpp::Events events(count);
  const bench::ReadyFds ready(count);
  bench::register_all(poll, ready, ec);
  ready.trigger();
  poll.poll(events, std::chrono::nanoseconds(0), ec);
  if (bench::failed(ec, state) || events.size() != count) {
    state.SkipWithError("the poll did not fill the events");
    return;
  }
  bench::AllocationCounter allocations(state);
  for (auto _ : state) {
    std::size_t sum = 0;
    for (const miocpp::Event& event : events) {
      sum += event.token().value + (event.is_readable() ? 1U : 0U);
    }
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(miocpp_events_iterate);

#if MIOCPP_SELECTOR_EPOLL
void raw_events_iterate(benchmark::State& state) {
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  const bench::ReadyFds ready(count);
  for (std::size_t i = 0; i < count; ++i) {
    ::epoll_event registration{};
    registration.events = EPOLLIN | EPOLLET;
    registration.data.u64 = i;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, ready.fds()[i], &registration);
  }
  ready.trigger();
  std::array<::epoll_event, count> events{};
  const int filled = ::epoll_wait(epoll, events.data(), count, 0);
  ::close(epoll);
  if (filled != static_cast<int>(count)) {
    state.SkipWithError("the poll did not fill the events");
    return;
  }
  for (auto _ : state) {
    std::size_t sum = 0;
    for (const ::epoll_event& event : events) {
      // Readable as miocpp defines it: EPOLLIN or EPOLLPRI.
      sum += event.data.u64 + ((event.events & (EPOLLIN | EPOLLPRI)) != 0 ? 1U : 0U);
    }
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(raw_events_iterate);
#endif

}  // namespace
