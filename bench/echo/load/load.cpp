// The load generator of the echo benchmark: opens C connections to 127.0.0.1:PORT, keeps D
// messages of S bytes in flight on each (a message is sent again as soon as its echo is back), and
// after a warm-up prints one JSON line: messages echoed per second and the p50/p99 round trip.
// It runs its own edge-triggered epoll loop and does as little as it can per message, so that the
// server, not the load, is what runs out of time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "histogram.hpp"
#include "options.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::perror(what);
  std::exit(1);
}

std::int64_t now_ns() {
  ::timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

struct Connection {
  int fd = -1;
  std::size_t unsent = 0;             // bytes of queued messages not yet written
  std::size_t received = 0;           // bytes of the oldest message in flight echoed so far
  std::vector<std::int64_t> sent_at;  // when each message in flight was queued, oldest at `oldest`
  std::size_t oldest = 0;
};

/// A blocking connect, then non-blocking from there on. Linger 0 closes with a reset, so that
/// thousands of runs leave no TIME_WAIT sockets to run out of ports with.
int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ::sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const ::sockaddr*>(&address), sizeof address) < 0) {
    fail("connect");
  }
  const int on = 1;
  const ::linger reset{1, 0};
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  const int nonblocking = 1;
  ::ioctl(fd, FIONBIO, &nonblocking);
  return fd;
}

class Load {
 public:
  explicit Load(const load::Options& options)
      : options_(options),
        outgoing_(std::max<std::size_t>(options.size * options.depth, 64 * 1024), std::byte{'x'}),
        incoming_(256 * 1024) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
      fail("epoll_create1");
    }
    connections_.resize(options.connections);
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      Connection& connection = connections_[i];
      connection.fd = connect_to(options.port);
      connection.sent_at.assign(options.depth, 0);
      ::epoll_event registration{};
      registration.events = EPOLLIN | EPOLLOUT | EPOLLET;
      registration.data.u64 = i;
      if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, connection.fd, &registration) < 0) {
        fail("epoll_ctl");
      }
    }
  }

  void run() {
    const std::int64_t start = now_ns();
    for (Connection& connection : connections_) {
      std::fill(connection.sent_at.begin(), connection.sent_at.end(), start);
      connection.unsent = options_.size * options_.depth;
      flush(connection);
    }
    measure_from_ = start + static_cast<std::int64_t>(options_.warmup * 1e9);
    const std::int64_t end = measure_from_ + static_cast<std::int64_t>(options_.duration * 1e9);
    std::vector<::epoll_event> events(std::min<std::size_t>(connections_.size(), 1024));
    for (std::int64_t now = start; now < end; now = now_ns()) {
      const int timeout_ms = static_cast<int>((end - now) / 1'000'000 + 1);
      const int count =
          ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), timeout_ms);
      if (count < 0 && errno != EINTR) {
        fail("epoll_wait");
      }
      for (int i = 0; i < count; ++i) {
        const ::epoll_event& event = events[static_cast<std::size_t>(i)];
        Connection& connection = connections_[event.data.u64];
        if ((event.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {
          receive(connection);
        }
        flush(connection);
      }
    }
    stopped_at_ = now_ns();
  }

  void report() const {
    const double seconds = static_cast<double>(stopped_at_ - measure_from_) / 1e9;
    std::printf(
        "{\"messages\": %llu, \"seconds\": %.3f, \"messages_per_second\": %.1f, "
        "\"p50_us\": %.2f, \"p99_us\": %.2f, \"total_messages\": %llu}\n",
        static_cast<unsigned long long>(latencies_.total()), seconds,
        static_cast<double>(latencies_.total()) / seconds,
        static_cast<double>(latencies_.percentile(0.50)) / 1e3,
        static_cast<double>(latencies_.percentile(0.99)) / 1e3,
        static_cast<unsigned long long>(echoed_));
  }

 private:
  /// Reads what the server echoed and sends a new message for each one completed.
  void receive(Connection& connection) {
    for (;;) {
      const ssize_t count = ::recv(connection.fd, incoming_.data(), incoming_.size(), 0);
      if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
      }
      if (count <= 0) {
        std::fprintf(stderr, "load: the server closed a connection\n");
        std::exit(1);
      }
      const std::int64_t now = now_ns();
      connection.received += static_cast<std::size_t>(count);
      for (; connection.received >= options_.size; connection.received -= options_.size) {
        std::int64_t& sent_at = connection.sent_at[connection.oldest];
        if (now >= measure_from_) {
          latencies_.record(static_cast<std::uint64_t>(now - sent_at));
        }
        ++echoed_;
        sent_at = now;  // the slot of the message echoed is the next one's
        connection.oldest = (connection.oldest + 1) % options_.depth;
        connection.unsent += options_.size;
      }
      // A short read of a TCP socket emptied its receive queue, and anything arriving later
      // raises a new edge: skipping the read that would say EAGAIN keeps the load light.
      if (static_cast<std::size_t>(count) < incoming_.size()) {
        return;
      }
    }
  }

  void flush(Connection& connection) {
    while (connection.unsent > 0) {
      const std::size_t chunk = std::min(connection.unsent, outgoing_.size());
      const ssize_t count = ::send(connection.fd, outgoing_.data(), chunk, MSG_NOSIGNAL);
      if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
      }
      if (count < 0) {
        fail("send");
      }
      connection.unsent -= static_cast<std::size_t>(count);
    }
  }

  load::Options options_;
  std::vector<std::byte> outgoing_;
  std::vector<std::byte> incoming_;
  std::vector<Connection> connections_;
  int epoll_ = -1;
  std::int64_t measure_from_ = 0;
  std::int64_t stopped_at_ = 0;
  std::uint64_t echoed_ = 0;
  load::Histogram latencies_;
};

}  // namespace

int main(int argc, char** argv) {
  const load::Options options = load::parse(argc, argv);
  Load generator(options);
  generator.run();
  generator.report();
}
