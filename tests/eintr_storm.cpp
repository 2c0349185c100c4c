// An EINTR storm: SIGALRM every millisecond, its handler installed without SA_RESTART, while one
// thread runs traffic through a Poll -- a pipe, a TCP connection both ways and a UDP pair both ways
// over loopback -- paced by a Waker that another thread wakes. Properties: Poll::poll fails only
// with std::errc::interrupted (and does, often), no I/O call fails with anything but would-block
// or interrupted, every byte and datagram arrives once and in order (each carries its sequence
// number), and every wake is followed by a Waker event.
#include <pthread.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): sigaction is POSIX
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/net.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using miocpp::Event, miocpp::Interest, miocpp::Token;
using miocpp::net::Shutdown, miocpp::net::TcpStream, miocpp::net::UdpSocket;

constexpr std::chrono::seconds storm_duration{3};
// After the storm, what is in flight must arrive within this; and a wake must be followed by its
// event within wake_limit.
constexpr std::chrono::seconds drain_limit{10};
constexpr std::chrono::seconds wake_limit{5};
constexpr std::chrono::microseconds alarm_period{1000};
// Bounded waits only; every other one has a sub-millisecond part, which takes epoll_pwait2 where
// the kernel has it.
constexpr std::chrono::milliseconds poll_timeout{50};
constexpr std::chrono::microseconds precise_poll_timeout{50'500};

// What a Waker event lets each writer send: enough to keep the channels busy, little enough that
// the poll usually finds nothing ready and blocks, for the signals to interrupt it.
constexpr std::size_t pipe_credit = std::size_t{4} * 1024;
constexpr std::size_t tcp_credit = std::size_t{8} * 1024;
constexpr std::size_t datagram_credit = 4;
constexpr std::size_t max_credit = std::size_t{256} * 1024;
// Datagrams in flight at most: loopback drops what does not fit in the receive buffer.
constexpr std::uint64_t datagram_window = 16;
constexpr std::size_t max_datagram = 1024;
// Failures reported one by one before the rest are only counted.
constexpr std::size_t reported_failures = 10;

constexpr Token pipe_reader_token{1}, pipe_writer_token{2}, tcp_client_token{3},
    tcp_server_token{4}, udp_first_token{5}, udp_second_token{6}, waker_token{7};

// ---- The storm ----------------------------------------------------------------------------------

std::atomic<std::uint64_t>& alarms() {
  static std::atomic<std::uint64_t> count{0};
  return count;
}

extern "C" void count_alarm(int /*signal*/) {
  alarms().fetch_add(1, std::memory_order_relaxed);
}

/// Blocks `signal` in the calling thread for its lifetime: threads started meanwhile inherit the
/// block, so they never take a process-directed signal meant for this one.
class BlockedSignal {
 public:
  explicit BlockedSignal(int signal) {
    ::sigset_t set;
    ::sigemptyset(&set);
    ::sigaddset(&set, signal);
    blocked_ = ::pthread_sigmask(SIG_BLOCK, &set, &previous_) == 0;
  }
  BlockedSignal(const BlockedSignal&) = delete;
  BlockedSignal& operator=(const BlockedSignal&) = delete;
  BlockedSignal(BlockedSignal&&) = delete;
  BlockedSignal& operator=(BlockedSignal&&) = delete;
  ~BlockedSignal() {
    if (blocked_) {
      ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
  }

  [[nodiscard]] bool blocked() const { return blocked_; }

 private:
  ::sigset_t previous_{};
  bool blocked_ = false;
};

/// ITIMER_REAL firing every `period` (SIGALRM to the process) until stop() or destruction.
class IntervalTimer {
 public:
  explicit IntervalTimer(std::chrono::microseconds period) {
    ::itimerval value{};
    value.it_interval.tv_usec = static_cast<suseconds_t>(period.count());
    value.it_value = value.it_interval;
    running_ = ::setitimer(ITIMER_REAL, &value, nullptr) == 0;
  }
  IntervalTimer(const IntervalTimer&) = delete;
  IntervalTimer& operator=(const IntervalTimer&) = delete;
  IntervalTimer(IntervalTimer&&) = delete;
  IntervalTimer& operator=(IntervalTimer&&) = delete;
  ~IntervalTimer() { stop(); }

  [[nodiscard]] bool running() const { return running_; }

  void stop() {
    if (running_) {
      const ::itimerval disarmed{};
      ::setitimer(ITIMER_REAL, &disarmed, nullptr);
      running_ = false;
    }
  }

 private:
  bool running_ = false;
};

// ---- I/O calls ----------------------------------------------------------------------------------

/// What the I/O calls reported besides data.
struct IoCounts {
  std::uint64_t interrupted = 0;  // calls interrupted (and made again)
  std::size_t failures = 0;       // failures of the test, each reported or counted
};

enum class Outcome : std::uint8_t { moved, would_block, failed };

/// Records a failure of the test: reported while there are few, counted after.
void fail(IoCounts& counts, std::string_view what) {
  if (++counts.failures <= reported_failures) {
    ADD_FAILURE() << what;
  }
}

/// Makes `call` (an I/O call reporting through its error code, returning a count), and makes it
/// again for as long as it is interrupted; anything but would-block or interrupted fails the test.
template <class Call>
Outcome attempt(std::string_view what, IoCounts& counts, std::size_t& count, Call call) {
  for (;;) {
    std::error_code ec;
    count = call(ec);
    if (!ec) {
      return Outcome::moved;
    }
    if (ec == std::errc::interrupted) {
      ++counts.interrupted;
      continue;
    }
    if (ec == std::errc::operation_would_block) {
      return Outcome::would_block;
    }
    fail(counts, std::string(what) + ": " + ec.message());
    return Outcome::failed;
  }
}

// ---- Streams: a pipe, and TCP both ways ---------------------------------------------------------

/// The byte at `offset` of stream `channel`: every 8 bytes are their sequence number,
/// little-endian, tagged with the channel in the top byte.
std::byte sequence_byte(std::uint64_t channel, std::uint64_t offset) {
  const std::uint64_t number = (channel << 56U) | (offset / 8);
  return static_cast<std::byte>(number >> (8U * (offset % 8)));
}

struct StreamChannel {
  std::string_view name;
  std::uint64_t id = 0;
  std::uint64_t written = 0;
  std::uint64_t read = 0;  // and checked
  std::size_t credit = 0;
  bool ended = false;  // the reader saw the end of the stream
  bool broken = false;

  void grant(std::size_t bytes) { credit = std::min(credit + bytes, max_credit); }
  [[nodiscard]] bool complete() const { return ended && read == written; }
};

/// Writes what the credit allows, until would-block.
template <class Writer>
void write_stream(StreamChannel& channel, Writer& writer, IoCounts& counts) {
  std::array<std::byte, 4096> buffer{};
  while (channel.credit > 0 && !channel.broken) {
    const std::span<std::byte> piece =
        std::span(buffer).first(std::min(channel.credit, buffer.size()));
    for (std::size_t i = 0; i < piece.size(); ++i) {
      piece[i] = sequence_byte(channel.id, channel.written + i);
    }
    std::size_t written = 0;
    const Outcome outcome = attempt(channel.name, counts, written,
                                    [&](std::error_code& ec) { return writer.write(piece, ec); });
    if (outcome != Outcome::moved) {
      channel.broken = outcome == Outcome::failed;
      return;
    }
    channel.written += written;
    channel.credit -= written;
  }
}

/// Reads and checks until would-block or the end of the stream.
template <class Reader>
void read_stream(StreamChannel& channel, Reader& reader, IoCounts& counts) {
  std::array<std::byte, 16 * 1024> buffer{};
  while (!channel.broken) {
    std::size_t count = 0;
    const Outcome outcome = attempt(channel.name, counts, count,
                                    [&](std::error_code& ec) { return reader.read(buffer, ec); });
    if (outcome != Outcome::moved) {
      channel.broken = outcome == Outcome::failed;
      return;
    }
    if (count == 0) {
      channel.ended = true;
      return;
    }
    if (channel.read + count > channel.written) {
      fail(counts, std::string(channel.name) + ": more bytes than were written");
      channel.broken = true;
      return;
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (buffer.at(i) != sequence_byte(channel.id, channel.read + i)) {
        fail(counts, std::string(channel.name) + ": wrong byte at offset " +
                         std::to_string(channel.read + i));
        channel.broken = true;
        return;
      }
    }
    channel.read += count;
  }
}

// ---- Datagrams: UDP both ways -------------------------------------------------------------------

struct DatagramChannel {
  std::string_view name;
  std::uint64_t id = 0;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;  // and checked
  std::size_t credit = 0;
  bool broken = false;

  void grant(std::size_t datagrams) { credit = std::min(credit + datagrams, max_credit); }
  [[nodiscard]] bool complete() const { return received == sent; }
};

/// Datagram `number` of channel `id`: its tagged sequence number (8 bytes, little-endian), then a
/// payload whose length and bytes follow from the number.
std::size_t make_datagram(std::span<std::byte, max_datagram> buffer, std::uint64_t id,
                          std::uint64_t number) {
  const std::uint64_t tagged = (id << 56U) | number;
  const std::size_t size = 8 + static_cast<std::size_t>(number * 37 % (max_datagram - 8 + 1));
  for (std::size_t i = 0; i < size; ++i) {
    buffer[i] = i < 8 ? static_cast<std::byte>(tagged >> (8U * i))
                      : static_cast<std::byte>((number * 31 + i) ^ id);
  }
  return size;
}

/// Sends what the credit and the window allow, until would-block.
void send_datagrams(DatagramChannel& channel, UdpSocket& socket, IoCounts& counts) {
  std::array<std::byte, max_datagram> datagram{};
  while (channel.credit > 0 && channel.sent - channel.received < datagram_window &&
         !channel.broken) {
    const std::size_t size = make_datagram(datagram, channel.id, channel.sent);
    std::size_t sent = 0;
    const Outcome outcome = attempt(channel.name, counts, sent, [&](std::error_code& ec) {
      return socket.send(std::span(datagram).first(size), ec);
    });
    if (outcome != Outcome::moved) {
      channel.broken = outcome == Outcome::failed;
      return;
    }
    if (sent != size) {
      fail(counts, std::string(channel.name) + ": a datagram sent in part");
      channel.broken = true;
      return;
    }
    ++channel.sent;
    --channel.credit;
  }
}

/// Receives and checks until would-block: each datagram must be the next one, whole.
void receive_datagrams(DatagramChannel& channel, UdpSocket& socket, IoCounts& counts) {
  std::array<std::byte, max_datagram + 1> buffer{};
  std::array<std::byte, max_datagram> expected{};
  while (!channel.broken) {
    std::size_t size = 0;
    const Outcome outcome = attempt(channel.name, counts, size,
                                    [&](std::error_code& ec) { return socket.recv(buffer, ec); });
    if (outcome != Outcome::moved) {
      channel.broken = outcome == Outcome::failed;
      return;
    }
    const std::size_t expected_size = make_datagram(expected, channel.id, channel.received);
    if (channel.received >= channel.sent || size != expected_size ||
        !std::equal(expected.begin(), expected.begin() + static_cast<std::ptrdiff_t>(size),
                    buffer.begin())) {
      fail(counts, std::string(channel.name) + ": datagram " + std::to_string(channel.received) +
                       " of " + std::to_string(channel.sent) + " sent is not the one expected (" +
                       std::to_string(size) + " bytes)");
      channel.broken = true;
      return;
    }
    ++channel.received;
  }
}

// ---- Wakes --------------------------------------------------------------------------------------

/// The waking thread numbers its wakes; the polling thread acknowledges, on each Waker event, the
/// last wake issued before it.
struct Wakes {
  std::atomic<std::uint64_t> issued{0};
  std::atomic<std::uint64_t> acknowledged{0};
  std::uint64_t events = 0;  // the polling thread's
};

/// The waking thread: wakes, waits until an event acknowledges the wake (wake_limit at most, or
/// the wake counts as lost), pauses so that the poller blocks again, and so on until `stop`.
void wake_repeatedly(const std::stop_token& stop, const miocpp::Waker& waker, Wakes& wakes) {
  // Inherited from the polling thread already; said again here, since the storm must hit the
  // polling thread and never this one.
  ::sigset_t set;
  ::sigemptyset(&set);
  ::sigaddset(&set, SIGALRM);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);

  for (std::uint64_t number = 1; !stop.stop_requested(); ++number) {
    wakes.issued.store(number);
    std::error_code ec;
    waker.wake(ec);
    if (ec) {
      ADD_FAILURE() << "wake " << number << ": " << ec.message();
      return;
    }
    const clock_type::time_point deadline = clock_type::now() + wake_limit;
    while (wakes.acknowledged.load() < number) {
      if (stop.stop_requested()) {
        return;
      }
      if (clock_type::now() > deadline) {
        ADD_FAILURE() << "no Waker event followed wake " << number << " within "
                      << wake_limit.count() << " s";
        return;
      }
      std::this_thread::sleep_for(50us);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200 + number % 8 * 200));
  }
}

// ---- The test -----------------------------------------------------------------------------------

class EintrStorm : public test::LeakChecked<> {};

TEST_F(EintrStorm, PollFailsOnlyWithInterruptedAndNothingIsLost) {
  OPEN_POLL(poll, events(64));
  IoCounts counts;

  // Named members, not a structured binding: clang 14 cannot capture those in a lambda.
  test::PipeEnds pipe_ends = test::open_pipe();
  ASSERT_FALSE(HasFailure());
  REGISTER(poll, pipe_ends.receiver, pipe_reader_token, Interest::readable);
  REGISTER(poll, pipe_ends.sender, pipe_writer_token, Interest::writable);

  OPEN_PAIR(tcp, test::any_local_address());
  REGISTER(poll, tcp.client, tcp_client_token, Interest::readable | Interest::writable);
  REGISTER(poll, tcp.server, tcp_server_token, Interest::readable | Interest::writable);

  std::error_code ec;
  UdpSocket udp_first = UdpSocket::bind(test::any_local_address(), ec);
  ASSERT_FALSE(ec) << ec.message();
  UdpSocket udp_second = UdpSocket::bind(test::any_local_address(), ec);
  ASSERT_FALSE(ec) << ec.message();
  const miocpp::net::SocketAddr first_address = udp_first.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  const miocpp::net::SocketAddr second_address = udp_second.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  udp_first.connect(second_address, ec);
  ASSERT_FALSE(ec) << ec.message();
  udp_second.connect(first_address, ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, udp_first, udp_first_token, Interest::readable | Interest::writable);
  REGISTER(poll, udp_second, udp_second_token, Interest::readable | Interest::writable);

  const miocpp::Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();

  StreamChannel pipe{.name = "pipe", .id = 1};
  StreamChannel tcp_out{.name = "tcp client to server", .id = 2};
  StreamChannel tcp_back{.name = "tcp server to client", .id = 3};
  DatagramChannel udp_out{.name = "udp first to second", .id = 4};
  DatagramChannel udp_back{.name = "udp second to first", .id = 5};
  Wakes wakes;

  const BlockedSignal blocked(SIGALRM);
  ASSERT_TRUE(blocked.blocked());
  std::jthread waking(
      [&waker, &wakes](const std::stop_token& stop) { wake_repeatedly(stop, waker, wakes); });
  alarms().store(0);
  const test::ScopedSignalHandler handler(SIGALRM, count_alarm, /*unblock=*/true);
  ASSERT_TRUE(handler.installed() && handler.unblocked());
  IntervalTimer timer(alarm_period);
  ASSERT_TRUE(timer.running());

  const auto write_all = [&] {
    write_stream(pipe, pipe_ends.sender, counts);
    write_stream(tcp_out, tcp.client, counts);
    write_stream(tcp_back, tcp.server, counts);
    send_datagrams(udp_out, udp_first, counts);
    send_datagrams(udp_back, udp_second, counts);
  };
  const auto readable = [](const Event& event) {
    return event.is_readable() || event.is_read_closed() || event.is_error();
  };
  const auto writable = [](const Event& event) {
    return event.is_writable() || event.is_write_closed() || event.is_error();
  };

  bool storming = true;
  std::uint64_t polls = 0;
  std::uint64_t interrupted = 0;
  const clock_type::time_point start = clock_type::now();
  clock_type::time_point drain_deadline;
  const auto arrived = [&] {
    return pipe.complete() && tcp_out.complete() && tcp_back.complete() && udp_out.complete() &&
           udp_back.complete() && wakes.acknowledged.load() == wakes.issued.load();
  };
  while (counts.failures == 0) {
    ++polls;
    poll.poll(events, polls % 2 == 0 ? poll_timeout : precise_poll_timeout, ec);
    if (ec == std::errc::interrupted) {
      ++interrupted;
      EXPECT_TRUE(events.empty()) << "an interrupted poll left events";
    } else if (ec) {
      fail(counts, "poll: " + ec.message());
      break;
    }
    for (const Event& event : events) {
      const Token token = event.token();
      if (token == waker_token) {
        wakes.acknowledged.store(wakes.issued.load());
        ++wakes.events;
        if (storming) {
          pipe.grant(pipe_credit);
          tcp_out.grant(tcp_credit);
          tcp_back.grant(tcp_credit);
          udp_out.grant(datagram_credit);
          udp_back.grant(datagram_credit);
          write_all();
        }
      } else if (token == pipe_reader_token && readable(event)) {
        read_stream(pipe, pipe_ends.receiver, counts);
      } else if (token == pipe_writer_token && writable(event)) {
        write_stream(pipe, pipe_ends.sender, counts);
      } else if (token == tcp_client_token || token == tcp_server_token) {
        const bool client = token == tcp_client_token;
        if (readable(event)) {
          read_stream(client ? tcp_back : tcp_out, client ? tcp.client : tcp.server, counts);
        }
        if (writable(event)) {
          write_stream(client ? tcp_out : tcp_back, client ? tcp.client : tcp.server, counts);
        }
      } else if (token == udp_first_token || token == udp_second_token) {
        const bool first = token == udp_first_token;
        if (readable(event)) {
          receive_datagrams(first ? udp_back : udp_out, first ? udp_first : udp_second, counts);
        }
        if (writable(event)) {
          send_datagrams(first ? udp_out : udp_back, first ? udp_first : udp_second, counts);
        }
      }
    }

    const clock_type::time_point now = clock_type::now();
    if (storming && now - start >= storm_duration) {
      // The traffic stops (the signals do not): the waking thread ends, the writers get no more
      // credit, and the streams end, so that the readers can tell they have had everything.
      storming = false;
      waking.request_stop();
      waking.join();
      for (StreamChannel* channel : {&pipe, &tcp_out, &tcp_back}) {
        channel->credit = 0;
      }
      udp_out.credit = 0;
      udp_back.credit = 0;
      pipe_ends.sender = miocpp::posix::pipe::Sender();
      std::size_t unused = 0;
      for (TcpStream* stream : {&tcp.client, &tcp.server}) {
        (void)attempt("shutdown", counts, unused, [stream](std::error_code& shutdown_ec) {
          stream->shutdown(Shutdown::write, shutdown_ec);
          return std::size_t{0};
        });
      }
      drain_deadline = now + drain_limit;
    }
    if (!storming && arrived()) {
      break;
    }
    if (!storming && now > drain_deadline) {
      fail(counts, "not everything arrived within " + std::to_string(drain_limit.count()) +
                       " s of the end of the traffic");
      break;
    }
  }
  timer.stop();
  const std::chrono::duration<double> elapsed = clock_type::now() - start;

  std::cout << "[  storm   ] " << elapsed.count() << " s, " << alarms().load()
            << " SIGALRM: " << interrupted << " of " << polls << " polls interrupted, "
            << counts.interrupted << " I/O calls interrupted; pipe " << pipe.read << " of "
            << pipe.written << " bytes, tcp " << tcp_out.read << " of " << tcp_out.written
            << " and " << tcp_back.read << " of " << tcp_back.written << " bytes, udp "
            << udp_out.received << " of " << udp_out.sent << " and " << udp_back.received << " of "
            << udp_back.sent << " datagrams; " << wakes.issued.load() << " wakes, " << wakes.events
            << " Waker events\n";

  EXPECT_EQ(counts.failures, 0U);
  EXPECT_GT(alarms().load(), 0U) << "no SIGALRM arrived";
  EXPECT_GT(interrupted, 0U) << "no poll was interrupted";
  EXPECT_TRUE(pipe.complete()) << pipe.read << " of " << pipe.written << " bytes";
  EXPECT_TRUE(tcp_out.complete()) << tcp_out.read << " of " << tcp_out.written << " bytes";
  EXPECT_TRUE(tcp_back.complete()) << tcp_back.read << " of " << tcp_back.written << " bytes";
  EXPECT_TRUE(udp_out.complete()) << udp_out.received << " of " << udp_out.sent;
  EXPECT_TRUE(udp_back.complete()) << udp_back.received << " of " << udp_back.sent;
  for (const std::uint64_t moved :
       {pipe.written, tcp_out.written, tcp_back.written, udp_out.sent, udp_back.sent}) {
    EXPECT_GT(moved, 0U) << "a channel that carried nothing";
  }
  EXPECT_GT(wakes.events, 0U);
  EXPECT_EQ(wakes.acknowledged.load(), wakes.issued.load()) << "a wake with no event after it";
}

}  // namespace
