// Registering: register + deregister, and reregister, of a TcpStream beside the epoll_ctl calls
// they stand for. A TcpStream goes through IoSource, which checks and records the Poll it is
// registered with; that bookkeeping is what the ratio shows.
#include <sys/epoll.h>
#include <unistd.h>

#include <system_error>

#include <benchmark/benchmark.h>

#include "allocations.hpp"
#include "support.hpp"
#include <miocpp/miocpp.hpp>

namespace {

void miocpp_register_deregister(benchmark::State& state) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  auto [stream, peer] = bench::connected_pair(ec);
  bench::AllocationCounter allocations(state);
  for (auto _ : state) {
    poll.registry().register_source(stream, miocpp::Token{1}, miocpp::Interest::readable, ec);
    poll.registry().deregister(stream, ec);
  }
  bench::failed(ec, state);
}
BENCHMARK(miocpp_register_deregister);

void miocpp_reregister(benchmark::State& state) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  auto [stream, peer] = bench::connected_pair(ec);
  poll.registry().register_source(stream, miocpp::Token{1}, miocpp::Interest::readable, ec);
  bench::AllocationCounter allocations(state);
  for (auto _ : state) {
    poll.registry().reregister(stream, miocpp::Token{2}, miocpp::Interest::writable, ec);
  }
  bench::failed(ec, state);
}
BENCHMARK(miocpp_reregister);

#if MIOCPP_SELECTOR_EPOLL
void raw_register_deregister(benchmark::State& state) {
  std::error_code ec;
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  auto [stream, peer] = bench::connected_pair(ec);
  ::epoll_event registration{};
  registration.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  registration.data.u64 = 1;
  ::epoll_event unused{};
  for (auto _ : state) {
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, stream.native_handle(), &registration);
    ::epoll_ctl(epoll, EPOLL_CTL_DEL, stream.native_handle(), &unused);
  }
  ::close(epoll);
  bench::failed(ec, state);
}
BENCHMARK(raw_register_deregister);

void raw_reregister(benchmark::State& state) {
  std::error_code ec;
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  auto [stream, peer] = bench::connected_pair(ec);
  ::epoll_event registration{};
  registration.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  registration.data.u64 = 1;
  ::epoll_ctl(epoll, EPOLL_CTL_ADD, stream.native_handle(), &registration);
  registration.events = EPOLLOUT | EPOLLET;
  registration.data.u64 = 2;
  for (auto _ : state) {
    ::epoll_ctl(epoll, EPOLL_CTL_MOD, stream.native_handle(), &registration);
  }
  ::close(epoll);
  bench::failed(ec, state);
}
BENCHMARK(raw_reregister);
#endif

}  // namespace
