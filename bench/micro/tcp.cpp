// TcpStream::write then TcpStream::read of the same bytes on a connected loopback pair, beside
// write(2) and read(2) on the same two sockets. miocpp calls send (with MSG_NOSIGNAL, so a write
// to a closed peer cannot raise SIGPIPE) and recv; the ratio includes that choice.
#include <unistd.h>

#include <cstddef>
#include <system_error>
#include <vector>

#include <benchmark/benchmark.h>

#include "allocations.hpp"
#include "support.hpp"
#include <miocpp/miocpp.hpp>

namespace {

void miocpp_tcp_write_read(benchmark::State& state) {
  std::error_code ec;
  auto [client, server] = bench::connected_pair(ec);
  std::vector<std::byte> bytes(static_cast<std::size_t>(state.range(0)));
  {
    // Scoped: SetBytesProcessed below allocates (a new counter), the loop must not.
    const bench::AllocationCounter allocations(state);
    for (auto _ : state) {
      if (client.write(bytes, ec) != bytes.size() || server.read(bytes, ec) != bytes.size()) {
        state.SkipWithError("a short write or read");
        break;
      }
    }
  }
  bench::failed(ec, state);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(miocpp_tcp_write_read)->Arg(64)->Arg(4096);

void raw_tcp_write_read(benchmark::State& state) {
  std::error_code ec;
  auto [client, server] = bench::connected_pair(ec);
  std::vector<std::byte> bytes(static_cast<std::size_t>(state.range(0)));
  const int out = client.native_handle();
  const int in = server.native_handle();
  for (auto _ : state) {
    if (::write(out, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
        ::read(in, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
      state.SkipWithError("a short write or read");
      break;
    }
  }
  bench::failed(ec, state);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(raw_tcp_write_read)->Arg(64)->Arg(4096);

}  // namespace
