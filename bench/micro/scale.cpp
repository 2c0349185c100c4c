// The cost of a poll that finds nothing ready, against the number of idle registered sockets (1,
// 1,000, 100,000): on epoll (and kqueue) it does not grow, since the kernel keeps a ready list and
// never walks the idle. The raw epoll_wait on the same sockets runs beside each.
#include <sys/epoll.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <system_error>

#include <benchmark/benchmark.h>

#include "idle_sockets.hpp"
#include <miocpp/miocpp.hpp>

namespace {

/// Opening 100,000 sockets takes a while: a set is made once and kept while benchmarks of its size
/// run (both twins of a size run one after the other), then closed to make room for the next.
bench::IdleSockets* idle_sockets(std::size_t count, benchmark::State& state) {
  static std::unique_ptr<bench::IdleSockets> sockets;
  static std::size_t made_for = 0;
  static std::error_code error;
  if (made_for != count) {
    sockets.reset();
    made_for = count;
    sockets = std::make_unique<bench::IdleSockets>(count, error);
    if (error) {
      sockets.reset();
    }
  }
  if (!sockets) {
    state.SkipWithError(("cannot register that many sockets: " + error.message()).c_str());
  }
  return sockets.get();
}

void miocpp_poll_idle(benchmark::State& state) {
  auto* sockets = idle_sockets(static_cast<std::size_t>(state.range(0)), state);
  if (sockets == nullptr) {
    return;
  }
  miocpp::Events events(64);
  std::error_code ec;
  for (auto _ : state) {
    sockets->poll().poll(events, std::chrono::nanoseconds(0), ec);
    benchmark::DoNotOptimize(events.size());
  }
  if (ec || !events.empty()) {
    state.SkipWithError("an idle socket was reported");
  }
}

#if MIOCPP_SELECTOR_EPOLL
void raw_poll_idle(benchmark::State& state) {
  auto* sockets = idle_sockets(static_cast<std::size_t>(state.range(0)), state);
  if (sockets == nullptr) {
    return;
  }
  std::array<::epoll_event, 64> events{};
  int count = 0;
  for (auto _ : state) {
    count = ::epoll_wait(sockets->raw_epoll(), events.data(), 64, 0);
    benchmark::DoNotOptimize(count);
  }
  if (count != 0) {
    state.SkipWithError("an idle socket was reported");
  }
}
#endif

// Both at each size, so the ratio of a pair is read at equal footing.
void register_benchmarks() {
  for (const int count : {1, 1000, 100000}) {
    benchmark::RegisterBenchmark("miocpp_poll_idle", miocpp_poll_idle)->Arg(count);
#if MIOCPP_SELECTOR_EPOLL
    benchmark::RegisterBenchmark("raw_poll_idle", raw_poll_idle)->Arg(count);
#endif
  }
}
const bool registered = (register_benchmarks(), true);

}  // namespace
