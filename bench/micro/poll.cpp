// Poll::poll with 0, 1 and 64 ready events, and Waker::wake + poll, each beside epoll_wait (and
// the eventfd write) it stands for. Read the ratio of each pair, not the absolute times.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <system_error>

#include <benchmark/benchmark.h>

#include "allocations.hpp"
#include "support.hpp"
#include <miocpp/miocpp.hpp>

namespace {

constexpr std::size_t capacity = 64;

// A poll that finds nothing ready: the fixed cost of one trip into the kernel.
void miocpp_poll_0_ready(benchmark::State& state) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  miocpp::Events events(capacity);
  bench::AllocationCounter allocations(state);
  for (auto _ : state) {
    poll.poll(events, std::chrono::nanoseconds(0), ec);
    benchmark::DoNotOptimize(events.size());
  }
  bench::failed(ec, state);
}
BENCHMARK(miocpp_poll_0_ready);

// A poll that returns state.range(0) events: one write makes them ready, the poll collects them.
void miocpp_poll_n_ready(benchmark::State& state) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  miocpp::Events events(capacity);
  const bench::ReadyFds ready(static_cast<std::size_t>(state.range(0)));
  bench::register_all(poll, ready, ec);
  bench::AllocationCounter allocations(state);
  for (auto _ : state) {
    ready.trigger();
    poll.poll(events, std::chrono::nanoseconds(0), ec);
    if (events.size() != ready.fds().size()) {
      state.SkipWithError("not every descriptor was reported");
      break;
    }
  }
  bench::failed(ec, state);
}
BENCHMARK(miocpp_poll_n_ready)->Arg(1)->Arg(64);

// One wake and the poll that reports it.
void miocpp_wake_then_poll(benchmark::State& state) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  miocpp::Events events(capacity);
  const miocpp::Waker waker(poll.registry(), miocpp::Token{1}, ec);
  bench::AllocationCounter allocations(state);
  for (auto _ : state) {
    waker.wake(ec);
    poll.poll(events, std::chrono::nanoseconds(0), ec);
    if (events.size() != 1) {
      state.SkipWithError("the wake was not reported");
      break;
    }
  }
  bench::failed(ec, state);
}
BENCHMARK(miocpp_wake_then_poll);

#if MIOCPP_SELECTOR_EPOLL
void raw_poll_0_ready(benchmark::State& state) {
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  std::array<::epoll_event, capacity> events{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(::epoll_wait(epoll, events.data(), capacity, 0));
  }
  ::close(epoll);
}
BENCHMARK(raw_poll_0_ready);

void raw_poll_n_ready(benchmark::State& state) {
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  const bench::ReadyFds ready(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i < ready.fds().size(); ++i) {
    ::epoll_event registration{};
    registration.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    registration.data.u64 = i;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, ready.fds()[i], &registration);
  }
  std::array<::epoll_event, capacity> events{};
  for (auto _ : state) {
    ready.trigger();
    if (static_cast<std::size_t>(::epoll_wait(epoll, events.data(), capacity, 0)) !=
        ready.fds().size()) {
      state.SkipWithError("not every descriptor was reported");
      break;
    }
  }
  ::close(epoll);
}
BENCHMARK(raw_poll_n_ready)->Arg(1)->Arg(64);

void raw_wake_then_poll(benchmark::State& state) {
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  const int event_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  ::epoll_event registration{};
  registration.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  registration.data.u64 = 1;
  ::epoll_ctl(epoll, EPOLL_CTL_ADD, event_fd, &registration);
  std::array<::epoll_event, capacity> events{};
  const std::uint64_t one = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(::write(event_fd, &one, sizeof one));
    if (::epoll_wait(epoll, events.data(), capacity, 0) != 1) {
      state.SkipWithError("the wake was not reported");
      break;
    }
  }
  ::close(event_fd);
  ::close(epoll);
}
BENCHMARK(raw_wake_then_poll);
#endif

}  // namespace
