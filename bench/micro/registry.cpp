// Registering: register + deregister, and reregister, of a TcpStream beside the epoll_ctl calls
// they stand for. A TcpStream goes through IoSource, which checks and records the Poll it is
// registered with; that bookkeeping is what the ratio shows. And closing a registered socket:
// miocpp deletes the registration before the close (epoll keys it to the open file, which a dup
// or a child process may keep alive), as libuv does; the bare close that skips that epoll_ctl is
// measured too, to show what it costs.
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
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

/// A new UDP socket: the cheapest socket to open, so that the close is a large part of the cycle.
int open_udp() noexcept {
  return ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

void miocpp_register_close(benchmark::State& state) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  bench::AllocationCounter allocations(state);
  for (auto _ : state) {
    miocpp::net::UdpSocket socket = miocpp::net::UdpSocket::from_native(open_udp());
    poll.registry().register_source(socket, miocpp::Token{1}, miocpp::Interest::readable, ec);
  }
  bench::failed(ec, state);
}
BENCHMARK(miocpp_register_close);

#if MIOCPP_SELECTOR_EPOLL
/// socket + epoll_ctl ADD + epoll_ctl DEL + close: the order that never leaves a registration
/// behind (miocpp's and libuv's).
void raw_register_close(benchmark::State& state) {
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  ::epoll_event registration{};
  registration.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  registration.data.u64 = 1;
  ::epoll_event unused{};
  for (auto _ : state) {
    const int fd = open_udp();
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &registration);
    ::epoll_ctl(epoll, EPOLL_CTL_DEL, fd, &unused);
    ::close(fd);
  }
  ::close(epoll);
}
BENCHMARK(raw_register_close);

/// socket + epoll_ctl ADD + close: one system call fewer, correct only while nothing else holds
/// the open file (what mio does).
void bare_register_close(benchmark::State& state) {
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  ::epoll_event registration{};
  registration.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  registration.data.u64 = 1;
  for (auto _ : state) {
    const int fd = open_udp();
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &registration);
    ::close(fd);
  }
  ::close(epoll);
}
BENCHMARK(bare_register_close);

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
