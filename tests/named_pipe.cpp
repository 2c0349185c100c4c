// windows::NamedPipe: registration, connecting, reading and writing through the internal buffers,
// disconnected peers, and messages larger than those buffers (mio's named-pipe tests, and more).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/setup.hpp"
#include "support/socket_api.hpp"
#include <miocpp/miocpp.hpp>
#include <miocpp/sys/windows/windows.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events, miocpp::Interest, miocpp::Poll, miocpp::Token;
using miocpp::windows::NamedPipe;

static_assert(miocpp::event::Source<NamedPipe>);
static_assert(std::is_nothrow_move_constructible_v<NamedPipe>);
static_assert(!std::is_copy_constructible_v<NamedPipe>);
static_assert(std::is_same_v<NamedPipe::native_handle_type, HANDLE>);

const Interest both = Interest::readable | Interest::writable;

/// A pipe name no other test (or run) uses.
std::string unique_name() {
  static std::atomic<unsigned> counter{0};
  return "\\\\.\\pipe\\miocpp-test-" + std::to_string(::GetCurrentProcessId()) + "-" +
         std::to_string(counter.fetch_add(1)) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

struct Server {
  NamedPipe pipe;
  std::string name;
};

Server server() {
  std::string name = unique_name();
  std::error_code ec;
  NamedPipe pipe = NamedPipe::create(name, ec);
  EXPECT_FALSE(ec) << "create " << name << ": " << ec.message();
  return {std::move(pipe), std::move(name)};
}

/// A client end opened as the Windows documentation says: CreateFile with FILE_FLAG_OVERLAPPED,
/// then adopted.
NamedPipe client(const std::string& name) {
  const HANDLE handle = ::CreateFileA(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                                      OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
  EXPECT_NE(handle, INVALID_HANDLE_VALUE) << "CreateFile " << name << ": " << ::GetLastError();
  return NamedPipe::from_native(handle);
}

struct PipePair {
  NamedPipe server;
  NamedPipe client;
};

PipePair pipe_pair() {
  Server s = server();
  NamedPipe c = client(s.name);
  return {std::move(s.pipe), std::move(c)};
}

std::vector<std::byte> bytes(std::size_t count, std::uint8_t value) {
  return std::vector<std::byte>(count, std::byte{value});
}

bool readable(const miocpp::Event& event) {
  return event.is_readable();
}
bool writable(const miocpp::Event& event) {
  return event.is_writable();
}

TEST(NamedPipe, WritableAfterRegister) {
  auto [server_end, client_end] = pipe_pair();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);
  poll.registry().register_source(client_end, Token{1}, Interest::writable);
  Events events(128);
  test::expect_events(poll, events,
                      {{Token{0}, test::Ready::writable}, {Token{1}, test::Ready::writable}});
}

TEST(NamedPipe, WriteThenRead) {
  auto [server_end, client_end] = pipe_pair();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);
  poll.registry().register_source(client_end, Token{1}, both);
  Events events(128);
  ASSERT_TRUE(test::wait_for_event(poll, events, Token{1}, writable, 5s));

  EXPECT_EQ(client_end.write(test::bytes_of("1234")), 4U);
  ASSERT_TRUE(test::wait_for_event(poll, events, Token{0}, readable, 5s));

  std::byte buffer[10]{};
  ASSERT_EQ(server_end.read(buffer), 4U);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buffer), 4), "1234");
}

// A short read (fewer bytes than asked) hands out all the pipe had: the next data is a new
// readable event without a read that would block in between.
TEST(NamedPipe, AShortReadDrainsAndTheNextDataIsANewEvent) {
  auto [server_end, client_end] = pipe_pair();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, Interest::readable);
  poll.registry().register_source(client_end, Token{1}, Interest::writable);
  Events events(128);
  ASSERT_TRUE(test::wait_for_event(poll, events, Token{1}, writable, 5s));
  for (const std::string_view message : {"first", "second", "third"}) {
    std::error_code ec;
    // The previous write may still be finishing: its completion is a writable event.
    while (client_end.write(test::bytes_of(message), ec) == 0 &&
           ec == std::errc::operation_would_block) {
      ASSERT_TRUE(test::wait_for_event(poll, events, Token{1}, writable, 5s)) << message;
    }
    ASSERT_FALSE(ec) << message << ": " << ec.message();
    ASSERT_TRUE(test::wait_for_event(poll, events, Token{0}, readable, 5s)) << message;
    std::byte buffer[64]{};
    ASSERT_EQ(server_end.read(buffer), message.size());  // short: drained
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(buffer), message.size()), message);
  }
}

// A write takes all it is given (into the pipe's own buffer) or would-block: never short, so
// the write half of the short I/O guarantee holds by itself.
TEST(NamedPipe, AWriteIsNeverShort) {
  auto [server_end, client_end] = pipe_pair();
  OPEN_POLL(poll);
  poll.registry().register_source(client_end, Token{1}, Interest::writable);
  Events events(128);
  ASSERT_TRUE(test::wait_for_event(poll, events, Token{1}, writable, 5s));
  const std::vector<std::byte> big = bytes(256 * 1024, 'b');
  std::error_code ec;
  EXPECT_EQ(client_end.write(big, ec), big.size()) << ec.message();
  EXPECT_EQ(client_end.write(big, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

TEST(NamedPipe, ReadBeforeDataWouldBlock) {
  auto [server_end, client_end] = pipe_pair();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);
  std::byte buffer[10]{};
  std::error_code ec;
  EXPECT_EQ(server_end.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

TEST(NamedPipe, IoBeforeRegisterWouldBlock) {
  auto [server_end, client_end] = pipe_pair();
  std::byte buffer[4]{};
  std::error_code ec;
  EXPECT_EQ(client_end.write(test::bytes_of("x"), ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block);
  EXPECT_EQ(server_end.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block);
  server_end.connect(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block);
}

TEST(NamedPipe, ConnectBeforeClient) {
  auto [server_end, name] = server();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);

  Events events(128);
  poll.poll(events, 0ms);
  EXPECT_TRUE(events.empty()) << test::describe(events);
  std::error_code ec;
  server_end.connect(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();

  NamedPipe client_end = client(name);
  poll.registry().register_source(client_end, Token{1}, both);
  ASSERT_TRUE(test::wait_for_event(poll, events, Token{0}, writable, 5s));
  EXPECT_FALSE(server_end.take_error());
}

TEST(NamedPipe, ConnectAfterClient) {
  auto [server_end, name] = server();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);

  Events events(128);
  poll.poll(events, 0ms);
  EXPECT_TRUE(events.empty()) << test::describe(events);

  NamedPipe client_end = client(name);
  poll.registry().register_source(client_end, Token{1}, both);
  std::error_code ec;
  server_end.connect(ec);
  EXPECT_FALSE(ec) << ec.message();
  ASSERT_TRUE(test::wait_for_event(poll, events, Token{0}, writable, 5s));
}

TEST(NamedPipe, WriteDisconnected) {
  OPEN_POLL(poll);
  auto [server_end, client_end] = pipe_pair();
  poll.registry().register_source(server_end, Token{0}, both);
  poll.registry().register_source(client_end, Token{1}, both);
  client_end = NamedPipe();

  Events events(128);
  poll.poll(events, 5s);
  EXPECT_FALSE(events.empty());

  // Each write either is taken (the buffer's write fails later) or reports the broken pipe; it
  // must come to the error within a few rounds rather than hang.
  for (int round = 0;; ++round) {
    ASSERT_LT(round, 16) << "too many rounds";
    std::error_code ec;
    server_end.write(std::as_bytes(std::span("x", 1)), ec);
    if (ec == std::errc::operation_would_block || !ec) {
      poll.poll(events, 5s);
      EXPECT_FALSE(events.empty());
      continue;
    }
    EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
    EXPECT_EQ(ec.value(), ERROR_NO_DATA) << ec.message();
    break;
  }
}

TEST(NamedPipe, WriteThenDrop) {
  auto [server_end, client_end] = pipe_pair();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);
  poll.registry().register_source(client_end, Token{1}, both);
  EXPECT_EQ(client_end.write(test::bytes_of("1234")), 4U);
  client_end = NamedPipe();

  Events events(128);
  ASSERT_TRUE(test::wait_for_event(poll, events, Token{0}, readable, 5s));
  std::byte buffer[10]{};
  ASSERT_EQ(server_end.read(buffer), 4U);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buffer), 4), "1234");
}

TEST(NamedPipe, ReadAfterPeerClosedIsEndOfStream) {
  auto [server_end, client_end] = pipe_pair();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);
  client_end = NamedPipe();
  Events events(128);
  ASSERT_TRUE(test::wait_for_event(poll, events, Token{0}, readable, 5s));
  std::byte buffer[10]{};
  std::error_code ec;
  EXPECT_EQ(server_end.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(NamedPipe, ConnectTwice) {
  auto [server_end, name] = server();
  NamedPipe first = client(name);
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);
  poll.registry().register_source(first, Token{1}, both);
  first = NamedPipe();

  Events events(128);
  bool end_of_stream = false;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!end_of_stream && std::chrono::steady_clock::now() < deadline) {
    poll.poll(events, 100ms);
    for (const miocpp::Event& event : events) {
      if (event.token() == Token{0} && event.is_readable()) {
        std::byte buffer[10]{};
        std::error_code ec;
        const std::size_t count = server_end.read(buffer, ec);
        if (ec == std::errc::operation_would_block) {
          continue;
        }
        ASSERT_FALSE(ec) << ec.message();
        ASSERT_EQ(count, 0U);
        end_of_stream = true;
      }
    }
  }
  ASSERT_TRUE(end_of_stream);

  server_end.disconnect();
  std::error_code ec;
  server_end.connect(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();

  NamedPipe second = client(name);
  poll.registry().register_source(second, Token{2}, both);
  ASSERT_TRUE(test::wait_for_event(poll, events, Token{0}, writable, 5s));
}

TEST(NamedPipe, ReregisterDeregisterBeforeRegister) {
  auto [pipe, name] = server();
  OPEN_POLL(poll);
  std::error_code ec;
  poll.registry().reregister(pipe, Token{0}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
  poll.registry().deregister(pipe, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
}

TEST(NamedPipe, ReregisterDeregisterDifferentPoll) {
  auto [pipe, name] = server();
  OPEN_POLL(first);
  OPEN_POLL(second);
  first.registry().register_source(pipe, Token{0}, Interest::readable);
  std::error_code ec;
  second.registry().reregister(pipe, Token{0}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists);
  second.registry().deregister(pipe, ec);
  EXPECT_EQ(ec, std::errc::file_exists);
  second.registry().register_source(pipe, Token{0}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists);
}

TEST(NamedPipe, RegisterTwiceFails) {
  auto [pipe, name] = server();
  OPEN_POLL(poll);
  poll.registry().register_source(pipe, Token{0}, Interest::readable);
  std::error_code ec;
  poll.registry().register_source(pipe, Token{1}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists);
}

TEST(NamedPipe, DeregisteredPipeReportsNothing) {
  auto [server_end, client_end] = pipe_pair();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);
  poll.registry().register_source(client_end, Token{1}, both);
  Events events(128);
  ASSERT_TRUE(test::wait_for_event(poll, events, Token{0}, writable, 5s));
  poll.registry().deregister(server_end);
  EXPECT_EQ(client_end.write(test::bytes_of("1234")), 4U);
  const auto deadline = std::chrono::steady_clock::now() + 300ms;
  while (std::chrono::steady_clock::now() < deadline) {
    poll.poll(events, 50ms);
    for (const miocpp::Event& event : events) {
      EXPECT_NE(event.token(), Token{0}) << event;
    }
  }
}

/// Reads until `expected` bytes came (polling on would-block) or the stream ended.
std::vector<std::byte> read_all(Poll& poll, Events& events, NamedPipe& pipe,
                                std::size_t buffer_size, std::size_t expected) {
  std::vector<std::byte> buffer(buffer_size);
  std::vector<std::byte> received;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (received.size() < expected && std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    const std::size_t count = pipe.read(buffer, ec);
    if (ec == std::errc::operation_would_block) {
      poll.poll(events, 100ms);
      continue;
    }
    if (ec) {
      ADD_FAILURE() << "read: " << ec.message();
      break;
    }
    if (count == 0) {
      break;
    }
    received.insert(received.end(), buffer.begin(), buffer.begin() + static_cast<long>(count));
  }
  return received;
}

TEST(NamedPipe, ReadMessageLargerThanInternalBuffer) {
  auto [server_end, client_end] = pipe_pair();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);
  poll.registry().register_source(client_end, Token{1}, both);
  Events events(128);
  poll.poll(events, 5s);

  const std::vector<std::byte> expected = bytes(8192, 0x5);
  EXPECT_EQ(client_end.write(expected), 8192U);
  test::expect_events(poll, events, {{Token{0}, test::Ready::readable}});
  EXPECT_EQ(read_all(poll, events, server_end, 4000, expected.size()), expected);
}

TEST(NamedPipe, ReadWithSmallBufferProvided) {
  auto [server_end, client_end] = pipe_pair();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);
  poll.registry().register_source(client_end, Token{1}, both);
  Events events(128);
  poll.poll(events, 5s);

  const std::vector<std::byte> expected = bytes(10000, 1);
  EXPECT_EQ(client_end.write(expected), 10000U);
  test::expect_events(poll, events, {{Token{0}, test::Ready::readable}});
  EXPECT_EQ(read_all(poll, events, server_end, 128, expected.size()), expected);
}

TEST(NamedPipe, WriteLargerThanPipeBufferCompletesInPieces) {
  auto [server_end, client_end] = pipe_pair();
  OPEN_POLL(poll);
  poll.registry().register_source(server_end, Token{0}, both);
  poll.registry().register_source(client_end, Token{1}, both);
  Events events(128);
  ASSERT_TRUE(test::wait_for_event(poll, events, Token{1}, writable, 5s));

  // Four times the 64 KiB pipe buffer: the write finishes only as the server reads.
  std::vector<std::byte> expected(256 * 1024);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    expected[i] = static_cast<std::byte>(i * 7);
  }
  EXPECT_EQ(client_end.write(expected), expected.size());
  std::error_code ec;
  client_end.write(test::bytes_of("more"), ec);
  EXPECT_EQ(ec, std::errc::operation_would_block) << "a second write waits for the first";
  EXPECT_EQ(read_all(poll, events, server_end, 4096, expected.size()), expected);
  // Its writable event may have been consumed by the reading loop: retry until taken.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  std::size_t written = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    written = client_end.write(test::bytes_of("more"), ec);
    if (ec != std::errc::operation_would_block) {
      break;
    }
    poll.poll(events, 100ms);
  }
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(written, 4U);
}

TEST(NamedPipe, CreateTwiceWithOneNameFails) {
  auto [first, name] = server();
  std::error_code ec;
  NamedPipe second = NamedPipe::create(name, ec);
  if (!ec && test::running_under_wine()) {
    GTEST_SKIP() << "wine 8 ignores FILE_FLAG_FIRST_PIPE_INSTANCE";
  }
  EXPECT_TRUE(ec);
  EXPECT_EQ(ec, std::errc::permission_denied) << ec.message();
  EXPECT_EQ(second.native_handle(), INVALID_HANDLE_VALUE);
}

TEST(NamedPipe, ReleaseGivesTheHandleUp) {
  auto [pipe, name] = server();
  const HANDLE handle = pipe.native_handle();
  ASSERT_NE(handle, INVALID_HANDLE_VALUE);
  EXPECT_EQ(pipe.release(), handle);
  EXPECT_EQ(pipe.native_handle(), INVALID_HANDLE_VALUE);
  DWORD flags = 0;
  EXPECT_NE(::GetHandleInformation(handle, &flags), 0) << "the handle is still open";
  EXPECT_NE(::CloseHandle(handle), 0);
}

TEST(NamedPipe, EmptyPipe) {
  NamedPipe pipe;
  OPEN_POLL(poll);
  std::error_code ec;
  poll.registry().register_source(pipe, Token{0}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  std::byte buffer[4]{};
  EXPECT_EQ(pipe.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
}

TEST(NamedPipe, DroppedWhilePollIsGone) {
  // A pipe with a read in flight outlives its Poll: dropping it later must neither crash nor
  // hang (the selector's teardown collects the cancelled read).
  auto [server_end, client_end] = pipe_pair();
  {
    OPEN_POLL(poll);
    poll.registry().register_source(server_end, Token{0}, both);
    poll.registry().register_source(client_end, Token{1}, both);
    Events events(16);
    poll.poll(events, 100ms);
  }
  server_end = NamedPipe();
  client_end = NamedPipe();
}

}  // namespace
