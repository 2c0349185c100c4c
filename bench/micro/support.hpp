// What the micro-benchmarks share: error checks, a descriptor that is ready N times over, and a
// connected TCP pair.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <system_error>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <miocpp/miocpp.hpp>

namespace bench {

/// Stops the benchmark with the error's message. True when there was one.
inline bool failed(const std::error_code& ec, benchmark::State& state) {
  if (ec) {
    state.SkipWithError(ec.message().c_str());
  }
  return static_cast<bool>(ec);
}

/// One eventfd under `count` descriptors (the first and its dups). Registered edge-triggered, each
/// descriptor is its own registration on the same file, so one write makes all `count` of them
/// ready at once: a poll with exactly `count` events, re-armed by one system call.
class ReadyFds {
 public:
  explicit ReadyFds(std::size_t count) {
    const int first = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    fds_.push_back(first);
    while (fds_.size() < count) {
      fds_.push_back(::dup(first));
    }
  }
  ReadyFds(const ReadyFds&) = delete;
  ReadyFds& operator=(const ReadyFds&) = delete;
  ~ReadyFds() {
    for (const int fd : fds_) {
      ::close(fd);
    }
  }

  [[nodiscard]] const std::vector<int>& fds() const noexcept { return fds_; }

  /// Makes every descriptor ready again (the counter only grows: it never blocks in a benchmark).
  void trigger() const noexcept {
    const std::uint64_t one = 1;
    benchmark::DoNotOptimize(::write(fds_.front(), &one, sizeof one));
  }

 private:
  std::vector<int> fds_;
};

/// Registers every descriptor of `ready` with `poll`, token = its position.
inline void register_all(const miocpp::Poll& poll, const ReadyFds& ready, std::error_code& ec) {
  for (std::size_t i = 0; i < ready.fds().size() && !ec; ++i) {
    miocpp::posix::SourceFd source(ready.fds()[i]);
    poll.registry().register_source(source, miocpp::Token{i}, miocpp::Interest::readable, ec);
  }
}

/// Both ends of a loopback TCP connection, non-blocking, Nagle off.
inline std::pair<miocpp::net::TcpStream, miocpp::net::TcpStream> connected_pair(
    std::error_code& ec) {
  auto listener = miocpp::net::TcpListener::bind(
      miocpp::net::SocketAddr(miocpp::net::Ipv4Addr::localhost(), 0), ec);
  if (ec) {
    return {};
  }
  const auto address = listener.local_addr(ec);
  auto client = miocpp::net::TcpStream::connect(address, ec);
  if (ec) {
    return {};
  }
  // The loopback handshake completes in the kernel; accept until it has.
  for (;;) {
    auto [server, peer] = listener.accept(ec);
    if (ec == std::errc::operation_would_block) {
      continue;
    }
    if (!ec) {
      client.set_nodelay(true, ec);
      server.set_nodelay(true, ec);
    }
    return {std::move(client), std::move(server)};
  }
}

}  // namespace bench
