// Close on drop: every owning type gives its descriptors (handles, on Windows) back when it is
// destroyed, and a dropped source stops producing events. Pipes and running out of descriptors
// are in close_on_drop_unix.cpp.
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/io.hpp"
#include "support/net.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Interest, miocpp::Poll, miocpp::Token;
using miocpp::net::TcpStream;
using test::Failures, test::Ready;

constexpr int rounds = 2000;

/// Both ends of a new loopback TCP connection, as `sender` (the connecting end) and `receiver`
/// (the accepted end); the test stops if it cannot be made.
#define OPEN_STREAMS(sender, receiver)                                                  \
  test::StreamPair sender##_pair = test::connected_pair(test::any_local_address());     \
  ASSERT_NE(sender##_pair.client.native_handle(), test::invalid_socket) << "no stream"; \
  TcpStream& sender = sender##_pair.client;                                             \
  TcpStream& receiver = sender##_pair.server

TEST(CloseOnDrop, PollsCloseTheirSelector) {
  const std::size_t before = test::open_descriptor_count();
  {
    OPEN_POLL(poll);
    // A Poll is not an empty object: it holds a descriptor, so the loop below proves something.
    EXPECT_EQ(test::open_descriptor_count(), before + 1);
  }
  Failures failures;
  for (int i = 0; i < rounds; ++i) {
    std::error_code ec;
    const Poll poll(ec);
    failures.check(ec);
  }
  EXPECT_EQ(failures.count, 0U) << failures;
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, MoveAssigningAPollClosesTheOldSelector) {
  const std::size_t before = test::open_descriptor_count();
  {
    OPEN_POLL(first);
    OPEN_POLL(second);
    EXPECT_EQ(test::open_descriptor_count(), before + 2);
    first = std::move(second);
    EXPECT_EQ(test::open_descriptor_count(), before + 1);
  }
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, PollAndWakerPairsCloseEverything) {
  const std::size_t before = test::open_descriptor_count();
  {
    OPEN_POLL(poll);
    std::error_code ec;
    const miocpp::Waker waker(poll.registry(), Token(0), ec);
    ASSERT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_IOCP
    // The Windows Waker posts to the selector's completion port: it has no handle of its own.
    EXPECT_EQ(test::open_descriptor_count(), before + 1);
#else
    EXPECT_GE(test::open_descriptor_count(), before + 2);  // the selector and the waker's own
#endif
  }
  Failures failures;
  for (int i = 0; i < rounds; ++i) {
    std::error_code ec;
    const Poll poll(ec);
    failures.check(ec);
    const miocpp::Waker waker(poll.registry(), Token(static_cast<std::size_t>(i)), ec);
    failures.check(ec);
    waker.wake(ec);
    failures.check(ec);
  }
  EXPECT_EQ(failures.count, 0U) << failures;
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, WakerThatOutlivesItsPollClosesItsDescriptors) {
  const std::size_t before = test::open_descriptor_count();
  Failures failures;
  for (int i = 0; i < rounds; ++i) {
    std::optional<miocpp::Waker> waker;
    {
      std::error_code ec;
      const Poll poll(ec);
      failures.check(ec);
      waker.emplace(poll.registry(), Token(1), ec);
      failures.check(ec);
    }
    std::error_code ignored;  // either answer is fine once the Poll is gone
    waker->wake(ignored);
  }
  EXPECT_EQ(failures.count, 0U) << failures;
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, RefusedWakersLeaveNothingBehind) {
  OPEN_POLL(poll);
  std::error_code ec;
  const miocpp::Waker waker(poll.registry(), Token(0), ec);
  ASSERT_FALSE(ec) << ec.message();
  const miocpp::Registry clone = poll.registry().try_clone(ec);
  ASSERT_FALSE(ec) << ec.message();

  const std::size_t before = test::open_descriptor_count();
  std::size_t refused = 0;
  for (int i = 0; i < rounds; ++i) {
    const miocpp::Waker second(i % 2 == 0 ? poll.registry() : clone, Token(1), ec);
    refused += ec == std::errc::file_exists ? 1U : 0U;
  }
  EXPECT_EQ(refused, static_cast<std::size_t>(rounds));
  EXPECT_EQ(test::open_descriptor_count(), before);

  // An empty registry refuses too, and opens nothing.
  const Poll moved(std::move(poll));
  // NOLINTNEXTLINE(bugprone-use-after-move): a moved-from Poll's registry is empty
  const miocpp::Waker empty(poll.registry(), Token(2), ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, ClonedRegistriesClose) {
  const std::size_t before = test::open_descriptor_count();
  Failures failures;
  {
    OPEN_POLL(poll);
    {
      std::error_code ec;
      const miocpp::Registry clone = poll.registry().try_clone(ec);
      ASSERT_FALSE(ec) << ec.message();
      // Clones share their Poll's one descriptor (epoll or kqueue instance, poll(2) table's
      // waker, completion port): a clone opens nothing.
      EXPECT_EQ(test::open_descriptor_count(), before + 1);
    }
    for (int i = 0; i < rounds; ++i) {
      std::error_code ec;
      const miocpp::Registry clone = poll.registry().try_clone(ec);
      failures.check(ec);
    }
    EXPECT_EQ(test::open_descriptor_count(), before + 1);
  }
  // Clones that outlive their Poll, and clones of clones.
  for (int i = 0; i < rounds; ++i) {
    std::error_code ec;
    std::optional<miocpp::Registry> clone;
    {
      const Poll poll(ec);
      failures.check(ec);
      clone.emplace(poll.registry().try_clone(ec));
      failures.check(ec);
    }
    const miocpp::Registry grandchild = clone->try_clone(ec);
    failures.check(ec);
  }
  EXPECT_EQ(failures.count, 0U) << failures;
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, DroppedRegisteredReceiverIsRemovedFromThePoll) {
  constexpr Token receiver_token{3};
  OPEN_POLL(poll, events(8));
  OPEN_STREAMS(sender, receiver);
  std::error_code ec;
  REGISTER(poll, receiver, receiver_token, Interest::readable);
  // Ready to read, but nobody has polled yet.
  EXPECT_EQ(sender.write(test::bytes_of("data"), ec), 4U);
  ASSERT_FALSE(ec) << ec.message();

  receiver = TcpStream();
  test::expect_no_events(poll, events);
}

TEST(CloseOnDrop, DroppedRegisteredSenderIsRemovedFromThePoll) {
  constexpr Token sender_token{4};
  OPEN_POLL(poll, events(8));
  OPEN_STREAMS(sender, receiver);
  std::error_code ec;
  REGISTER(poll, sender, sender_token, Interest::writable);
  sender = TcpStream();  // writable, but never polled
  test::expect_no_events(poll, events);

  // The receiver, which was not registered, sees the end of the stream.
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(receiver.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
}

// After a registered end is dropped, the next descriptor usually gets the same number (a socket
// handle, its value): it must start without the old registration (and so take only the events
// of its own).
TEST(CloseOnDrop, ReusedDescriptorNumberStartsUnregistered) {
  constexpr Token old_token{5};
  constexpr Token new_token{6};
  OPEN_POLL(poll, events(8));
  OPEN_STREAMS(sender, receiver);
  std::error_code ec;
  REGISTER(poll, receiver, old_token, Interest::readable);
  const test::NativeSocket old_read_fd = receiver.native_handle();
  sender = TcpStream();
  receiver = TcpStream();

  OPEN_STREAMS(new_sender, new_receiver);
  // Not a requirement of the test, but what makes it interesting.
  const bool reused =
      new_receiver.native_handle() == old_read_fd || new_sender.native_handle() == old_read_fd;
  EXPECT_EQ(new_sender.write(test::bytes_of("hello"), ec), 5U);
  test::expect_no_events(poll, events);

  poll.registry().register_source(new_receiver, new_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message() << " (reused descriptor: " << reused << ')';
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U) << test::describe(events);
  EXPECT_EQ(events.begin()->token(), new_token) << *events.begin();
}

// As in mio's close_on_drop: the peer sees the drop. The receiver's loop ends on the end of
// stream after the sender is gone, having read everything first.
TEST(CloseOnDrop, ReceiverLoopEndsWhenTheSenderIsDropped) {
  constexpr Token receiver_token{7};
  OPEN_POLL(poll, events(8));
  OPEN_STREAMS(sender, receiver);
  std::error_code ec;
  REGISTER(poll, receiver, receiver_token, Interest::readable);
  EXPECT_EQ(sender.write(test::bytes_of("last words"), ec), 10U);
  ASSERT_FALSE(ec) << ec.message();
  sender = TcpStream();

  std::string received;
  bool closed = false;
  bool end_of_file = false;
  for (int polls = 0; polls < 10 && !end_of_file; ++polls) {
    poll.poll(events, 1s, ec);
    ASSERT_FALSE(ec) << ec.message();
    for (const miocpp::Event& event : events) {
      ASSERT_EQ(event.token(), receiver_token) << event;
      closed = closed || event.is_read_closed();
      end_of_file = test::drain_into(receiver, 4, [&](std::span<const std::byte> bytes) {
                      received += test::as_string(bytes);
                    }).ended;
    }
  }
  EXPECT_TRUE(end_of_file);
#if MIOCPP_SELECTOR_IOCP
  // wine's AFD reports the FIN (read_closed) only once the data queued before it has been read,
  // so the read_closed event may come after the loop has read to the end of stream.
  if (!closed) {
    test::expect_events(poll, events, {{receiver_token, Ready::read_closed}});
    closed = true;
  }
#endif
  EXPECT_TRUE(closed);
  EXPECT_EQ(received, "last words");
}

}  // namespace
