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
#include "support/io.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include "support/source_type.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events, miocpp::Interest, miocpp::Poll, miocpp::Token;
using miocpp::posix::pipe::Receiver, miocpp::posix::pipe::Sender;
using test::as_string, test::Ready;

constexpr Token receiver_token{0}, sender_token{1};
constexpr std::string_view hello = "Hello world";

static_assert(test::OwningSource<Sender, int> && test::OwningSource<Receiver, int>);

int status_flags(int fd) {
  return ::fcntl(fd, F_GETFL);
}
int descriptor_flags(int fd) {
  return ::fcntl(fd, F_GETFD);
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

// try_io runs a call of the application's own (here a raw read) as miocpp runs its reads: after
// it would block, the next write is a new readable event on every backend.
TEST(UnixPipe, TryIoRunsARawCallAndReArms) {
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  REGISTER(poll, receiver, receiver_token, Interest::readable);
  std::array<std::byte, 64> buffer{};
  const int read_fd = receiver.native_handle();
  const auto raw_read = [&buffer, read_fd](std::error_code& op_ec) -> std::size_t {
    const ::ssize_t count = ::read(read_fd, buffer.data(), buffer.size());
    if (count < 0) {
      op_ec = std::error_code(errno, std::generic_category());
      return 0;
    }
    op_ec.clear();
    return static_cast<std::size_t>(count);
  };
  std::error_code ec;
  for (int round = 0; round < 3; ++round) {
    test::write_all(sender, hello);
    test::expect_events(poll, events, {{receiver_token, Ready::readable}});
    EXPECT_EQ(receiver.try_io(raw_read, ec), hello.size());
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(as_string(std::span(buffer).first(hello.size())), hello);
    EXPECT_EQ(receiver.try_io(raw_read, ec), 0U);
    EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  }
  // The writing end has it too.
  const auto raw_write = [write_fd =
                              sender.native_handle()](std::error_code& op_ec) -> std::size_t {
    const ::ssize_t count = ::write(write_fd, hello.data(), hello.size());
    op_ec = count < 0 ? std::error_code(errno, std::generic_category()) : std::error_code();
    return count < 0 ? 0 : static_cast<std::size_t>(count);
  };
  EXPECT_EQ(sender.try_io(raw_write, ec), hello.size());
  EXPECT_FALSE(ec) << ec.message();
  test::expect_read(receiver, hello);
}

TEST(UnixPipe, SenderRegisteredWritableGetsWritableEvent) {
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  REGISTER(poll, sender, sender_token, Interest::writable);

  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, sender_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_writable()) << *event;
  EXPECT_FALSE(event->is_readable()) << *event;
  EXPECT_FALSE(event->is_write_closed()) << *event;
  EXPECT_FALSE(event->is_error()) << *event;
  // Edge-triggered: nothing new until the pipe fills and drains.
  test::expect_no_events(poll, events);
}

TEST(UnixPipe, WriteMakesReceiverReadable) {
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  REGISTER(poll, receiver, receiver_token, Interest::readable);
  REGISTER(poll, sender, sender_token, Interest::writable);
  test::expect_events(poll, events, {{sender_token, Ready::writable}});
  test::expect_no_events(poll, events);

  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  ASSERT_FALSE(ec) << ec.message();

  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, receiver_token);
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
  event = test::expect_exactly_one_event(poll, events, receiver_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable()) << *event;
}

TEST(UnixPipe, VectoredWriteAndReadKeepTheOrder) {
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  REGISTER(poll, receiver, receiver_token, Interest::readable);

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
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  REGISTER(poll, sender, sender_token, Interest::writable);
  REGISTER(poll, receiver, receiver_token, Interest::readable);
  test::expect_events(poll, events, {{sender_token, Ready::writable}});

  const std::size_t written = test::fill(sender, 4096);
  ASSERT_GT(written, 0U);
  // The receiver learns about the data once; the full sender says nothing.
  test::expect_events(poll, events, {{receiver_token, Ready::readable}});
  test::expect_no_events(poll, events);

  std::array<std::byte, 1> one{};
  EXPECT_EQ(sender.write(one, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();

  EXPECT_EQ(test::drain(receiver, 4096), written);
  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, sender_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_writable()) << *event;
  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  EXPECT_FALSE(ec) << ec.message();
}

TEST(UnixPipe, DroppingTheSenderGivesOneReadClosedEvent) {
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  REGISTER(poll, receiver, receiver_token, Interest::readable);

  sender = Sender();
  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, receiver_token);
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
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  OPEN_PIPE(lone_sender, gone_receiver);
  std::error_code ec;
  REGISTER(poll, receiver, receiver_token, Interest::readable);
  REGISTER(poll, lone_sender, sender_token, Interest::writable);
  test::expect_events(poll, events, {{sender_token, Ready::writable}});

  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());  // never read
  sender = Sender();
  gone_receiver = Receiver();
  test::expect_events(poll, events,
                      {{receiver_token, Ready::read_closed}, {sender_token, Ready::write_closed}});

  test::expect_polls_wait_quietly(poll, events, 100ms);
}

// As mio does it: the sender writes and is dropped on another thread; the receiver first sees the
// data, then exactly one read_closed event, and reads the data before the end of file.
TEST(UnixPipe, DroppingTheSenderOnAnotherThreadAfterWriting) {
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  REGISTER(poll, receiver, receiver_token, Interest::readable);

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
  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, receiver_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable()) << *event;
  EXPECT_FALSE(event->is_read_closed()) << *event;

  step.store(2);
  while (step.load() != 3) {
    std::this_thread::yield();
  }
  writer.join();
  event = test::expect_exactly_one_event(poll, events, receiver_token);
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
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  REGISTER(poll, sender, sender_token, Interest::writable);
  test::expect_events(poll, events, {{sender_token, Ready::writable}});
  test::expect_no_events(poll, events);

  receiver = Receiver();
  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, sender_token);
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
  ASSERT_TRUE(test::is_open_descriptor(write_fd));
  ASSERT_TRUE(test::is_open_descriptor(read_fd));
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
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  REGISTER(poll, receiver, receiver_token, Interest::readable);

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
  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, receiver_token);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable()) << *event;

  const miocpp::posix::SourceFd raw(read_fd);
  poll.registry().deregister(raw, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(::close(read_fd), 0);
}

TEST(UnixPipe, FromNativeAdoptsAndClosesOnDestruction) {
  OPEN_POLL(poll, events(8));
  std::array<int, 2> fds{-1, -1};
  ASSERT_EQ(::pipe2(fds.data(), O_NONBLOCK | O_CLOEXEC), 0);
  {
    Receiver receiver = Receiver::from_native(fds[0]);
    Sender sender = Sender::from_native(fds[1]);
    EXPECT_EQ(receiver.native_handle(), fds[0]);
    EXPECT_EQ(sender.native_handle(), fds[1]);

    std::error_code ec;
    REGISTER(poll, receiver, receiver_token, Interest::readable);
    EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
    ASSERT_FALSE(ec) << ec.message();
    test::expect_events(poll, events, {{receiver_token, Ready::readable}});
    std::array<std::byte, 64> buffer{};
    const std::size_t count = receiver.read(buffer, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(as_string(std::span(buffer).first(count)), hello);
  }
  EXPECT_FALSE(test::is_open_descriptor(fds[0]));
  EXPECT_FALSE(test::is_open_descriptor(fds[1]));
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
  OPEN_POLL(poll, events(8));
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

  REGISTER(poll, moved_receiver, receiver_token, Interest::readable);
  EXPECT_EQ(moved_sender.write(test::bytes_of(hello), ec), hello.size());
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{receiver_token, Ready::readable}});
  EXPECT_EQ(moved_receiver.read(buffer, ec), hello.size());
  EXPECT_FALSE(ec) << ec.message();
}

// Moving a registered end keeps its registration: events still arrive, and the moved-to end is
// the one that is registered.
TEST(UnixPipe, MovingARegisteredEndKeepsItsRegistration) {
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  REGISTER(poll, receiver, receiver_token, Interest::readable);

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
  OPEN_POLL(other, events(8));
  OPEN_PIPE(sender, receiver);
  std::error_code ec;

  poll.registry().reregister(receiver, receiver_token, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  poll.registry().deregister(receiver, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();

  REGISTER(poll, receiver, receiver_token, Interest::readable);
  poll.registry().register_source(receiver, Token(7), Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  other.registry().register_source(receiver, Token(7), Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();

  // Reregistering changes the token the events carry.
  REREGISTER(poll, receiver, Token(42), Interest::readable);
  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, Token(42));
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable());
  EXPECT_EQ(test::drain(receiver, 4096), hello.size());

  // Deregistered, it is silent, and it can be registered again (here with the other Poll).
  DEREGISTER(poll, receiver);
  poll.registry().deregister(receiver, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  EXPECT_EQ(sender.write(test::bytes_of(hello), ec), hello.size());
  test::expect_no_events(poll, events);
  REGISTER(other, receiver, Token(9), Interest::readable);
  test::expect_events(other, events, {{Token(9), Ready::readable}});
  test::expect_no_events(poll, events);
}

TEST(UnixPipe, BothEndsOnOnePoll) {
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  REGISTER(poll, receiver, receiver_token, Interest::readable);
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
  OPEN_POLL(poll, events(8));
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  REGISTER(poll, receiver, receiver_token, Interest::readable);

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

  std::size_t received = 0;
  std::size_t mismatches = 0;
  bool end_of_file = false;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!end_of_file && std::chrono::steady_clock::now() < deadline) {
    poll.poll(events, 1s, ec);
    ASSERT_FALSE(ec) << ec.message();
    end_of_file = test::drain_into(receiver, 7'000, [&](std::span<const std::byte> bytes) {
                    for (const std::byte byte : bytes) {
                      mismatches += byte == pattern(received++) ? 0U : 1U;
                    }
                  }).ended;
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

  EXPECT_EQ(test::thrown_code([&, &end = receiver] { (void)end.read(buffer); }),
            std::errc::operation_would_block);
  EXPECT_EQ(test::thrown_code([&, &end = receiver] {
              poll.registry().register_source(end, receiver_token, Interest::readable);
            }),
            std::errc::file_exists);
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
