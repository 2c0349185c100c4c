// Poll::poll and Waker::wake beside the raw system calls they stand for, in the same run: read the
// ratio of each pair, not the absolute times.
#include <cstdint>
#include <cstdlib>
#include <system_error>

#include <benchmark/benchmark.h>

#include <miocpp/miocpp.hpp>

#if MIOCPP_SELECTOR_EPOLL
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#endif

namespace {

void check(const std::error_code& ec, benchmark::State& state) {
  if (ec) {
    state.SkipWithError(ec.message().c_str());
  }
}

// A poll that finds nothing ready: the fixed cost of one trip into the kernel.
void miocpp_poll_nothing_ready(benchmark::State& state) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  miocpp::Events events(64);
  for (auto _ : state) {
    poll.poll(events, std::chrono::nanoseconds(0), ec);
    benchmark::DoNotOptimize(events.size());
  }
  check(ec, state);
}
BENCHMARK(miocpp_poll_nothing_ready);

// One wake and the poll that reports it.
void miocpp_wake_then_poll(benchmark::State& state) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  miocpp::Events events(64);
  miocpp::Waker waker(poll.registry(), miocpp::Token{1}, ec);
  for (auto _ : state) {
    waker.wake(ec);
    poll.poll(events, std::chrono::nanoseconds(0), ec);
    if (events.size() != 1) {
      state.SkipWithError("the wake was not reported");
      break;
    }
  }
  check(ec, state);
}
BENCHMARK(miocpp_wake_then_poll);

#if MIOCPP_SELECTOR_EPOLL
void raw_epoll_wait_nothing_ready(benchmark::State& state) {
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event events[64];  // NOLINT(*-avoid-c-arrays)
  for (auto _ : state) {
    benchmark::DoNotOptimize(::epoll_wait(epoll, events, 64, 0));
  }
  ::close(epoll);
}
BENCHMARK(raw_epoll_wait_nothing_ready);

void raw_eventfd_write_then_epoll_wait(benchmark::State& state) {
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  const int event_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event registration{};
  registration.events = EPOLLIN | EPOLLET;
  registration.data.u64 = 1;
  ::epoll_ctl(epoll, EPOLL_CTL_ADD, event_fd, &registration);
  epoll_event events[64];  // NOLINT(*-avoid-c-arrays)
  const std::uint64_t one = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(::write(event_fd, &one, sizeof one));
    if (::epoll_wait(epoll, events, 64, 0) != 1) {
      state.SkipWithError("the wake was not reported");
      break;
    }
  }
  ::close(event_fd);
  ::close(epoll);
}
BENCHMARK(raw_eventfd_write_then_epoll_wait);
#endif

}  // namespace
