// posix::pipe: creation flags, readiness events of both ends, vectored I/O, closed-end events,
// blocking mode, ownership (from_native / release) and empty ends.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events;
using miocpp::Interest;
using miocpp::Poll;
using miocpp::Token;
using miocpp::posix::pipe::Receiver;
using miocpp::posix::pipe::Sender;
using test::Ready;

constexpr Token receiver_token{0};
constexpr Token sender_token{1};
constexpr std::string_view hello = "Hello world";

static_assert(miocpp::event::Source<Sender> && miocpp::event::Source<Receiver>);
static_assert(std::is_nothrow_default_constructible_v<Sender> &&
              std::is_nothrow_default_constructible_v<Receiver>);
static_assert(std::is_nothrow_move_constructible_v<Sender> &&
              std::is_nothrow_move_assignable_v<Sender>);
static_assert(std::is_nothrow_move_constructible_v<Receiver> &&
              std::is_nothrow_move_assignable_v<Receiver>);
static_assert(!std::is_copy_constructible_v<Sender> && !std::is_copy_assignable_v<Receiver>);
static_assert(std::is_same_v<Sender::native_handle_type, int> &&
              std::is_same_v<Receiver::native_handle_type, int>);

/// A Poll that must open; the test stops if it does not.
#define OPEN_POLL(name)      \
  std::error_code name##_ec; \
  Poll name(name##_ec);      \
  ASSERT_FALSE(name##_ec) << name##_ec.message()

/// Both ends of a new pipe; the test stops if it cannot be made.
#define OPEN_PIPE(sender, receiver)                                   \
  std::error_code sender##_ec;                                        \
  auto [sender, receiver] = miocpp::posix::pipe::create(sender##_ec); \
  ASSERT_FALSE(sender##_ec) << sender##_ec.message()

std::string as_string(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};  // NOLINT(*-reinterpret-cast)
}

/// Polls once (up to `timeout`) and expects exactly one event, for `token`.
const miocpp::Event* expect_exactly_one_event(Poll& poll, Events& events, Token token,
                                              std::chrono::milliseconds timeout = 1s) {
  std::error_code ec;
  poll.poll(events, timeout, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(events.size(), 1U) << test::describe(events);
  if (events.size() != 1) {
    return nullptr;
  }
  EXPECT_EQ(events.begin()->token(), token) << *events.begin();
  return events.begin();
}

/// Writes until the pipe is full; returns how much went in.
std::size_t fill(Sender& sender) {
  const std::vector<std::byte> chunk(4096, std::byte{0x5a});
  std::size_t total = 0;
  for (;;) {
    std::error_code ec;
    const std::size_t written = sender.write(chunk, ec);
    if (ec) {
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
      return total;
    }
    total += written;
  }
}

/// Reads until would_block (or end of file); returns how much came out.
std::size_t drain(Receiver& receiver) {
  std::vector<std::byte> buffer(4096);
  std::size_t total = 0;
  for (;;) {
    std::error_code ec;
    const std::size_t count = receiver.read(buffer, ec);
    if (ec) {
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
      return total;
    }
    if (count == 0) {
      return total;
    }
    total += count;
  }
}

int status_flags(int fd) {
  return ::fcntl(fd, F_GETFL);
}
int descriptor_flags(int fd) {
  return ::fcntl(fd, F_GETFD);
}
bool is_open(int fd) {
  return ::fcntl(fd, F_GETFD) >= 0;
}

/// Ignores SIGPIPE for its lifetime and then puts the previous disposition back.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() noexcept : previous_(::signal(SIGPIPE, SIG_IGN)) {}  // NOLINT(*-signal-*)
  IgnoreSigpipe(const IgnoreSigpipe&) = delete;
  IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;
  ~IgnoreSigpipe() { ::signal(SIGPIPE, previous_); }  // NOLINT(*-signal-*)

 private:
  ::sighandler_t previous_;
};

TEST(UnixPipe, CreateGivesNonBlockingCloseOnExecEnds) {
  OPEN_PIPE(sender, receiver);
  const int write_fd = sender.native_handle();
  const int read_fd = receiver.native_handle();
  ASSERT_GE(write_fd, 0);
  ASSERT_GE(read_fd, 0);
  EXPECT_NE(write_fd, read_fd);

  for (const int fd : {write_fd, read_fd}) {
    SCOPED_TRACE(fd);
    struct ::stat info {};
    ASSERT_EQ(::fstat(fd, &info), 0);
    EXPECT_TRUE(S_ISFIFO(info.st_mode));
    const int flags = status_flags(fd);
    ASSERT_GE(flags, 0);
    EXPECT_NE(flags & O_NONBLOCK, 0);
    const int fd_flags = descriptor_flags(fd);
    ASSERT_GE(fd_flags, 0);
    EXPECT_NE(fd_flags & FD_CLOEXEC, 0);
  }
  EXPECT_EQ(status_flags(write_fd) & O_ACCMODE, O_WRONLY);
  EXPECT_EQ(status_flags(read_fd) & O_ACCMODE, O_RDONLY);
}

TEST(UnixPipe, ReadOfAnEmptyPipeWouldBlock) {
  OPEN_PIPE(sender, receiver);
  std::array<std::byte, 16> buffer{};
  std::error_code ec;
  EXPECT_EQ(receiver.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

TEST(UnixPipe, SenderRegisteredWritableGetsWritableEvent) {
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(sender, sender_token, Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();

  const miocpp::Event* event = expect_exactly_one_event(poll, events, sender_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_writable()) << *event;
  EXPECT_FALSE(event->is_readable()) << *event;
  EXPECT_FALSE(event->is_write_closed()) << *event;
  EXPECT_FALSE(event->is_error()) << *event;
  // Edge-triggered: nothing new until the pipe fills and drains.
  test::expect_no_events(poll, events);
}

TEST(UnixPipe, WriteMakesReceiverReadable) {
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(sender, sender_token, Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{sender_token, Ready::writable}});
  test::expect_no_events(poll, events);

  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  ASSERT_FALSE(ec) << ec.message();

  const miocpp::Event* event = expect_exactly_one_event(poll, events, receiver_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable()) << *event;
  EXPECT_FALSE(event->is_writable()) << *event;
  EXPECT_FALSE(event->is_read_closed()) << *event;

  std::array<std::byte, 64> buffer{};
  const std::size_t count = receiver.read(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(as_string(std::span(buffer).first(count)), hello);
  EXPECT_EQ(receiver.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  test::expect_no_events(poll, events);

  // Drained to would_block, the receiver reports the next write again.
  EXPECT_EQ(sender.write(test::bytes_of("x"), ec), 1U);
  ASSERT_FALSE(ec) << ec.message();
  event = expect_exactly_one_event(poll, events, receiver_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable()) << *event;
}

TEST(UnixPipe, VectoredWriteAndReadKeepTheOrder) {
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  const std::array<miocpp::IoSlice, 4> out = {
      miocpp::IoSlice(test::bytes_of("one,")), miocpp::IoSlice(test::bytes_of("")),
      miocpp::IoSlice(test::bytes_of("two,")), miocpp::IoSlice(test::bytes_of("three"))};
  EXPECT_EQ(sender.write_vectored(out, ec), 13U);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{receiver_token, Ready::readable}});

  std::array<std::byte, 2> first{};
  std::array<std::byte, 6> second{};
  std::array<std::byte, 32> third{};
  std::array<miocpp::IoSliceMut, 3> in = {miocpp::IoSliceMut(first), miocpp::IoSliceMut(second),
                                          miocpp::IoSliceMut(third)};
  EXPECT_EQ(in[1].size(), second.size());
  EXPECT_EQ(receiver.read_vectored(in, ec), 13U);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(as_string(first), "on");
  EXPECT_EQ(as_string(second), "e,two,");
  EXPECT_EQ(as_string(std::span(third).first(5)), "three");

  EXPECT_EQ(receiver.read_vectored(in, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

TEST(UnixPipe, SenderIsWritableAgainAfterTheReceiverDrains) {
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(sender, sender_token, Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{sender_token, Ready::writable}});

  const std::size_t written = fill(sender);
  ASSERT_GT(written, 0U);
  // The receiver learns about the data once; the full sender says nothing.
  test::expect_events(poll, events, {{receiver_token, Ready::readable}});
  test::expect_no_events(poll, events);

  std::array<std::byte, 1> one{};
  EXPECT_EQ(sender.write(one, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();

  EXPECT_EQ(drain(receiver), written);
  const miocpp::Event* event = expect_exactly_one_event(poll, events, sender_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_writable()) << *event;
  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  EXPECT_FALSE(ec) << ec.message();
}

TEST(UnixPipe, DroppingTheSenderGivesOneReadClosedEvent) {
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  sender = Sender();
  const miocpp::Event* event = expect_exactly_one_event(poll, events, receiver_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_read_closed()) << *event;
  EXPECT_FALSE(event->is_writable()) << *event;
  test::expect_no_events(poll, events);

  std::array<std::byte, 16> buffer{};
  EXPECT_EQ(receiver.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();  // end of file, not would_block
}

// Hung-up ends that nobody reads or writes stay hung up. They are reported once, and after that a
// poll waits out its whole timeout instead of returning at once, again and again.
TEST(UnixPipe, HungUpEndsThatAreLeftAloneAreReportedOnceAndDoNotSpin) {
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  OPEN_PIPE(lone_sender, gone_receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(lone_sender, sender_token, Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{sender_token, Ready::writable}});

  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());  // never read
  sender = Sender();
  gone_receiver = Receiver();
  test::expect_events(poll, events,
                      {{receiver_token, Ready::read_closed}, {sender_token, Ready::write_closed}});

  for (int round = 0; round < 3; ++round) {
    const auto start = std::chrono::steady_clock::now();
    poll.poll(events, 100ms, ec);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(events.empty()) << test::describe(events);
    EXPECT_GE(elapsed, 100ms) << "the poll returned early: a hung-up end keeps it spinning";
  }
}

// As mio does it: the sender writes and is dropped on another thread; the receiver first sees the
// data, then exactly one read_closed event, and reads the data before the end of file.
TEST(UnixPipe, DroppingTheSenderOnAnotherThreadAfterWriting) {
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  std::atomic<int> step{0};
  std::error_code write_ec;
  std::thread writer([&, moved = std::move(sender)]() mutable {
    (void)moved.write(test::bytes_of(hello), write_ec);
    step.store(1);
    while (step.load() != 2) {
      std::this_thread::yield();
    }
    moved = Sender();
    step.store(3);
  });
  while (step.load() != 1) {
    std::this_thread::yield();
  }
  ASSERT_FALSE(write_ec) << write_ec.message();
  const miocpp::Event* event = expect_exactly_one_event(poll, events, receiver_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable()) << *event;
  EXPECT_FALSE(event->is_read_closed()) << *event;

  step.store(2);
  while (step.load() != 3) {
    std::this_thread::yield();
  }
  writer.join();
  event = expect_exactly_one_event(poll, events, receiver_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_read_closed()) << *event;
  test::expect_no_events(poll, events);

  std::array<std::byte, 64> buffer{};
  const std::size_t count = receiver.read(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(as_string(std::span(buffer).first(count)), hello);
  EXPECT_EQ(receiver.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(UnixPipe, DroppingTheReceiverGivesOneWriteClosedEvent) {
  const IgnoreSigpipe ignore_sigpipe;
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(sender, sender_token, Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{sender_token, Ready::writable}});
  test::expect_no_events(poll, events);

  receiver = Receiver();
  const miocpp::Event* event = expect_exactly_one_event(poll, events, sender_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_write_closed()) << *event;
  EXPECT_FALSE(event->is_readable()) << *event;
#if MIOCPP_SELECTOR_EPOLL
  EXPECT_TRUE(event->is_error()) << *event;  // epoll reports a reader-less pipe as EPOLLERR
#elif MIOCPP_SELECTOR_KQUEUE
  EXPECT_FALSE(event->is_error()) << *event;  // kqueue: EV_EOF without a socket error in fflags
#endif
  test::expect_no_events(poll, events);

  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
  const std::array<miocpp::IoSlice, 1> slices = {miocpp::IoSlice(test::bytes_of(hello))};
  EXPECT_EQ(sender.write_vectored(slices, ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
}

TEST(UnixPipe, SetNonblockingRoundTrips) {
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  const auto nonblocking = [](int fd) { return (status_flags(fd) & O_NONBLOCK) != 0; };

  sender.set_nonblocking(false, ec);
  ASSERT_FALSE(ec) << ec.message();
  receiver.set_nonblocking(false, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_FALSE(nonblocking(sender.native_handle()));
  EXPECT_FALSE(nonblocking(receiver.native_handle()));
  // Blocking now, but with data waiting a read returns it at once.
  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  std::array<std::byte, 64> buffer{};
  EXPECT_EQ(receiver.read(buffer, ec), hello.size());
  EXPECT_FALSE(ec) << ec.message();

  sender.set_nonblocking(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  receiver.set_nonblocking(true, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(nonblocking(sender.native_handle()));
  EXPECT_TRUE(nonblocking(receiver.native_handle()));
  EXPECT_EQ(receiver.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  // The other status flags are left alone.
  EXPECT_EQ(status_flags(sender.native_handle()) & O_ACCMODE, O_WRONLY);
  EXPECT_EQ(status_flags(receiver.native_handle()) & O_ACCMODE, O_RDONLY);
}

TEST(UnixPipe, ReleaseGivesTheDescriptorUp) {
  const std::size_t before = test::open_descriptor_count();
  int write_fd = -1;
  int read_fd = -1;
  {
    OPEN_PIPE(sender, receiver);
    const int expected_write = sender.native_handle();
    const int expected_read = receiver.native_handle();
    write_fd = sender.release();
    read_fd = receiver.release();
    EXPECT_EQ(write_fd, expected_write);
    EXPECT_EQ(read_fd, expected_read);
    EXPECT_EQ(sender.native_handle(), -1);
    EXPECT_EQ(receiver.native_handle(), -1);
    EXPECT_EQ(sender.release(), -1);
  }
  // The ends are gone, the descriptors are not, and they still work.
  ASSERT_TRUE(is_open(write_fd));
  ASSERT_TRUE(is_open(read_fd));
  EXPECT_EQ(::write(write_fd, "ab", 2), 2);
  std::array<char, 4> buffer{};
  EXPECT_EQ(::read(read_fd, buffer.data(), buffer.size()), 2);
  EXPECT_EQ(test::open_descriptor_count(), before + 2);
  ::close(write_fd);
  ::close(read_fd);
  EXPECT_EQ(test::open_descriptor_count(), before);
}

// release() leaves the end empty, and a registration stays with the descriptor: the new owner
// still gets its events, and deregisters it before closing.
TEST(UnixPipe, ReleasingARegisteredEnd) {
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  const int read_fd = receiver.release();
  ASSERT_GE(read_fd, 0);
  std::array<std::byte, 16> buffer{};
  EXPECT_EQ(receiver.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  receiver.set_nonblocking(true, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  poll.registry().register_source(receiver, Token(5), Interest::readable, ec);
  EXPECT_TRUE(ec);  // an empty end cannot be registered

  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  const miocpp::Event* event = expect_exactly_one_event(poll, events, receiver_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable()) << *event;

  const miocpp::posix::SourceFd raw(read_fd);
  poll.registry().deregister(raw, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(::close(read_fd), 0);
}

TEST(UnixPipe, FromNativeAdoptsAndClosesOnDestruction) {
  OPEN_POLL(poll);
  Events events(8);
  std::array<int, 2> fds{-1, -1};
  ASSERT_EQ(::pipe2(fds.data(), O_NONBLOCK | O_CLOEXEC), 0);
  {
    Receiver receiver = Receiver::from_native(fds[0]);
    Sender sender = Sender::from_native(fds[1]);
    EXPECT_EQ(receiver.native_handle(), fds[0]);
    EXPECT_EQ(sender.native_handle(), fds[1]);

    std::error_code ec;
    poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
    ASSERT_FALSE(ec) << ec.message();
    test::expect_events(poll, events, {{receiver_token, Ready::readable}});
    std::array<std::byte, 64> buffer{};
    const std::size_t count = receiver.read(buffer, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(as_string(std::span(buffer).first(count)), hello);
  }
  EXPECT_FALSE(is_open(fds[0]));
  EXPECT_FALSE(is_open(fds[1]));
}

TEST(UnixPipe, DefaultConstructedEndsAreEmpty) {
  OPEN_POLL(poll);
  Sender sender;
  Receiver receiver;
  EXPECT_EQ(sender.native_handle(), -1);
  EXPECT_EQ(receiver.native_handle(), -1);

  std::error_code ec;
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(receiver.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  const std::array<miocpp::IoSlice, 1> out = {miocpp::IoSlice(test::bytes_of(hello))};
  EXPECT_EQ(sender.write_vectored(out, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  std::array<miocpp::IoSliceMut, 1> in = {miocpp::IoSliceMut(buffer)};
  EXPECT_EQ(receiver.read_vectored(in, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  sender.set_nonblocking(true, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  receiver.set_nonblocking(false, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();

  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  poll.registry().register_source(sender, sender_token, Interest::writable, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  poll.registry().reregister(receiver, receiver_token, Interest::readable, ec);
  EXPECT_TRUE(ec);
  poll.registry().deregister(sender, ec);
  EXPECT_TRUE(ec);
  EXPECT_EQ(sender.release(), -1);
  EXPECT_EQ(receiver.release(), -1);
}

TEST(UnixPipe, MovedFromEndsAreEmpty) {
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  const int write_fd = sender.native_handle();
  const int read_fd = receiver.native_handle();

  Sender moved_sender(std::move(sender));
  Receiver moved_receiver;
  moved_receiver = std::move(receiver);
  // NOLINTBEGIN(bugprone-use-after-move): the moved-from state is under test
  EXPECT_EQ(sender.native_handle(), -1);
  EXPECT_EQ(receiver.native_handle(), -1);
  EXPECT_EQ(moved_sender.native_handle(), write_fd);
  EXPECT_EQ(moved_receiver.native_handle(), read_fd);

  std::error_code ec;
  std::array<std::byte, 16> buffer{};
  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(receiver.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  // NOLINTEND(bugprone-use-after-move)

  poll.registry().register_source(moved_receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(moved_sender.write(test::bytes_of(hello), ec), hello.size());
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{receiver_token, Ready::readable}});
  EXPECT_EQ(moved_receiver.read(buffer, ec), hello.size());
  EXPECT_FALSE(ec) << ec.message();
}

// Moving a registered end keeps its registration: events still arrive, and the moved-to end is
// the one that is registered.
TEST(UnixPipe, MovingARegisteredEndKeepsItsRegistration) {
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  Receiver moved(std::move(receiver));
  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  test::expect_events(poll, events, {{receiver_token, Ready::readable}});
  poll.registry().register_source(moved, receiver_token, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  poll.registry().deregister(moved, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(UnixPipe, RegistrationFollowsTheRules) {
  OPEN_POLL(poll);
  OPEN_POLL(other);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;

  poll.registry().reregister(receiver, receiver_token, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  poll.registry().deregister(receiver, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();

  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(receiver, Token(7), Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  other.registry().register_source(receiver, Token(7), Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();

  // Reregistering changes the token the events carry.
  poll.registry().reregister(receiver, Token(42), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  const miocpp::Event* event = expect_exactly_one_event(poll, events, Token(42));
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable());
  EXPECT_EQ(drain(receiver), hello.size());

  // Deregistered, it is silent, and it can be registered again (here with the other Poll).
  poll.registry().deregister(receiver, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().deregister(receiver, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  test::expect_no_events(poll, events);
  other.registry().register_source(receiver, Token(9), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(other, events, {{Token(9), Ready::readable}});
  test::expect_no_events(poll, events);
}

TEST(UnixPipe, BothEndsOnOnePoll) {
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(sender, sender_token, Interest::readable | Interest::writable,
                                  ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  test::expect_events(poll, events,
                      {{sender_token, Ready::writable}, {receiver_token, Ready::readable}});
}

// A writer thread pushes 1 MiB through the pipe with its own Poll, waiting for writable whenever
// the pipe is full; the reader checks every byte and ends at the end of file.
TEST(UnixPipe, StreamsOneMebibyteBetweenThreads) {
  constexpr std::size_t total = std::size_t{1} << 20U;
  const auto pattern = [](std::size_t i) { return static_cast<std::byte>(i % 251U); };
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  std::error_code writer_ec;
  std::thread writer([&, out = std::move(sender)]() mutable {
    Poll writer_poll(writer_ec);
    if (writer_ec) {
      return;
    }
    Events writer_events(4);
    writer_poll.registry().register_source(out, sender_token, Interest::writable, writer_ec);
    std::vector<std::byte> chunk(10'000);
    std::size_t sent = 0;
    while (!writer_ec && sent < total) {
      const std::size_t size = std::min(chunk.size(), total - sent);
      for (std::size_t i = 0; i < size; ++i) {
        chunk[i] = pattern(sent + i);
      }
      std::error_code write_ec;
      const std::size_t written = out.write(std::span(chunk).first(size), write_ec);
      if (write_ec == std::errc::operation_would_block) {
        writer_poll.poll(writer_events, 5s, writer_ec);
      } else if (write_ec) {
        writer_ec = write_ec;
      } else {
        sent += written;
      }
    }
  });

  std::vector<std::byte> buffer(7'000);
  std::size_t received = 0;
  std::size_t mismatches = 0;
  bool end_of_file = false;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!end_of_file && std::chrono::steady_clock::now() < deadline) {
    poll.poll(events, 1s, ec);
    ASSERT_FALSE(ec) << ec.message();
    for (;;) {
      const std::size_t count = receiver.read(buffer, ec);
      if (ec) {
        ASSERT_EQ(ec, std::errc::operation_would_block) << ec.message();
        break;
      }
      if (count == 0) {
        end_of_file = true;
        break;
      }
      for (std::size_t i = 0; i < count; ++i) {
        mismatches += buffer[i] == pattern(received + i) ? 0U : 1U;
      }
      received += count;
    }
  }
  writer.join();
  EXPECT_FALSE(writer_ec) << writer_ec.message();
  EXPECT_TRUE(end_of_file);
  EXPECT_EQ(received, total);
  EXPECT_EQ(mismatches, 0U);
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(UnixPipe, ThrowingOverloadsThrowSystemError) {
  Poll poll;
  auto [sender, receiver] = miocpp::posix::pipe::create();
  EXPECT_GE(sender.native_handle(), 0);
  EXPECT_EQ(sender.write(test::bytes_of(hello)), hello.size());
  std::array<std::byte, 64> buffer{};
  EXPECT_EQ(receiver.read(buffer), hello.size());
  poll.registry().register_source(receiver, receiver_token, Interest::readable);
  EXPECT_NO_THROW(sender.set_nonblocking(true));

  try {
    (void)receiver.read(buffer);
    ADD_FAILURE() << "read of an empty pipe did not throw";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::operation_would_block) << error.what();
  }
  try {
    poll.registry().register_source(receiver, receiver_token, Interest::readable);
    ADD_FAILURE() << "a second registration did not throw";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::file_exists) << error.what();
  }
  Receiver empty;
  std::array<miocpp::IoSliceMut, 1> in = {miocpp::IoSliceMut(buffer)};
  EXPECT_THROW((void)empty.read_vectored(in), std::system_error);
  EXPECT_THROW(empty.set_nonblocking(true), std::system_error);
  Sender empty_sender;
  const std::array<miocpp::IoSlice, 1> out = {miocpp::IoSlice(test::bytes_of(hello))};
  EXPECT_THROW((void)empty_sender.write_vectored(out), std::system_error);
  EXPECT_THROW(poll.registry().deregister(empty_sender), std::system_error);
}
#endif

}  // namespace
