// A bounded soak of TCP through the public API: an echo server (its own thread and Poll, its
// connections in a slab indexed by Token) and a client loop (the test's thread, its own Poll) that
// opens thousands of loopback connections in waves of 200 to 500. Each connection sends a
// pseudo-random amount (1 byte to 512 KiB, from a fixed seed) and then is reset (SO_LINGER 0 and
// a close), half-closed (its echo is read up to the end of the stream) or closed once all of its
// echo is back. Every echoed byte is checked against a pattern of the connection's number and the
// offset; the server must take the resets in its stride, and every descriptor it opened must be
// closed once the waves are done.
//
// MIOCPP_SOAK_SECONDS (whole seconds, default 5) bounds the time: no wave starts after it. The
// rate and the number of connections are bounded too (max_rate, max_connections).
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <stop_token>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/net.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using miocpp::Event, miocpp::Events, miocpp::Interest, miocpp::Poll, miocpp::Token;
using miocpp::net::Shutdown, miocpp::net::SocketAddr, miocpp::net::TcpListener;
using miocpp::net::TcpStream;

constexpr std::chrono::seconds default_duration{5};
// Connections to one listener share about 28,000 ephemeral ports (Linux's default range), and
// every one the client closes first holds its port in TIME_WAIT for 60 s. At this rate those
// stay below 23,000 where the kernel does not reuse them early, which leaves ports for the other
// programs of the machine, such as tests running at the same time.
constexpr double max_rate = 500;  // connections a second, on average
constexpr std::size_t max_connections = 100'000;
constexpr std::size_t min_wave = 200;
constexpr std::size_t max_wave = 500;
// A connection sends 2^b to 2^(b+1) - 1 bytes for a random b below this: 1 byte to 512 KiB, most
// of them small, so that a wave is many connections rather than a few long transfers.
constexpr unsigned size_classes = 19;
constexpr std::uint64_t seed = 0x5eed'ec40'50a4'0001;
// Both loops poll with a timeout, so that a stall is seen; a stall this long fails the test.
constexpr std::chrono::milliseconds poll_timeout{100};
constexpr std::chrono::seconds stall_limit{10};
constexpr std::size_t client_chunk = std::size_t{64} * 1024;
constexpr std::size_t echo_buffer = std::size_t{16} * 1024;
// Descriptors kept free for everything else the process opens (GoogleTest, the counting itself).
constexpr std::size_t descriptor_slack = 64;
// Failures reported one by one before the rest are only counted.
constexpr std::size_t reported_failures = 10;

/// MIOCPP_SOAK_SECONDS, or the default when it is unset; nullopt when it is not a positive whole
/// number.
std::optional<std::chrono::seconds> soak_duration() {
  const char* text = std::getenv("MIOCPP_SOAK_SECONDS");
  if (text == nullptr || *text == '\0') {
    return default_duration;
  }
  const std::string_view value(text);
  unsigned seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error != std::errc() || end != value.data() + value.size() || seconds == 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(seconds);
}

/// The longest accept queue a listener gets (Linux's net.core.somaxconn; 128 where it cannot be
/// read). No wave is longer: with room in the queue for every handshake, each connection that the
/// client sees established reaches accept, which the final count relies on.
std::size_t accept_queue_limit() {
  std::ifstream file("/proc/sys/net/core/somaxconn");
  std::size_t value = 0;
  if (file >> value && value > 0) {
    return value;
  }
  return 128;
}

/// Raises the soft RLIMIT_NOFILE (no further than the hard limit) so that `wanted` more
/// descriptors fit, for its lifetime; available() says how many more fit in the end.
class DescriptorRoom {
 public:
  explicit DescriptorRoom(std::size_t wanted) {
    const std::size_t open = test::open_descriptor_count() + descriptor_slack;
    if (::getrlimit(RLIMIT_NOFILE, &saved_) != 0) {
      return;
    }
    ::rlimit limit = saved_;
    const rlim_t needed = open + wanted;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
      limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min(needed, limit.rlim_max);
      raised_ = ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
      if (!raised_) {
        limit = saved_;
      }
    }
    if (limit.rlim_cur == RLIM_INFINITY) {
      available_ = wanted;
    } else if (limit.rlim_cur > open) {
      available_ = limit.rlim_cur - open;
    }
  }
  DescriptorRoom(const DescriptorRoom&) = delete;
  DescriptorRoom& operator=(const DescriptorRoom&) = delete;
  DescriptorRoom(DescriptorRoom&&) = delete;
  DescriptorRoom& operator=(DescriptorRoom&&) = delete;
  ~DescriptorRoom() {
    if (raised_) {
      ::setrlimit(RLIMIT_NOFILE, &saved_);
    }
  }

  [[nodiscard]] std::size_t available() const { return available_; }

 private:
  ::rlimit saved_{};
  bool raised_ = false;
  std::size_t available_ = 0;
};

/// The byte at `offset` of connection `number`'s stream: the tests' pattern, shifted and tagged by
/// the connection, so that bytes delivered to another connection show as well as lost, repeated or
/// reordered ones.
std::byte soak_byte(std::size_t number, std::size_t offset) {
  const auto tag = static_cast<std::byte>((number * 167U) ^ (number >> 8U));
  return test::pattern_byte(offset + number * 7919U) ^ tag;
}

void fill_pattern(std::span<std::byte> buffer, std::size_t number, std::size_t offset) {
  for (std::size_t i = 0; i < buffer.size(); ++i) {
    buffer[i] = soak_byte(number, offset + i);
  }
}

/// The index of the first byte of `bytes` (at `offset` of connection `number`'s stream) that is
/// not the pattern's; bytes.size() when they all are.
std::size_t first_mismatch(std::span<const std::byte> bytes, std::size_t number,
                           std::size_t offset) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != soak_byte(number, offset + i)) {
      return i;
    }
  }
  return bytes.size();
}

// ---- The server ---------------------------------------------------------------------------------

/// What the server thread counts, for the test's thread to read.
struct ServerStats {
  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> aborted{0};   // accept said the connection was gone already
  std::atomic<std::size_t> live{0};      // connections in the slab (their descriptors open)
  std::atomic<std::size_t> resets{0};    // connections that ended in a reset or broken pipe
  std::atomic<std::size_t> finished{0};  // connections closed after echoing up to their end
  std::atomic<std::uint64_t> echoed{0};  // bytes written back
  std::atomic<bool> failed{false};
};

/// One accepted connection: the bytes read and not yet written back are buffer[begin, end).
struct ServerConnection {
  TcpStream stream;
  std::vector<std::byte> buffer = std::vector<std::byte>(echo_buffer);
  std::size_t begin = 0;
  std::size_t end = 0;
  bool ended = false;        // the peer's end of stream was read
  bool wants_write = false;  // registered for writable too, while an echo waits
};

/// An echo server on 127.0.0.1:0 with one Poll. It reads at most one buffer ahead of what it has
/// written back, so a client that stops reading stops it reading too; it closes a connection once
/// it has echoed everything up to the peer's end of stream, or at the first reset.
class EchoServer {
 public:
  static constexpr Token listener_token{0};
  static constexpr Token waker_token{1};
  static constexpr std::size_t first_connection_token = 2;

  /// Opens the Poll, binds and registers the listener, and makes the Waker that ends run(); `ec`
  /// reports the first failure.
  explicit EchoServer(std::error_code& ec) : poll_(ec) {
    if (ec) {
      return;
    }
    listener_ = TcpListener::bind(test::any_local_address(), ec);
    if (!ec) {
      address_ = listener_.local_addr(ec);
    }
    if (!ec) {
      poll_.registry().register_source(listener_, listener_token, Interest::readable, ec);
    }
    if (!ec) {
      waker_.emplace(poll_.registry(), waker_token, ec);
    }
  }

  [[nodiscard]] const SocketAddr& address() const { return address_; }
  [[nodiscard]] const ServerStats& stats() const { return stats_; }

  /// The server thread: serves until `stop` is requested (which wakes the Poll) or its Poll
  /// fails. The connections still open are closed when the server is destroyed.
  void run(const std::stop_token& stop) {
    const std::stop_callback wake_on_stop(stop, [this] {
      std::error_code ec;
      waker_->wake(ec);
    });
    while (!stop.stop_requested()) {
      std::error_code ec;
      poll_.poll(events_, poll_timeout, ec);
      if (ec) {
        fail("poll", ec);
        return;
      }
      for (const Event& event : events_) {
        if (event.token() == listener_token) {
          accept_all();
        } else if (event.token() != waker_token) {
          pump(event.token().value - first_connection_token);
        }
      }
    }
  }

 private:
  void fail(std::string_view what, const std::error_code& ec) {
    ADD_FAILURE() << "server: " << what << ": " << ec.message();
    stats_.failed.store(true);
  }

  /// Accepts until would-block, as an edge-triggered listener must.
  void accept_all() {
    for (;;) {
      std::error_code ec;
      auto [stream, peer] = listener_.accept(ec);
      if (ec == std::errc::operation_would_block) {
        return;
      }
      if (ec == std::errc::connection_aborted) {  // reset while it waited in the queue
        stats_.aborted.fetch_add(1);
        continue;
      }
      if (ec) {
        fail("accept", ec);
        return;
      }
      std::size_t slot = slab_.size();
      if (free_.empty()) {
        slab_.emplace_back();
      } else {
        slot = free_.back();
        free_.pop_back();
      }
      ServerConnection& connection = slab_[slot].emplace();
      connection.stream = std::move(stream);
      stats_.accepted.fetch_add(1);
      stats_.live.fetch_add(1);
      poll_.registry().register_source(connection.stream, Token(first_connection_token + slot),
                                       Interest::readable, ec);
      if (ec) {
        fail("register", ec);
        close(slot);
      }
    }
  }

  /// Echoes what connection `slot` has to give until a read or write would block.
  void pump(std::size_t slot) {
    // A token of a connection closed earlier in the same batch (kqueue reports each filter
    // apart), or of a slot taken again since, which only costs a read that would block.
    if (slot >= slab_.size() || !slab_[slot]) {
      return;
    }
    ServerConnection& connection = *slab_[slot];
    for (;;) {
      std::error_code ec;
      if (connection.begin < connection.end) {
        const std::span<const std::byte> rest = std::span(connection.buffer)
                                                    .subspan(connection.begin)
                                                    .first(connection.end - connection.begin);
        const std::size_t written = connection.stream.write(rest, ec);
        if (ec == std::errc::operation_would_block) {
          want_write(slot, true);
          return;
        }
        if (ec) {
          close_after_error(slot, "write", ec);
          return;
        }
        connection.begin += written;
        stats_.echoed.fetch_add(written);
        continue;
      }
      if (!want_write(slot, false)) {
        return;
      }
      if (connection.ended) {
        stats_.finished.fetch_add(1);
        close(slot);
        return;
      }
      const std::size_t read = connection.stream.read(connection.buffer, ec);
      if (ec == std::errc::operation_would_block) {
        return;
      }
      if (ec) {
        close_after_error(slot, "read", ec);
        return;
      }
      connection.begin = 0;
      connection.end = read;
      connection.ended = read == 0;
    }
  }

  /// Registers connection `slot` for writable as well (`on`) or for readable alone, if it is not
  /// so already: waiting for writable only while an echo waits keeps the poll(2) backend, which
  /// reports a writable socket again after each read that would block, from spinning. False if
  /// the reregistration failed (the connection is closed then).
  bool want_write(std::size_t slot, bool on) {
    ServerConnection& connection = *slab_[slot];
    if (connection.wants_write == on) {
      return true;
    }
    std::error_code ec;
    poll_.registry().reregister(connection.stream, Token(first_connection_token + slot),
                                on ? Interest::readable | Interest::writable : Interest::readable,
                                ec);
    if (ec) {
      fail("reregister", ec);
      close(slot);
      return false;
    }
    connection.wants_write = on;
    return true;
  }

  /// A peer's reset shows as connection_reset (or broken_pipe, for a write); anything else fails
  /// the test. The connection is closed either way.
  void close_after_error(std::size_t slot, std::string_view what, const std::error_code& ec) {
    if (ec == std::errc::connection_reset || ec == std::errc::broken_pipe) {
      stats_.resets.fetch_add(1);
    } else {
      fail(what, ec);
    }
    close(slot);
  }

  void close(std::size_t slot) {
    slab_[slot].reset();  // closes the descriptor, which also ends its registration
    free_.push_back(slot);
    stats_.live.fetch_sub(1);
  }

  Poll poll_;
  Events events_{256};
  TcpListener listener_;
  SocketAddr address_;
  std::optional<miocpp::Waker> waker_;
  std::vector<std::optional<ServerConnection>> slab_;
  std::vector<std::size_t> free_;
  ServerStats stats_;
};

// ---- The client ---------------------------------------------------------------------------------

enum class Ending : std::uint8_t { reset, half_close, close };

const char* name_of(Ending ending) {
  switch (ending) {
    case Ending::reset:
      return "reset";
    case Ending::half_close:
      return "half-close";
    case Ending::close:
      return "close";
  }
  return "?";
}

struct ClientConnection {
  TcpStream stream;
  Token token{0};          // its slot in the wave
  std::size_t number = 0;  // over the whole run: the key of its pattern
  Ending ending = Ending::close;
  std::size_t size = 0;  // what it sends, unless it is reset first
  // A connection to reset writes stop_at bytes, reads at least reset_after of their echo (some
  // wait for none), then resets.
  std::size_t stop_at = 0;
  std::size_t reset_after = 0;
  std::size_t sent = 0;
  std::size_t received = 0;  // and checked
  bool connected = false;
  bool write_done = false;  // all written (and shut down, for a half-close)
  bool done = false;
};

std::ostream& operator<<(std::ostream& os, const ClientConnection& c) {
  os << "connection " << c.number << " (" << name_of(c.ending) << ", " << c.size << " bytes";
  if (c.ending == Ending::reset) {
    os << ", reset at " << c.stop_at << " sent and " << c.reset_after << " received";
  }
  return os << "): sent " << c.sent << ", received " << c.received
            << (c.connected ? "" : ", not connected") << (c.write_done ? ", writing done" : "");
}

struct ClientTotals {
  std::size_t waves = 0;
  std::size_t opened = 0;
  std::size_t resets = 0;
  std::size_t half_closed = 0;
  std::size_t closed = 0;
  std::uint64_t sent = 0;
  std::uint64_t verified = 0;           // echoed bytes received and checked
  std::uint64_t verified_complete = 0;  // of them, on connections that got all of their echo
  std::size_t failures = 0;
};

/// Runs waves of connections to the server, each to completion, through one Poll.
class SoakClient {
 public:
  SoakClient(Poll& poll, const SocketAddr& server, const ServerStats& server_stats)
      : poll_(poll), server_(server), server_stats_(server_stats) {}

  [[nodiscard]] const ClientTotals& totals() const { return totals_; }

  /// Opens `count` connections at once and drives them until every one has ended. False when one
  /// failed (reported), the server failed, or nothing moved for stall_limit (reported).
  bool run_wave(std::size_t count, std::mt19937_64& generator) {
    wave_.clear();
    wave_.resize(count);
    remaining_ = count;
    for (std::size_t slot = 0; slot < count; ++slot) {
      open(wave_[slot], Token(slot), generator);
    }
    std::uint64_t seen_progress = progress_;
    clock_type::time_point last_progress = clock_type::now();
    while (remaining_ > 0 && totals_.failures == 0) {
      std::error_code ec;
      poll_.poll(events_, poll_timeout, ec);
      if (ec) {
        ADD_FAILURE() << "client: poll: " << ec.message();
        return false;
      }
      for (const Event& event : events_) {
        // An event of a connection that ended earlier in the same batch is left alone.
        if (event.token().value < wave_.size() && !wave_[event.token().value].done) {
          pump(wave_[event.token().value]);
        }
      }
      if (server_stats_.failed.load()) {
        return false;
      }
      const clock_type::time_point now = clock_type::now();
      if (progress_ != seen_progress) {
        seen_progress = progress_;
        last_progress = now;
      } else if (now - last_progress > stall_limit) {
        ADD_FAILURE() << "nothing moved for " << stall_limit.count() << " s: " << stall_report();
        return false;
      }
    }
    if (totals_.failures != 0) {
      return false;
    }
    ++totals_.waves;
    return true;
  }

 private:
  void open(ClientConnection& c, Token token, std::mt19937_64& generator) {
    c.token = token;
    c.number = next_number_++;
    const auto size_class = static_cast<unsigned>(generator() % size_classes);
    c.size = (std::size_t{1} << size_class) + generator() % (std::size_t{1} << size_class);
    const std::uint64_t kind = generator() % 4;
    c.ending = kind == 0 ? Ending::reset : kind == 1 ? Ending::half_close : Ending::close;
    c.stop_at = static_cast<std::size_t>(generator() % (c.size + 1));
    c.reset_after =
        generator() % 2 == 0 ? 0 : static_cast<std::size_t>(generator() % (c.stop_at + 1));
    std::error_code ec;
    c.stream = TcpStream::connect(server_, ec);
    if (ec) {
      fail(c, "connect", ec);
      return;
    }
    ++totals_.opened;
    poll_.registry().register_source(c.stream, token, Interest::readable | Interest::writable, ec);
    if (ec) {
      fail(c, "register", ec);
    }
  }

  void pump(ClientConnection& c) {
    if (!c.connected && !check_connected(c)) {
      return;
    }
    if (!c.write_done && !write_some(c)) {
      return;
    }
    if (!read_some(c)) {
      return;
    }
    if (!c.write_done) {
      return;
    }
    if (c.ending == Ending::reset && c.received >= c.reset_after) {
      reset(c);
    } else if (c.ending == Ending::close && c.received == c.size) {
      ++totals_.closed;
      totals_.verified_complete += c.size;
      end(c);  // a close with nothing left unread: FIN
    }
  }

  /// The way the README says to learn how a non-blocking connect went: take_error(), then
  /// peer_addr() (not_connected: not yet).
  bool check_connected(ClientConnection& c) {
    std::error_code ec;
    const std::error_code pending = c.stream.take_error(ec);
    if (ec || pending) {
      fail(c, "connect", ec ? ec : pending);
      return false;
    }
    (void)c.stream.peer_addr(ec);
    if (ec == std::errc::not_connected) {
      return false;
    }
    if (ec) {
      fail(c, "peer_addr", ec);
      return false;
    }
    c.connected = true;
    ++progress_;
    return true;
  }

  /// Writes until would-block or all is written, then stops waiting for writable (and
  /// half-closes, if that is how the connection ends). False when the connection is gone.
  bool write_some(ClientConnection& c) {
    const std::size_t limit = c.ending == Ending::reset ? c.stop_at : c.size;
    while (c.sent < limit) {
      const std::span<std::byte> piece =
          std::span(out_).first(std::min(limit - c.sent, out_.size()));
      fill_pattern(piece, c.number, c.sent);
      std::error_code ec;
      const std::size_t written = c.stream.write(piece, ec);
      if (ec == std::errc::operation_would_block) {
        return true;
      }
      if (ec) {
        fail(c, "write", ec);
        return false;
      }
      c.sent += written;
      totals_.sent += written;
      ++progress_;
    }
    std::error_code ec;
    if (c.ending == Ending::half_close) {
      c.stream.shutdown(Shutdown::write, ec);
      if (ec) {
        fail(c, "shutdown", ec);
        return false;
      }
    }
    // Nothing more to write: waiting for writable would only make the poll(2) backend report
    // the writable socket after every read that would block.
    poll_.registry().reregister(c.stream, c.token, Interest::readable, ec);
    if (ec) {
      fail(c, "reregister", ec);
      return false;
    }
    c.write_done = true;
    ++progress_;
    return true;
  }

  /// Reads and checks until would-block, or the end of the stream, which is right only after a
  /// half-close whose echo is complete. False when the connection is gone.
  bool read_some(ClientConnection& c) {
    for (;;) {
      std::error_code ec;
      const std::size_t count = c.stream.read(in_, ec);
      if (ec == std::errc::operation_would_block) {
        return true;
      }
      if (ec) {
        fail(c, "read", ec);
        return false;
      }
      if (count == 0) {
        if (c.ending == Ending::half_close && c.write_done && c.received == c.size) {
          ++totals_.half_closed;
          totals_.verified_complete += c.size;
          end(c);
        } else {
          fail(c, "an early end of stream");
        }
        return false;
      }
      if (c.received + count > c.sent) {
        fail(c, "an echo of " + std::to_string(c.received + count - c.sent) + " bytes never sent");
        return false;
      }
      const std::span<const std::byte> bytes = std::span(in_).first(count);
      if (const std::size_t bad = first_mismatch(bytes, c.number, c.received); bad != count) {
        fail(c, "a wrong byte at offset " + std::to_string(c.received + bad));
        return false;
      }
      c.received += count;
      totals_.verified += count;
      ++progress_;
    }
  }

  /// SO_LINGER {on, 0 s}, then the close: the peer gets a reset instead of an end of stream.
  void reset(ClientConnection& c) {
    if (!test::set_linger_zero(c.stream.native_handle())) {
      fail(c, "setsockopt(SO_LINGER)", std::error_code(errno, std::generic_category()));
      return;
    }
    ++totals_.resets;
    end(c);
  }

  void end(ClientConnection& c) {
    c.stream = TcpStream();
    c.done = true;
    --remaining_;
    ++progress_;
  }

  void fail(ClientConnection& c, std::string_view what, const std::error_code& ec = {}) {
    if (++totals_.failures <= reported_failures) {
      ADD_FAILURE() << c << ": " << what << (ec ? ": " + ec.message() : std::string());
    }
    end(c);
  }

  /// The connections of the wave that have not ended (the first few), and the server's counts.
  [[nodiscard]] std::string stall_report() const {
    std::ostringstream os;
    os << remaining_ << " of " << wave_.size() << " connections still open";
    std::size_t shown = 0;
    for (const ClientConnection& c : wave_) {
      if (!c.done && shown++ < 10) {
        os << "\n  " << c;
      }
    }
    os << "\n  server: " << server_stats_.accepted.load() << " accepted, "
       << server_stats_.live.load() << " open, " << server_stats_.echoed.load() << " bytes echoed";
    return os.str();
  }

  Poll& poll_;
  Events events_{256};
  SocketAddr server_;
  const ServerStats& server_stats_;
  std::vector<ClientConnection> wave_;
  std::vector<std::byte> out_ = std::vector<std::byte>(client_chunk);
  std::vector<std::byte> in_ = std::vector<std::byte>(client_chunk);
  std::size_t next_number_ = 0;
  std::size_t remaining_ = 0;
  std::uint64_t progress_ = 0;  // counts every step forward, for the stall check
  ClientTotals totals_;
};

/// Waits until every connection the client opened has been accepted (or refused by accept as
/// aborted) and closed by the server; false after stall_limit.
bool server_drained(const ServerStats& stats, std::size_t opened) {
  const clock_type::time_point deadline = clock_type::now() + stall_limit;
  while (stats.live.load() != 0 || stats.accepted.load() + stats.aborted.load() < opened) {
    if (clock_type::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class Soak : public test::LeakChecked<> {};

TEST_F(Soak, EchoServerOutlivesWavesOfResetsHalfClosesAndCloses) {
  const std::optional<std::chrono::seconds> duration = soak_duration();
  ASSERT_TRUE(duration) << "MIOCPP_SOAK_SECONDS must be a positive whole number of seconds";
  // Two descriptors a connection: the client's and the server's.
  const DescriptorRoom room(2 * max_wave);
  // Where the descriptors or the accept queue are short, the waves are smaller rather than none.
  const std::size_t wave_limit = std::min({max_wave, room.available() / 2, accept_queue_limit()});
  const std::size_t wave_floor = std::min(min_wave, wave_limit);
  ASSERT_GT(wave_limit, 0U) << "no room for a wave: " << room.available()
                            << " descriptors free, accept queue " << accept_queue_limit();

  std::error_code ec;
  EchoServer server(ec);
  ASSERT_FALSE(ec) << ec.message();
  OPEN_POLL(client_poll);
  const std::size_t descriptors_before = test::open_descriptor_count();
  // Declared after the server, so it is stopped and joined first on every way out.
  std::jthread server_thread([&server](const std::stop_token& stop) { server.run(stop); });

  SoakClient client(client_poll, server.address(), server.stats());
  std::mt19937_64 generator(seed);
  const clock_type::time_point start = clock_type::now();
  const clock_type::time_point deadline = start + *duration;
  bool ok = true;
  while (ok && client.totals().opened < max_connections && clock_type::now() < deadline) {
    const std::size_t count = std::min(wave_floor + generator() % (wave_limit - wave_floor + 1),
                                       max_connections - client.totals().opened);
    ok = client.run_wave(count, generator);
    const std::chrono::duration<double> due(static_cast<double>(client.totals().opened) / max_rate);
    if (ok) {
      std::this_thread::sleep_until(
          std::min(start + std::chrono::duration_cast<clock_type::duration>(due), deadline));
    }
  }
  const std::chrono::duration<double> elapsed = clock_type::now() - start;
  const ClientTotals& totals = client.totals();
  ASSERT_TRUE(ok) << "wave " << totals.waves + 1 << " failed (reported above)";

  const ServerStats& stats = server.stats();
  ASSERT_TRUE(server_drained(stats, totals.opened))
      << "the server accepted " << stats.accepted.load() << " (and saw " << stats.aborted.load()
      << " aborted) of " << totals.opened << " connections and still has " << stats.live.load()
      << " open";
  EXPECT_EQ(test::open_descriptor_count(), descriptors_before)
      << "descriptors left open once every connection is closed";
  server_thread.request_stop();
  server_thread.join();

  std::cout << "[   soak   ] " << totals.waves << " waves, " << totals.opened << " connections in "
            << elapsed.count() << " s (" << totals.resets << " reset, " << totals.half_closed
            << " half-closed, " << totals.closed << " closed); " << totals.sent << " bytes sent, "
            << totals.verified << " echoed bytes verified (" << totals.verified_complete
            << " on complete echoes); server: " << stats.accepted.load() << " accepted, "
            << stats.aborted.load() << " aborted, " << stats.resets.load() << " resets, "
            << stats.finished.load() << " finished, " << stats.echoed.load()
            << " bytes echoed; waves of " << wave_floor << " to " << wave_limit << ", seed 0x"
            << std::hex << seed << std::dec << "\n";

  EXPECT_GE(totals.waves, 1U) << "not one complete wave";
  EXPECT_EQ(totals.resets + totals.half_closed + totals.closed, totals.opened);
  EXPECT_EQ(stats.accepted.load() + stats.aborted.load(), totals.opened);
  EXPECT_EQ(stats.resets.load() + stats.finished.load(), stats.accepted.load());
  EXPECT_GT(totals.resets, 0U);
  EXPECT_GT(totals.half_closed, 0U);
  EXPECT_GT(totals.closed, 0U);
  EXPECT_GT(stats.resets.load(), 0U) << "no reset reached the server";
  EXPECT_GE(totals.verified, totals.verified_complete);
  EXPECT_GT(totals.verified_complete, 0U);
  EXPECT_GE(stats.echoed.load(), totals.verified);
}

}  // namespace
