// One source used from several threads at once, exactly as far as the rule for it allows: on one
// socket or pipe end, one thread receives while another sends, and the queries (addresses, the
// pending error, option getters) run alongside either. Registering, moving, releasing and
// destroying the source happen before the threads start or after they are joined.
//
// Each test runs that overlap for real, for long enough that ThreadSanitizer sees any race inside
// the library: an event loop thread polls and receives on readiness until would-block (and also
// serves the far side, which echoes everything back), a second thread sends on the very same
// object and retries by itself after would-block, and a third thread queries it in a loop. Every
// message must come back once, whole and in order.
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/io.hpp"
#include "support/net.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include "support/text.hpp"
#include "support/uds.hpp"
#include <miocpp/miocpp.hpp>

// ThreadSanitizer orders a write to a descriptor before the read that gets its bytes (io_sync=1),
// which would hide a race between the sending and the receiving thread -- the very overlap under
// test; and it drops a report whose earlier access has left the thread's history. These threads
// share no memory through their sockets, so the ordering is not needed, and the longest history
// makes a race found a race reported.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MIOCPP_TEST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(MIOCPP_TEST_TSAN)
// NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp): the runtime's hook
extern "C" const char* __tsan_default_options() {
  return "io_sync=0:history_size=7";
}
#endif

namespace {

namespace net = miocpp::net;
using namespace std::chrono_literals;
using miocpp::Event, miocpp::Events, miocpp::Interest, miocpp::IoSlice, miocpp::IoSliceMut,
    miocpp::Poll, miocpp::Token;
using clock_type = std::chrono::steady_clock;

constexpr Token source_token{1}, peer_token{2};

/// Messages per test: enough for the sender to run into would-block many times on a stream.
constexpr std::uint32_t message_count = 3000;
/// The longest payload on a stream, and in a datagram (well below any datagram limit).
constexpr std::size_t stream_payload = 2000;
constexpr std::size_t datagram_payload = 1000;
/// The stream sockets' buffers, small enough for the sender to meet would-block often.
constexpr int stream_buffer = 32 * 1024;
/// The send buffer of the Unix datagram socket under test: smaller than a window of datagrams, so
/// that the sender meets would-block too. (A UDP socket on the loopback never does: a datagram
/// stops counting against its buffer once it is delivered.)
constexpr int datagram_send_buffer = 4 * 1024;
/// Datagrams in flight at most: far fewer than a receive buffer holds, so that none is dropped
/// (a UDP socket drops what does not fit) however the threads are scheduled.
constexpr std::uint32_t datagram_window = 32;
/// A test that has not finished by then fails instead of hanging. It takes well under a second,
/// under ThreadSanitizer too, but its spinning sender and querying threads share two CPUs with
/// the other tests CTest runs at once: a CI run saw one take more than 5 s, so the bound is far
/// above that.
constexpr auto time_limit = 20s;

// ---- Messages --------------------------------------------------------------------------------

/// A message: its index and the length of its payload, then the payload.
struct Header {
  std::uint32_t index = 0;
  std::uint32_t length = 0;
};
constexpr std::size_t header_size = sizeof(Header);

/// Lengths vary from 0 to `max_payload`, so that messages straddle every buffer boundary.
std::uint32_t payload_length(std::uint32_t index, std::size_t max_payload) {
  return static_cast<std::uint32_t>((std::size_t{index} * 7919U) % (max_payload + 1));
}

/// Payload bytes depend on the index, so a torn or swapped message shows.
std::byte payload_byte(std::uint32_t index, std::size_t offset) {
  return static_cast<std::byte>((std::size_t{index} * 31U + offset) & 0xffU);
}

std::vector<std::byte> message(std::uint32_t index, std::size_t max_payload) {
  const Header header{index, payload_length(index, max_payload)};
  std::vector<std::byte> bytes(header_size + header.length);
  std::memcpy(bytes.data(), &header, header_size);
  for (std::size_t offset = 0; offset < header.length; ++offset) {
    bytes[header_size + offset] = payload_byte(index, offset);
  }
  return bytes;
}

/// Checks that what arrives is message 0, 1, 2, ... each whole and once.
class InOrder {
 public:
  explicit InOrder(std::size_t max_payload) : max_payload_(max_payload) {}

  /// The next bytes of a stream, cut anywhere.
  void stream_bytes(std::span<const std::byte> bytes) {
    partial_.insert(partial_.end(), bytes.begin(), bytes.end());
    std::size_t used = 0;
    while (error_.empty() && partial_.size() - used >= header_size) {
      const std::span<const std::byte> rest = std::span<const std::byte>(partial_).subspan(used);
      const Header header = header_of(rest);
      if (!expected(header) || rest.size() - header_size < header.length) {
        break;
      }
      check_payload(header, rest.subspan(header_size, header.length));
      used += header_size + header.length;
    }
    partial_.erase(partial_.begin(), partial_.begin() + static_cast<std::ptrdiff_t>(used));
  }

  /// One whole datagram.
  void datagram(std::span<const std::byte> bytes) {
    if (!error_.empty()) {
      return;
    }
    if (bytes.size() < header_size) {
      error_ = "a datagram of " + std::to_string(bytes.size()) + " bytes";
      return;
    }
    const Header header = header_of(bytes);
    if (expected(header)) {
      if (bytes.size() - header_size != header.length) {
        error_ = "message " + std::to_string(header.index) + " arrived with " +
                 std::to_string(bytes.size()) + " bytes";
        return;
      }
      check_payload(header, bytes.subspan(header_size));
    }
  }

  [[nodiscard]] std::uint32_t count() const { return next_; }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  static Header header_of(std::span<const std::byte> bytes) {
    Header header;
    std::memcpy(&header, bytes.data(), header_size);
    return header;
  }

  bool expected(const Header& header) {
    if (header.index != next_ || header.length != payload_length(next_, max_payload_)) {
      error_ = "message " + std::to_string(header.index) + " of length " +
               std::to_string(header.length) + " where message " + std::to_string(next_) +
               " was due";
      return false;
    }
    return true;
  }

  void check_payload(const Header& header, std::span<const std::byte> payload) {
    for (std::size_t offset = 0; offset < payload.size(); ++offset) {
      if (payload[offset] != payload_byte(header.index, offset)) {
        error_ = "message " + std::to_string(header.index) + " is corrupt at byte " +
                 std::to_string(offset);
        return;
      }
    }
    ++next_;
  }

  std::size_t max_payload_;
  std::vector<std::byte> partial_;
  std::uint32_t next_ = 0;
  std::string error_;
};

// ---- The threads -----------------------------------------------------------------------------

/// What the threads share: how far the loop has got, and when everybody stops.
struct Progress {
  clock_type::time_point deadline = clock_type::now() + time_limit;
  std::atomic<std::uint32_t> received{0};  // messages checked by the loop thread
  std::atomic<bool> stop{false};           // the loop is done, or a thread failed

  [[nodiscard]] bool over() const { return stop.load() || clock_type::now() >= deadline; }
};

/// The sending thread: every message, through `send_some(index, bytes, ec)` (one send of as much
/// of `bytes` as goes; a datagram goes whole or not at all), after would-block trying again
/// after a yield. With a window it waits while that many messages have not come back yet.
template <class SendSome>
std::string send_messages(const Progress& progress, std::size_t max_payload, std::uint32_t window,
                          SendSome send_some) {
  for (std::uint32_t index = 0; index < message_count; ++index) {
    while (window != 0 && index - progress.received.load() >= window) {
      if (progress.over()) {
        return "gave up waiting for the window at message " + std::to_string(index);
      }
      std::this_thread::yield();
    }
    const std::vector<std::byte> bytes = message(index, max_payload);
    std::span<const std::byte> rest(bytes);
    while (!rest.empty()) {
      if (progress.over()) {
        return "gave up sending message " + std::to_string(index);
      }
      std::error_code ec;
      const std::size_t sent = send_some(index, rest, ec);
      if (ec == std::errc::operation_would_block) {
        std::this_thread::yield();
        continue;
      }
      if (ec) {
        return "sending message " + std::to_string(index) + ": " + ec.message();
      }
      rest = rest.subspan(sent);
    }
  }
  return {};
}

/// The loop thread: polls until every message has been checked, handing each event to
/// `on_event`, which returns an error text ("" to go on).
template <class OnEvent>
std::string run_loop(Poll& poll, Progress& progress, const InOrder& checker, OnEvent on_event) {
  Events events(16);
  while (checker.count() < message_count) {
    if (progress.over()) {
      return "stopped after " + std::to_string(checker.count()) + " of " +
             std::to_string(message_count) + " messages";
    }
    std::error_code ec;
    poll.poll(events, 50ms, ec);
    if (ec && ec != std::errc::interrupted) {
      return "poll: " + ec.message();
    }
    for (const Event& event : events) {
      if (std::string error = on_event(event); !error.empty()) {
        return error;
      }
    }
    progress.received.store(checker.count());
  }
  return {};
}

/// Runs the loop, the sender and (unless it is empty) the querying thread to the end, and checks
/// what each of them reports.
void run_threads(Progress& progress, const std::function<std::string()>& loop,
                 const std::function<std::string()>& send,
                 const std::function<std::string()>& query) {
  std::string loop_error;
  std::string send_error;
  std::string query_error;
  std::size_t query_rounds = 0;
  {
    // Whichever thread ends first with an error stops the others.
    const auto stop_on = [&progress](const std::string& error) {
      if (!error.empty()) {
        progress.stop.store(true);
      }
    };
    const std::jthread loop_thread([&] {
      loop_error = loop();
      progress.stop.store(true);
    });
    const std::jthread send_thread([&] {
      send_error = send();
      stop_on(send_error);
    });
    std::optional<std::jthread> query_thread;
    if (query) {
      query_thread.emplace([&] {
        do {
          query_error = query();
          ++query_rounds;
        } while (query_error.empty() && !progress.over());
        stop_on(query_error);
      });
    }
  }
  EXPECT_EQ(loop_error, "");
  EXPECT_EQ(send_error, "");
  EXPECT_EQ(query_error, "");
  if (query) {
    EXPECT_GT(query_rounds, 1U) << "the queries never overlapped the transfer";
  }
}

// ---- Receiving and echoing -------------------------------------------------------------------

/// Reads a byte stream until would-block, taking turns with read, read_vectored and (where the
/// type has it) peek followed by a read of what was peeked, and hands the bytes to `checker`.
template <class Stream>
std::string read_stream(Stream& stream, InOrder& checker, unsigned& turn) {
  std::vector<std::byte> buffer(std::size_t{16} * 1024);
  for (;;) {
    std::error_code ec;
    std::size_t count = 0;
    constexpr bool can_peek =
        requires(Stream & s, std::span<std::byte> bytes, std::error_code & e) {
      s.peek(bytes, e);
    };
    switch (turn++ % (can_peek ? 3 : 2)) {
      case 0:
        count = stream.read(buffer, ec);
        break;
      case 1: {
        const std::span<std::byte> all(buffer);
        std::array<IoSliceMut, 2> slices{IoSliceMut(all.first(1000)),
                                         IoSliceMut(all.subspan(1000))};
        count = stream.read_vectored(slices, ec);
        break;
      }
      default:
        if constexpr (can_peek) {
          std::vector<std::byte> peeked(buffer.size());
          const std::size_t seen = stream.peek(peeked, ec);
          if (!ec) {
            count = stream.read(std::span(buffer).first(seen), ec);
            if (!ec &&
                (count != seen ||
                 !std::equal(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(count),
                             peeked.begin()))) {
              return "a read did not return what the peek before it saw";
            }
          }
        }
        break;
    }
    if (ec == std::errc::operation_would_block) {
      return {};
    }
    if (ec) {
      return "read: " + ec.message();
    }
    if (count == 0) {
      return "the stream ended early";
    }
    checker.stream_bytes(std::span<const std::byte>(buffer).first(count));
    if (!checker.error().empty()) {
      return checker.error();
    }
  }
}

/// Receives datagrams until would-block, taking turns with recv, recv_from (which must name
/// `peer`), peek followed by recv, and (where the type has it) peek_from followed by recv, and
/// hands each to `checker`.
template <class Socket, class Address>
std::string receive_datagrams(Socket& socket, const Address& peer, InOrder& checker,
                              unsigned& turn) {
  std::vector<std::byte> buffer(datagram_payload + header_size + 1);
  std::vector<std::byte> peeked(buffer.size());
  for (;;) {
    std::error_code ec;
    std::size_t count = 0;
    Address from = peer;
    std::size_t seen = 0;
    bool did_peek = false;
    constexpr bool can_peek_from =
        requires(Socket & s, std::span<std::byte> bytes, std::error_code & e) {
      s.peek_from(bytes, e);
    };
    switch (turn++ % (can_peek_from ? 4 : 3)) {
      case 0:
        count = socket.recv(buffer, ec);
        break;
      case 1:
        std::tie(count, from) = socket.recv_from(buffer, ec);
        break;
      case 2:
        seen = socket.peek(peeked, ec);
        did_peek = true;
        break;
      default:
        if constexpr (can_peek_from) {
          std::tie(seen, from) = socket.peek_from(peeked, ec);
          did_peek = true;
        }
        break;
    }
    if (did_peek && !ec) {
      count = socket.recv(buffer, ec);
      if (!ec && (count != seen ||
                  !std::equal(peeked.begin(), peeked.begin() + static_cast<std::ptrdiff_t>(seen),
                              buffer.begin()))) {
        return "a recv did not return the datagram the peek before it saw";
      }
    }
    if (ec == std::errc::operation_would_block) {
      return {};
    }
    if (ec) {
      return "receive: " + ec.message();
    }
    if (!(from == peer)) {
      return "a datagram from " + test::printed(from);
    }
    checker.datagram(std::span<const std::byte>(buffer).first(count));
    if (!checker.error().empty()) {
      return checker.error();
    }
  }
}

/// The far side, served by the loop thread: sends back whatever it receives (a stream's bytes, or
/// each datagram whole). It is registered readable and writable and handles each event as an
/// edge-triggered loop does: a readable one means receive until would-block, a writable one
/// means send what was held back. Receiving stops while something is held back, and goes on
/// once that is sent.
template <class Peer>
class Echo {
 public:
  explicit Echo(Peer& peer) : peer_(peer) {}

  std::string on_event(const Event& event) {
    if (event.is_readable()) {
      readable_ = true;
    }
    for (;;) {
      std::error_code ec;
      while (sent_ < held_) {
        const std::size_t count = test::send_some(
            peer_, std::span<const std::byte>(buffer_).subspan(sent_, held_ - sent_), ec);
        if (ec == std::errc::operation_would_block) {
          return {};  // the next writable event goes on
        }
        if (ec) {
          return "echo: send: " + ec.message();
        }
        sent_ += count;
      }
      sent_ = 0;
      held_ = 0;
      if (!readable_) {
        return {};
      }
      held_ = test::receive_some(peer_, std::span<std::byte>(buffer_), ec);
      if (ec == std::errc::operation_would_block) {
        readable_ = false;  // until the next readable event
        return {};
      }
      if (ec) {
        return "echo: receive: " + ec.message();
      }
      if (held_ == 0) {
        return "echo: received nothing (the stream ended)";
      }
    }
  }

 private:
  Peer& peer_;
  std::vector<std::byte> buffer_ = std::vector<std::byte>(std::size_t{64} * 1024);
  std::size_t held_ = 0;
  std::size_t sent_ = 0;
  bool readable_ = false;
};

// ---- Queries ---------------------------------------------------------------------------------

/// "" when `get(ec)` succeeds with `expected`, else what went wrong.
template <class Get, class Value>
std::string unchanged(const char* what, Get get, const Value& expected) {
  std::error_code ec;
  const auto value = get(ec);
  if (ec) {
    return std::string(what) + ": " + ec.message();
  }
  if (!(value == expected)) {
    return std::string(what) + " is now " + test::printed(value);
  }
  return {};
}

std::string first_error(std::initializer_list<std::string> errors) {
  for (const std::string& error : errors) {
    if (!error.empty()) {
      return error;
    }
  }
  return {};
}

/// The queries every socket type has: its own address, its peer's, and no pending error.
template <class Socket, class Address>
std::string socket_queries(const Socket& socket, const Address& local, const Address& peer) {
  return first_error({
      unchanged(
          "local_addr", [&socket](std::error_code& ec) { return socket.local_addr(ec); }, local),
      unchanged(
          "peer_addr", [&socket](std::error_code& ec) { return socket.peer_addr(ec); }, peer),
      unchanged(
          "take_error", [&socket](std::error_code& ec) { return socket.take_error(ec); },
          std::error_code()),
  });
}

/// The sender's send_some for a byte stream or pipe end: write and write_vectored (the bytes in
/// two slices) in turn.
template <class Writer>
auto write_in_turn(Writer& writer) {
  return [&writer](std::uint32_t index, std::span<const std::byte> bytes, std::error_code& ec) {
    if (index % 2 == 0) {
      return writer.write(bytes, ec);
    }
    const std::size_t half = bytes.size() / 2;
    const std::array<IoSlice, 2> slices{IoSlice(bytes.first(half)), IoSlice(bytes.subspan(half))};
    return writer.write_vectored(slices, ec);
  };
}

// ---- The tests -------------------------------------------------------------------------------

/// A byte stream `source` whose far end is `peer`: the loop reads `source` and echoes on `peer`,
/// the sender writes `source` (write and write_vectored in turn), `query` queries `source`.
template <class Stream>
void exercise_stream(Stream& source, Stream& peer, const std::function<std::string()>& query) {
  OPEN_POLL(poll);
  REGISTER(poll, source, source_token, Interest::readable);
  REGISTER(poll, peer, peer_token, Interest::readable | Interest::writable);
  Progress progress;
  InOrder checker(stream_payload);
  Echo<Stream> echo(peer);
  unsigned turn = 0;
  run_threads(
      progress,
      [&] {
        return run_loop(poll, progress, checker, [&](const Event& event) {
          return event.token() == source_token ? read_stream(source, checker, turn)
                                               : echo.on_event(event);
        });
      },
      [&] { return send_messages(progress, stream_payload, 0, write_in_turn(source)); }, query);
}

/// A datagram socket `source` connected to `peer` (at `peer_address`), and `peer` to it: the loop
/// receives on `source` and echoes on `peer`, the sender sends on `source` (send and send_to in
/// turn, through `send_to`), `query` queries `source`.
template <class Socket, class Address, class SendTo>
void exercise_datagrams(Socket& source, Socket& peer, const Address& peer_address, SendTo send_to,
                        const std::function<std::string()>& query) {
  OPEN_POLL(poll);
  REGISTER(poll, source, source_token, Interest::readable);
  REGISTER(poll, peer, peer_token, Interest::readable | Interest::writable);
  Progress progress;
  InOrder checker(datagram_payload);
  Echo<Socket> echo(peer);
  unsigned turn = 0;
  run_threads(
      progress,
      [&] {
        return run_loop(poll, progress, checker, [&](const Event& event) {
          return event.token() == source_token
                     ? receive_datagrams(source, peer_address, checker, turn)
                     : echo.on_event(event);
        });
      },
      [&] {
        return send_messages(
            progress, datagram_payload, datagram_window,
            [&](std::uint32_t index, std::span<const std::byte> bytes, std::error_code& ec) {
              return index % 2 == 0 ? source.send(bytes, ec) : send_to(source, bytes, ec);
            });
      },
      query);
}

TEST(ConcurrentUse, TcpStreamReadWhileWrittenAndQueried) {
  const test::DescriptorLeakCheck leaks;
  OPEN_PAIR(pair, test::any_local_address());
  ASSERT_TRUE(test::set_small_buffers(pair.client.native_handle(), stream_buffer));
  ASSERT_TRUE(test::set_small_buffers(pair.server.native_handle(), stream_buffer));
  std::error_code ec;
  pair.client.set_nodelay(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  const net::SocketAddr local = pair.client.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  const std::uint32_t ttl = pair.client.ttl(ec);
  ASSERT_FALSE(ec) << ec.message();
  const net::TcpStream& stream = pair.client;
  exercise_stream(pair.client, pair.server, [&stream, &pair, local, ttl] {
    return first_error({
        socket_queries(stream, local, pair.listener_address),
        unchanged(
            "nodelay", [&stream](std::error_code& e) { return stream.nodelay(e); }, true),
        unchanged(
            "ttl", [&stream](std::error_code& e) { return stream.ttl(e); }, ttl),
    });
  });
}

TEST(ConcurrentUse, UnixStreamReadWhileWrittenAndQueried) {
  const test::DescriptorLeakCheck leaks;
  auto [first, second] = test::open_pair<net::UnixStream>();
  ASSERT_NE(first.native_handle(), -1);
  ASSERT_TRUE(test::set_small_buffers(first.native_handle(), stream_buffer));
  ASSERT_TRUE(test::set_small_buffers(second.native_handle(), stream_buffer));
  const net::UnixStream& stream = first;
  exercise_stream(first, second, [&stream] {
    return socket_queries(stream, net::UnixSocketAddr(), net::UnixSocketAddr());
  });
}

TEST(ConcurrentUse, UdpSocketReceivesWhileItSendsAndIsQueried) {
  const test::DescriptorLeakCheck leaks;
  std::error_code ec;
  net::UdpSocket source = net::UdpSocket::bind(test::any_local_address(), ec);
  ASSERT_FALSE(ec) << ec.message();
  net::UdpSocket peer = net::UdpSocket::bind(test::any_local_address(), ec);
  ASSERT_FALSE(ec) << ec.message();
  const net::SocketAddr local = source.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  const net::SocketAddr peer_address = peer.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_STEP(source.connect(peer_address, step_ec));
  ASSERT_STEP(peer.connect(local, step_ec));
  const std::uint32_t ttl = source.ttl(ec);
  ASSERT_FALSE(ec) << ec.message();
  const net::UdpSocket& socket = source;
  exercise_datagrams(
      source, peer, peer_address,
      [&peer_address](net::UdpSocket& from, std::span<const std::byte> bytes, std::error_code& e) {
        return from.send_to(bytes, peer_address, e);
      },
      [&socket, local, peer_address, ttl] {
        return first_error({
            socket_queries(socket, local, peer_address),
            unchanged(
                "ttl", [&socket](std::error_code& e) { return socket.ttl(e); }, ttl),
            unchanged(
                "broadcast", [&socket](std::error_code& e) { return socket.broadcast(e); }, false),
        });
      });
}

TEST(ConcurrentUse, UnixDatagramReceivesWhileItSendsAndIsQueried) {
  const test::DescriptorLeakCheck leaks;
  const std::string source_path = test::unique_abstract_path("source");
  const std::string peer_path = test::unique_abstract_path("peer");
  std::error_code ec;
  net::UnixDatagram source = net::UnixDatagram::bind(source_path, ec);
  ASSERT_FALSE(ec) << ec.message();
  net::UnixDatagram peer = net::UnixDatagram::bind(peer_path, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(
      test::set_option(source.native_handle(), SOL_SOCKET, SO_SNDBUF, datagram_send_buffer));
  ASSERT_STEP(source.connect(peer_path, step_ec));
  ASSERT_STEP(peer.connect(source_path, step_ec));
  const net::UnixSocketAddr local = source.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  const net::UnixSocketAddr peer_address = peer.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  const net::UnixDatagram& socket = source;
  exercise_datagrams(
      source, peer, peer_address,
      [&peer_path](net::UnixDatagram& from, std::span<const std::byte> bytes, std::error_code& e) {
        return from.send_to(bytes, peer_path, e);
      },
      [&socket, local, peer_address] { return socket_queries(socket, local, peer_address); });
}

// A pipe's ends are one-way: the loop thread reads the receiver while the sending thread writes
// the sender. The sender is registered with the loop's Poll too (its events are ignored), so that
// where a would-block re-arms the registration (poll(2)) the writer does that alongside the poll.
TEST(ConcurrentUse, PipeReadWhileItsOtherEndIsWritten) {
  const test::DescriptorLeakCheck leaks;
  OPEN_PIPE(sender, receiver);
  OPEN_POLL(poll);
  REGISTER(poll, receiver, source_token, Interest::readable);
  REGISTER(poll, sender, peer_token, Interest::writable);
  Progress progress;
  InOrder checker(stream_payload);
  unsigned turn = 0;
  auto& reader = receiver;
  auto& writer = sender;
  run_threads(
      progress,
      [&] {
        return run_loop(poll, progress, checker, [&](const Event& event) {
          return event.token() == source_token ? read_stream(reader, checker, turn) : std::string();
        });
      },
      [&] { return send_messages(progress, stream_payload, 0, write_in_turn(writer)); }, {});
}

}  // namespace
