// What every program of the UDP benchmark shares: the command line, the batch and slot sizes, the
// receiving socket's set-up, the go signal, the running totals the runner (bench/run udp) reads,
// and how a sender splits its datagrams into batches.
//
//   udp_<library> receive --mode one|batch|gro --counter FILE
//     binds 127.0.0.1:0 and prints "ready <library> <port> <version>", then waits for a line
//     "go N" on stdin before it receives anything. N > 0 (the drain): it receives N datagrams,
//     prints one JSON line with the time and CPU that took, and exits. N = 0: it receives until
//     it is stopped. Either way its running totals are in FILE, which the runner maps too.
//   udp_<library> send --port PORT --size BYTES [--gso] [--count N] [--counter FILE]
//     sends datagrams of BYTES to 127.0.0.1:PORT in batches of up to `batch` messages (with
//     --gso each message carries up to gso_segments datagrams, cut by the kernel): N datagrams,
//     or until stopped, counting them in FILE.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace udp {

/// Messages per recvmmsg / sendmmsg / recv_batch / send_batch call.
inline constexpr std::size_t batch = 32;
/// The buffer behind each receive slot: room for the largest datagram, and for a whole GRO
/// train. libuv's recvmmsg cuts its buffer into chunks of exactly this size, so every receiver
/// hands the kernel the same room per datagram.
inline constexpr std::size_t slot_size = 64 * 1024;
/// The most a UDP datagram over IPv4 carries.
inline constexpr std::size_t max_payload = 65'507;

/// Datagrams per GSO message: at most 64 segments (UDP_MAX_SEGMENTS, as every kernel with GSO
/// takes) and at most max_payload bytes in one send.
constexpr std::size_t gso_segments(std::size_t size) noexcept {
  return std::clamp<std::size_t>(max_payload / std::max<std::size_t>(size, 1), 1, 64);
}

/// The datagrams a received message stands for: a GRO train of `size` bytes cut every
/// `segment_size` bytes (0: not coalesced, one datagram).
constexpr std::uint64_t datagrams_in(std::size_t size, std::size_t segment_size) noexcept {
  return segment_size == 0 ? 1 : (size + segment_size - 1) / segment_size;
}

[[noreturn]] inline void fail(const char* what) {
  std::perror(what);
  std::exit(1);
}

[[noreturn]] inline void fail(const char* what, const std::error_code& ec) {
  std::fprintf(stderr, "%s: %s\n", what, ec.message().c_str());
  std::exit(1);
}

/// How a receiver takes its datagrams: one per call; up to `batch` per call; up to `batch` GRO
/// trains per call.
enum class Way { one_by_one, batched, gro };
/// Each Way as the command line names it.
inline constexpr std::array<std::string_view, 3> way_names = {"one", "batch", "gro"};

struct Options {
  bool sending = false;
  Way way = Way::one_by_one;  // receiving
  std::string counter;        // the runner's totals file (sending: optional)
  std::uint16_t port = 0;
  std::size_t size = 64;
  bool gso = false;
  std::uint64_t count = 0;  // sending: datagrams to send, 0 = until stopped
};

[[noreturn]] inline void usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s receive --mode one|batch|gro --counter FILE\n"
               "       %s send --port PORT --size BYTES [--gso] [--count N] [--counter FILE]\n",
               program, program);
  std::exit(2);
}

inline Options parse(int argc, char** argv) {
  if (argc < 2) {
    usage(argv[0]);
  }
  Options options;
  const std::string_view role = argv[1];
  if (role != "receive" && role != "send") {
    usage(argv[0]);
  }
  options.sending = role == "send";
  for (int i = 2; i < argc; ++i) {
    const std::string_view name = argv[i];
    if (name == "--gso") {
      options.gso = true;
      continue;
    }
    if (i + 1 == argc) {
      usage(argv[0]);
    }
    const char* value = argv[++i];
    if (name == "--mode") {
      const auto* const named = std::find(way_names.begin(), way_names.end(), value);
      if (named == way_names.end()) {
        usage(argv[0]);
      }
      options.way = static_cast<Way>(named - way_names.begin());
    } else if (name == "--counter") {
      options.counter = value;
    } else if (name == "--port") {
      options.port = static_cast<std::uint16_t>(std::strtoul(value, nullptr, 10));
    } else if (name == "--size") {
      options.size = std::strtoul(value, nullptr, 10);
    } else if (name == "--count") {
      options.count = std::strtoull(value, nullptr, 10);
    } else {
      usage(argv[0]);
    }
  }
  const bool complete = options.sending
                            ? options.port != 0 && options.size > 0 && options.size <= max_payload
                            : !options.counter.empty();
  if (!complete) {
    usage(argv[0]);
  }
  return options;
}

/// The main of a program that both sends and receives: `send` or `receive`, as `options` say.
inline void run(const Options& options, void (*send)(const Options&),
                void (*receive)(const Options&)) {
  (options.sending ? send : receive)(options);
}

/// 127.0.0.1:port.
inline ::sockaddr_in loopback(std::uint16_t port) noexcept {
  ::sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

/// Makes room for a whole drain in the receive queue: 256 MiB where the user may exceed
/// net.core.rmem_max (SO_RCVBUFFORCE needs CAP_NET_ADMIN), else as much as rmem_max allows. Set
/// on every receiver alike, whatever its library, before the first datagram.
inline void enlarge_receive_buffer(int fd) {
  const int bytes = 256 * 1024 * 1024;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0 &&
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) < 0) {
    fail("SO_RCVBUF");
  }
}

/// The port a bound socket got.
inline std::uint16_t local_port(int fd) {
  ::sockaddr_in address{};
  ::socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<::sockaddr*>(&address), &length) < 0) {
    fail("getsockname");
  }
  return ntohs(address.sin_port);
}

/// Ends a program that only receives, and only in `way`, when asked for anything else.
inline void receive_only(const Options& options, Way way, const char* program) {
  if (options.sending || options.way != way) {
    std::fprintf(stderr, "%s: receives only, in mode %s\n", program,
                 way_names[static_cast<std::size_t>(way)].data());
    std::exit(2);
  }
}

/// Tells the runner that the receiver is bound and registered, on which port, on what version.
/// From here on the runner's SIGTERM ends it quietly, with status 0: a wrapper such as perf
/// would otherwise report the signal.
inline void announce(std::string_view library, std::uint16_t port, const std::string& version) {
  std::signal(SIGTERM, [](int) { std::_Exit(0); });
  std::printf("ready %.*s %u %s\n", static_cast<int>(library.size()), library.data(),
              static_cast<unsigned>(port), version.c_str());
  std::fflush(stdout);
}

/// The counts the runner samples, in a file both sides map: plain 64-bit words, each written by
/// one process only, aligned, so that a read never sees half a store.
struct Totals {
  std::uint64_t received;
  std::uint64_t bytes;
  std::uint64_t sent;
};

/// The runner's totals file, mapped (nullptr when none was given).
inline Totals* map_totals(const std::string& path) {
  if (path.empty()) {
    return nullptr;
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0 || ::ftruncate(fd, 4096) < 0) {
    fail("counter file");
  }
  void* mapped = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED) {
    fail("mmap");
  }
  return static_cast<Totals*>(mapped);
}

/// Publishes `value` for the runner: a relaxed store, as cheap as a plain one.
inline void publish_total(std::uint64_t& word, std::uint64_t value) noexcept {
  std::atomic_ref<std::uint64_t>(word).store(value, std::memory_order_relaxed);
}

inline double process_cpu_seconds() noexcept {
  ::timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

/// A receiver's count of what it has received, published after each receive call, and the
/// drain's clock.
class Tally {
 public:
  explicit Tally(const Options& options) : totals_(map_totals(options.counter)) {}

  /// Blocks until the runner's "go N" line; N > 0 is the drain's count. The clocks start here.
  void wait_for_go() {
    std::array<char, 64> line{};
    if (std::fgets(line.data(), static_cast<int>(line.size()), stdin) == nullptr ||
        std::string_view(line.data()).substr(0, 3) != "go ") {
      std::fprintf(stderr, "udp: expected \"go N\" on stdin\n");
      std::exit(1);
    }
    expected_ = std::strtoull(line.data() + 3, nullptr, 10);
    cpu_start_ = process_cpu_seconds();
    start_ = std::chrono::steady_clock::now();
  }

  /// Counts a received message of `size` bytes: one datagram, or a GRO train cut every
  /// `segment_size` bytes.
  void count(std::size_t size, std::size_t segment_size = 0) noexcept {
    received_ += datagrams_in(size, segment_size);
    bytes_ += size;
  }

  /// Publishes the counts after a receive call; true once the drain has all it waits for.
  bool publish() noexcept {
    publish_total(totals_->received, received_);
    publish_total(totals_->bytes, bytes_);
    return expected_ != 0 && received_ >= expected_;
  }

  /// The drain's result line: datagrams, bytes, seconds since go, CPU seconds since go.
  void report() const {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double cpu = process_cpu_seconds() - cpu_start_;
    std::printf(
        "{\"datagrams\": %llu, \"bytes\": %llu, \"seconds\": %.9f, \"cpu_seconds\": %.9f}\n",
        static_cast<unsigned long long>(received_), static_cast<unsigned long long>(bytes_),
        seconds, cpu);
    std::fflush(stdout);
  }

 private:
  Totals* totals_;
  std::uint64_t expected_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t bytes_ = 0;
  std::chrono::steady_clock::time_point start_;
  double cpu_start_ = 0;
};

/// What a sender's next call carries: up to `batch` messages, each of `per_message` datagrams
/// (the last may have fewer), together at most `wanted` datagrams.
struct Plan {
  std::array<std::size_t, batch> datagrams{};  // per message
  std::size_t messages = 0;

  Plan(std::uint64_t wanted, std::size_t per_message) noexcept {
    while (messages < batch && wanted > 0) {
      const std::size_t here =
          static_cast<std::size_t>(std::min<std::uint64_t>(per_message, wanted));
      datagrams[messages++] = here;
      wanted -= here;
    }
  }

  /// The datagrams of the first `sent` messages.
  [[nodiscard]] std::uint64_t datagrams_in_first(std::size_t sent) const noexcept {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < sent; ++i) {
      total += datagrams[i];
    }
    return total;
  }
};

/// Set by the runner's SIGTERM, which stops a sender between two batches, so that the total it
/// published counts every datagram that went.
inline std::atomic<bool> stop_sending{false};

/// Sends `options.count` datagrams (0: until SIGTERM) through `send_some`, which sends one Plan
/// and returns the messages that went (0 when the socket would block: loopback rarely does, and
/// then it is tried again at once). The running total goes to the runner's file when given.
template <class SendSome>
void send_all(const Options& options, SendSome&& send_some) {
  std::signal(SIGTERM, [](int) { stop_sending.store(true, std::memory_order_relaxed); });
  Totals* totals = map_totals(options.counter);
  const std::size_t per_message = options.gso ? gso_segments(options.size) : 1;
  const std::uint64_t wanted = options.count == 0 ? UINT64_MAX : options.count;
  std::uint64_t sent = 0;
  while (sent < wanted && !stop_sending.load(std::memory_order_relaxed)) {
    const Plan plan(wanted - sent, per_message);
    sent += plan.datagrams_in_first(send_some(plan));
    if (totals != nullptr) {
      publish_total(totals->sent, sent);
    }
  }
}

/// The datagrams' bytes, `segments` datagrams of `size` one after the other.
inline std::vector<std::byte> payload(std::size_t size, std::size_t segments) {
  std::vector<std::byte> bytes(size * segments);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::byte>(i % 251);
  }
  return bytes;
}

}  // namespace udp
