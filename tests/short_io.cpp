// The short I/O guarantee on TCP, on every backend (tests/support/short_io.hpp), and under load: a
// server that never reads or writes until would-block, with many connections, never stalls.
#include "support/short_io.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/net.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Interest, miocpp::Token;
using miocpp::net::TcpStream;

struct Tcp {
  static test::Channel<TcpStream, TcpStream> open() {
    test::StreamPair pair = test::connected_pair(test::any_local_address());
    return {std::move(pair.client), std::move(pair.server)};
  }
  static void close_writer(test::Channel<TcpStream, TcpStream>& channel) {
    std::error_code ec;
    channel.writer.shutdown(miocpp::net::Shutdown::write, ec);
    EXPECT_FALSE(ec) << ec.message();
  }
};
INSTANTIATE_TYPED_TEST_SUITE_P(Tcp, ShortIo, Tcp);

/// The byte at `offset` of the stream of connection `index`: every byte checks its place.
std::byte pattern(std::size_t index, std::size_t offset) {
  return static_cast<std::byte>((index * 131 + offset * 7 + offset / 251) & 0xffU);
}

/// One end of a connection as a loop that stops at short reads and writes sees it: bytes queued
/// to write, and how far the reading has come.
struct End {
  TcpStream stream;
  std::vector<std::byte> pending;  // written to the end but not yet taken by the kernel
  std::size_t read = 0;            // bytes read so far
};

/// Reads what one event brought: stops at a short read (drained) or would-block, never needing
/// the latter. Appends what it read to `out` (when given).
bool read_event(End& end, std::vector<std::byte>* out, std::size_t& reads, std::error_code& ec) {
  std::array<std::byte, std::size_t{16} * 1024> buffer{};
  for (;;) {
    const std::size_t got = end.stream.read(buffer, ec);
    ++reads;
    if (ec) {
      return ec == std::errc::operation_would_block;
    }
    if (got == 0) {
      return false;  // end of stream: not expected here
    }
    end.read += got;
    if (out != nullptr) {
      out->insert(out->end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(got));
    }
    if (got < buffer.size()) {
      return true;  // short: drained
    }
  }
}

/// Writes what is pending until it is all taken or a write stops short (full) or would block.
bool write_pending(End& end, std::error_code& ec) {
  while (!end.pending.empty()) {
    const std::size_t took = end.stream.write(end.pending, ec);
    if (ec) {
      return ec == std::errc::operation_would_block;
    }
    end.pending.erase(end.pending.begin(), end.pending.begin() + static_cast<std::ptrdiff_t>(took));
    if (!end.pending.empty()) {
      return true;  // short: full
    }
  }
  return true;
}

// Many connections, each sending messages of varied sizes to an echo server, everything on one
// Poll, every read and write stopping short of would-block. Not one message may stall.
TEST(ShortIoLoad, EchoServerThatNeverWaitsForWouldBlockNeverStalls) {
  constexpr std::size_t connections = 32;
  constexpr std::size_t messages = 120;  // per connection
  OPEN_POLL(poll, events(256));
  std::vector<End> clients(connections);
  std::vector<End> servers(connections);
  std::vector<std::size_t> sent_messages(connections, 0);
  std::vector<std::size_t> sent_bytes(connections, 0);
  std::vector<std::size_t> expected_total(connections, 0);
  for (std::size_t i = 0; i < connections; ++i) {
    test::StreamPair pair = test::connected_pair(test::any_local_address());
    clients[i].stream = std::move(pair.client);
    servers[i].stream = std::move(pair.server);
    REGISTER(poll, clients[i].stream, Token(2 * i), Interest::readable | Interest::writable);
    REGISTER(poll, servers[i].stream, Token(2 * i + 1), Interest::readable | Interest::writable);
  }
  // Each connection sends its next message once the echo of the previous one is back.
  std::uint32_t seed = 12345;
  const auto next_size = [&seed] {
    seed = seed * 1103515245U + 12345U;
    return static_cast<std::size_t>(1 + (seed >> 8U) % 40000);
  };
  const auto send_next = [&](std::size_t i) {
    const std::size_t size = next_size();
    for (std::size_t k = 0; k < size; ++k) {
      clients[i].pending.push_back(pattern(i, sent_bytes[i] + k));
    }
    sent_bytes[i] += size;
    ++sent_messages[i];
  };
  for (std::size_t i = 0; i < connections; ++i) {
    send_next(i);
  }

  std::size_t finished = 0;
  std::size_t reads = 0;
  std::vector<std::byte> received;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (finished < connections) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << finished << " of " << connections << " connections finished: a message stalled";
    std::error_code ec;
    poll.poll(events, 1s, ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_FALSE(events.empty()) << "1 s without an event: " << finished << " of " << connections
                                 << " connections finished";
    for (const miocpp::Event& event : events) {
      const std::size_t i = event.token().value / 2;
      const bool is_server = event.token().value % 2 == 1;
      if (is_server) {
        End& server = servers[i];
        if (event.is_readable()) {
          std::vector<std::byte> echo;
          ASSERT_TRUE(read_event(server, &echo, reads, ec)) << "server read: " << ec.message();
          server.pending.insert(server.pending.end(), echo.begin(), echo.end());
        }
        ASSERT_TRUE(write_pending(server, ec)) << "server write: " << ec.message();
        continue;
      }
      End& client = clients[i];
      if (event.is_readable()) {
        received.clear();
        const std::size_t offset = client.read;
        ASSERT_TRUE(read_event(client, &received, reads, ec)) << "client read: " << ec.message();
        for (std::size_t k = 0; k < received.size(); ++k) {
          ASSERT_EQ(received[k], pattern(i, offset + k))
              << "connection " << i << " byte " << offset + k;
        }
        if (client.read == sent_bytes[i]) {
          if (sent_messages[i] == messages) {
            ++finished;
          } else {
            send_next(i);
          }
        }
      }
      ASSERT_TRUE(write_pending(client, ec)) << "client write: " << ec.message();
    }
  }
  std::size_t total = 0;
  for (std::size_t i = 0; i < connections; ++i) {
    EXPECT_EQ(clients[i].read, sent_bytes[i]);
    total += sent_bytes[i];
  }
  RecordProperty("bytes", static_cast<int>(total));
  RecordProperty("reads", static_cast<int>(reads));
}

}  // namespace
