// The WASI preview1 selector against a real runtime's poll_oneoff (Node's): clocks, and a host
// pipe that the runner (cmake/wasi/run.mjs, MIOCPP_WASI_PIPE=1) hands the module as its stdin
// (the read end) and its stderr (the write end), since preview1 cannot make a pipe itself.
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

#include <gtest/gtest.h>

#include <miocpp/miocpp.hpp>
#include <miocpp/posix/pipe.hpp>
#include <miocpp/posix/source_fd.hpp>

static_assert(MIOCPP_SELECTOR_WASI, "this suite is built for the WASI backend only");

// ---- Counting allocations (the module has one thread)
// ---------------------------------------------

namespace {
std::size_t allocation_count = 0;
bool counting = false;
}  // namespace

void* operator new(std::size_t size) {
  if (counting) {
    ++allocation_count;
  }
  void* memory = std::malloc(size == 0 ? 1 : size);
  if (memory == nullptr) {
    std::abort();  // no exceptions to throw std::bad_alloc with
  }
  return memory;
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete[](void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t /*size*/) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t /*size*/) noexcept {
  std::free(memory);
}

namespace {

using namespace std::chrono_literals;
using miocpp::Events;
using miocpp::Interest;
using miocpp::Poll;
using miocpp::Token;
using miocpp::posix::SourceFd;

constexpr int read_end = 0;   // the module's stdin
constexpr int write_end = 2;  // the module's stderr

#define OPEN_POLL(name)      \
  std::error_code name##_ec; \
  Poll name(name##_ec);      \
  ASSERT_FALSE(name##_ec) << name##_ec.message()

#define REQUIRE_PIPE()                                                        \
  if (std::getenv("MIOCPP_WASI_PIPE") == nullptr) {                           \
    GTEST_SKIP() << "run through cmake/wasi/run.mjs with MIOCPP_WASI_PIPE=1"; \
  }

std::span<const std::byte> bytes_of(std::string_view text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

void put(std::string_view text) {
  std::error_code ec;
  EXPECT_EQ(miocpp::sys::Pipes::write(write_end, bytes_of(text), ec), text.size());
  EXPECT_FALSE(ec) << ec.message();
}

/// Everything the pipe holds now, up to would-block or end of file.
std::string drain(bool& end_of_file) {
  std::string text;
  end_of_file = false;
  for (;;) {
    std::byte buffer[64]{};
    std::error_code ec;
    const std::size_t count = miocpp::sys::Pipes::read(read_end, buffer, ec);
    if (ec) {
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
      return text;
    }
    if (count == 0) {
      end_of_file = true;
      return text;
    }
    text.append(reinterpret_cast<const char*>(buffer), count);
  }
}

/// One poll, timed with the steady clock.
std::chrono::nanoseconds timed_poll(Poll& poll, Events& events,
                                    std::optional<std::chrono::nanoseconds> timeout,
                                    std::error_code& ec) {
  const auto start = std::chrono::steady_clock::now();
  poll.poll(events, timeout, ec);
  return std::chrono::steady_clock::now() - start;
}

// ---- Clocks
// ---------------------------------------------------------------------------------------

TEST(WasiSelector, TimeoutsNeverExpireEarly) {
  OPEN_POLL(poll);
  Events events(4);
  // Node's uvwasi truncates a clock subscription to whole milliseconds and measures it against a
  // loop time that is itself truncated: both would fire early without the selector's care.
  for (const auto timeout : {1ms, 2ms, 7ms, 20ms}) {
    for (const std::chrono::nanoseconds extra : {0ns, 1ns, 300'000ns, 999'000ns}) {
      const std::chrono::nanoseconds wanted = timeout + extra;
      std::error_code ec;
      const std::chrono::nanoseconds waited = timed_poll(poll, events, wanted, ec);
      ASSERT_FALSE(ec) << ec.message();
      EXPECT_TRUE(events.empty());
      EXPECT_GE(waited, wanted);
      EXPECT_LT(waited, wanted + 500ms);
    }
  }
}

TEST(WasiSelector, ZeroAndNegativeTimeoutsReturnAtOnce) {
  OPEN_POLL(poll);
  Events events(4);
  for (const std::chrono::nanoseconds timeout : {0ns, -5'000'000ns}) {
    std::error_code ec;
    const std::chrono::nanoseconds waited = timed_poll(poll, events, timeout, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(events.empty());
    EXPECT_LT(waited, 100ms);
  }
}

TEST(WasiSelector, WaitingForNothingForeverReportsDeadlockInsteadOfHanging) {
  OPEN_POLL(poll);
  Events events(4);
  std::error_code ec;
  poll.poll(events, std::nullopt, ec);
  EXPECT_EQ(ec, std::errc::resource_deadlock_would_occur);
  EXPECT_TRUE(events.empty());
}

TEST(WasiSelector, WakerIsNotSupported) {
  OPEN_POLL(poll);
  std::error_code ec;
  const miocpp::Waker waker(poll.registry(), Token(1), ec);
  EXPECT_EQ(ec, std::errc::not_supported);
  // Its slot is free again: the next attempt fails the same way, not with file_exists.
  const miocpp::Waker again(poll.registry(), Token(2), ec);
  EXPECT_EQ(ec, std::errc::not_supported);
}

// ---- Registration -------------------------------------------------------------------------------

TEST(WasiSelector, RegistrationErrors) {
  REQUIRE_PIPE();
  OPEN_POLL(poll);
  const miocpp::Registry& registry = poll.registry();
  SourceFd source(read_end);
  std::error_code ec;

  for (const Interest interest : {Interest::priority, Interest::aio, Interest::lio,
                                  Interest::readable | Interest::priority}) {
    registry.register_source(source, Token(1), interest, ec);
    EXPECT_EQ(ec, std::errc::not_supported);
  }
  SourceFd closed(4000);
  registry.register_source(closed, Token(1), Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);

  registry.reregister(source, Token(1), Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
  registry.deregister(source, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory);

  registry.register_source(source, Token(1), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  registry.register_source(source, Token(2), Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists);
  registry.deregister(source, ec);
  EXPECT_FALSE(ec) << ec.message();
  registry.deregister(source, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
}

// ---- A pipe -------------------------------------------------------------------------------------

TEST(WasiSelector, PipeBecomesReadableWithTheRegisteredToken) {
  REQUIRE_PIPE();
  OPEN_POLL(poll);
  Events events(4);
  SourceFd source(read_end);
  std::error_code ec;
  poll.registry().register_source(source, Token(SIZE_MAX), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  const std::chrono::nanoseconds waited = timed_poll(poll, events, 30ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(events.empty());
  EXPECT_GE(waited, 30ms);

  put("hello");
  poll.poll(events, 5s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);
  const miocpp::Event& event = *events.begin();
  EXPECT_EQ(event.token(), Token(SIZE_MAX));
  EXPECT_TRUE(event.is_readable());
  EXPECT_FALSE(event.is_writable());
  EXPECT_FALSE(event.is_error());
  EXPECT_FALSE(event.is_read_closed());

  std::ostringstream text;
  text << event;
  EXPECT_NE(text.str().find("readable"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("FD_READ"), std::string::npos) << text.str();

  bool end_of_file = false;
  EXPECT_EQ(drain(end_of_file), "hello");
  EXPECT_FALSE(end_of_file);
}

TEST(WasiSelector, RawDescriptorReportsOnceUntilReregistered) {
  REQUIRE_PIPE();
  OPEN_POLL(poll);
  Events events(4);
  SourceFd source(read_end);
  std::error_code ec;
  poll.registry().register_source(source, Token(7), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  put("x");
  poll.poll(events, 5s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);

  // Still readable (nothing was read), but the edge has been delivered.
  poll.poll(events, 30ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(events.empty());

  poll.registry().reregister(source, Token(8), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.poll(events, 5s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events.begin()->token(), Token(8));

  bool end_of_file = false;
  EXPECT_EQ(drain(end_of_file), "x");
}

TEST(WasiSelector, OwnedPipeEndRearmsWhenAReadWouldBlock) {
  REQUIRE_PIPE();
  OPEN_POLL(poll);
  Events events(4);
  auto receiver = miocpp::posix::pipe::Receiver::from_native(read_end);
  std::error_code ec;
  poll.registry().register_source(receiver, Token(3), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  for (const std::string_view message : {"one", "two", "three"}) {
    put(message);
    poll.poll(events, 5s, ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(events.size(), 1U) << message;
    EXPECT_TRUE(events.begin()->is_readable());

    std::byte buffer[64]{};
    EXPECT_EQ(receiver.read(buffer, ec), message.size());
    ASSERT_FALSE(ec) << ec.message();
    // Not drained yet: no new edge.
    poll.poll(events, 10ms, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(events.empty());
    // Drained: the would-block re-arms it, and nothing is pending, so nothing is reported.
    (void)receiver.read(buffer, ec);
    EXPECT_EQ(ec, std::errc::operation_would_block);
    poll.poll(events, 10ms, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(events.empty());
  }
  (void)receiver.release();  // fd 0 stays for the runtime
}

TEST(WasiSelector, ClonedRegistryAndDeregisterShareTheRegistrations) {
  REQUIRE_PIPE();
  OPEN_POLL(poll);
  Events events(4);
  std::error_code ec;
  const miocpp::Registry clone = poll.registry().try_clone(ec);
  ASSERT_FALSE(ec) << ec.message();
  SourceFd source(read_end);
  clone.register_source(source, Token(11), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  put("y");
  poll.poll(events, 5s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events.begin()->token(), Token(11));

  poll.registry().deregister(source, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.poll(events, 20ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(events.empty());
  bool end_of_file = false;
  EXPECT_EQ(drain(end_of_file), "y");
}

TEST(WasiSelector, PollingAndPipeIoAllocateNothing) {
  REQUIRE_PIPE();
  OPEN_POLL(poll);
  Events events(4);
  auto receiver = miocpp::posix::pipe::Receiver::from_native(read_end);
  std::error_code ec;
  poll.registry().register_source(receiver, Token(3), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  allocation_count = 0;
  counting = true;
  (void)std::make_unique<int>(1);  // the counter itself works
  counting = false;
  ASSERT_EQ(allocation_count, 1U);

  allocation_count = 0;
  counting = true;
  for (int round = 0; round < 3; ++round) {
    put("data");
    poll.poll(events, 5s, ec);
    ASSERT_FALSE(ec) << ec.message();
    std::byte buffer[64]{};
    while (!ec) {
      (void)receiver.read(buffer, ec);
    }
    poll.poll(events, 2ms, ec);  // a timed wait, re-waited after an early wake-up
    poll.poll(events, 0ns, ec);
  }
  counting = false;
  EXPECT_EQ(allocation_count, 0U);
  (void)receiver.release();
}

// ---- What preview1 cannot do --------------------------------------------------------------------

TEST(WasiSelector, PipeCreationIsNotSupported) {
  std::error_code ec;
  auto [sender, receiver] = miocpp::posix::pipe::create(ec);
  EXPECT_EQ(ec, std::errc::not_supported);
  EXPECT_LT(sender.native_handle(), 0);
  EXPECT_LT(receiver.native_handle(), 0);
}

// Last in this file: it closes fd 2 for good (CTest runs each test in its own module anyway).
TEST(WasiSelector, ClosingTheWriteEndHangsUp) {
  REQUIRE_PIPE();
  OPEN_POLL(poll);
  Events events(4);
  SourceFd source(read_end);
  std::error_code ec;
  poll.registry().register_source(source, Token(5), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  put("last words");
  auto sender = miocpp::posix::pipe::Sender::from_native(write_end);
  sender = {};  // closes fd 2: the pipe has no writer left

  // The data and the end of file may come with one event or two.
  bool end_of_file = false;
  std::string received;
  for (int round = 0; round < 4 && !end_of_file; ++round) {
    poll.poll(events, 5s, ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events.begin()->token(), Token(5));
    EXPECT_TRUE(events.begin()->is_readable());
    received += drain(end_of_file);
    poll.registry().reregister(source, Token(5), Interest::readable, ec);
    ASSERT_FALSE(ec) << ec.message();
  }
  EXPECT_TRUE(end_of_file);
  EXPECT_EQ(received, "last words");

  // Drained to end of file, the hang-up is what is left to report: read_closed, not write_closed.
  poll.poll(events, 5s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);
  const miocpp::Event& event = *events.begin();
  EXPECT_TRUE(event.is_readable());
  EXPECT_TRUE(event.is_read_closed());
  EXPECT_FALSE(event.is_write_closed());
  EXPECT_FALSE(event.is_error());
  std::ostringstream text;
  text << event;
  EXPECT_NE(text.str().find("read_closed"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("FD_READWRITE_HANGUP"), std::string::npos) << text.str();
}

}  // namespace
