// The short I/O guarantee, as a typed test suite every stream kind instantiates (short_io.cpp for
// TCP on every backend, short_io_unix.cpp for Unix streams and pipes): a read that returns fewer
// bytes than asked (and some) means the stream is drained, and a write that takes fewer bytes
// than given means its buffer is full; either way the next event comes without a call that
// would block in between.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/io.hpp"
#include "support/net.hpp"
#include "support/setup.hpp"
#include "support/text.hpp"
#include <miocpp/miocpp.hpp>

namespace test {

/// One direction of a stream: what is written to `writer` is read from `reader`.
template <class Writer, class Reader>
struct Channel {
  Writer writer;
  Reader reader;
};

/// Reads from `reader` (not registered) until `count` bytes have come, waiting with raw poll(2)
/// when it would block. False if it stops early (an error, end-of-stream, 5 s without data).
template <class Reader>
bool drain_exactly(Reader& reader, std::size_t count) {
  std::vector<std::byte> buffer(std::size_t{64} * 1024);
  std::size_t total = 0;
  while (total < count) {
    std::error_code ec;
    const std::size_t got =
        reader.read(std::span(buffer).first(std::min(buffer.size(), count - total)), ec);
    if (ec == std::errc::operation_would_block) {
      if (!raw_wait(reader.native_handle(), POLLIN)) {
        ADD_FAILURE() << "no data for 5 s after " << total << " of " << count << " bytes";
        return false;
      }
      continue;
    }
    if (ec || got == 0) {
      ADD_FAILURE() << "read after " << total << " of " << count
                    << " bytes: " << (ec ? ec.message() : "end of stream");
      return false;
    }
    total += got;
  }
  return true;
}

}  // namespace test

/// `Kind::open()` gives a test::Channel of one stream kind, neither end registered;
/// `Kind::close_writer(channel)` ends the stream from the writing side.
template <class Kind>
class ShortIo : public ::testing::Test {};
TYPED_TEST_SUITE_P(ShortIo);

// After a short read, the next data is a new readable event: no read that would block is needed
// in between, on any backend.
TYPED_TEST_P(ShortIo, AShortReadDrainsAndTheNextDataIsANewEvent) {
  constexpr miocpp::Token token{7};
  constexpr std::string_view message = "short";
  OPEN_POLL(poll, events(8));
  auto channel = TypeParam::open();
  REGISTER(poll, channel.reader, token, miocpp::Interest::readable);
  for (int round = 0; round < 4; ++round) {
    test::write_all(channel.writer, message);
    test::expect_events(poll, events, {{token, test::Ready::readable}});
    std::array<std::byte, 64> buffer{};
    std::error_code ec;
    const std::size_t got = channel.reader.read(buffer, ec);
    ASSERT_FALSE(ec) << "round " << round << ": " << ec.message();
    ASSERT_EQ(test::as_string(std::span(buffer).first(got)), message) << "round " << round;
    // Short (5 of 64 bytes): the stream is drained, and the loop goes back to poll.
  }
  // Vectored reads follow the same rule.
  for (int round = 0; round < 2; ++round) {
    test::write_all(channel.writer, message);
    test::expect_events(poll, events, {{token, test::Ready::readable}});
    std::array<std::byte, 3> head{};
    std::array<std::byte, 61> tail{};
    std::array<miocpp::IoSliceMut, 2> slices{miocpp::IoSliceMut(head), miocpp::IoSliceMut(tail)};
    std::error_code ec;
    ASSERT_EQ(channel.reader.read_vectored(slices, ec), message.size()) << ec.message();
  }
}

// After a short write, the reader draining the stream is a new writable event: no write that
// would block is needed in between, on any backend.
TYPED_TEST_P(ShortIo, AShortWriteFillsAndTheDrainIsANewWritableEvent) {
  constexpr miocpp::Token token{9};
  OPEN_POLL(poll, events(8));
  auto channel = TypeParam::open();
  REGISTER(poll, channel.writer, token, miocpp::Interest::writable);
  test::expect_events(poll, events, {{token, test::Ready::writable}});
  // An odd chunk size, so that a run of whole writes is unlikely to fill the buffer exactly (a
  // would-block, not a short write).
  const std::vector<std::byte> chunk(std::size_t{1024} * 1024 + 7, std::byte{'w'});
  for (int round = 0; round < 2; ++round) {
    std::size_t written = 0;
    for (;;) {
      std::error_code ec;
      const std::size_t took = channel.writer.write(chunk, ec);
      ASSERT_FALSE(ec) << "round " << round << " after " << written << " bytes: " << ec.message()
                       << " (a would-block, not a short write)";
      written += took;
      if (took < chunk.size()) {
        ASSERT_GT(took, 0U);
        break;  // short: the buffer is full, and the loop goes back to poll
      }
    }
    ASSERT_TRUE(test::drain_exactly(channel.reader, written)) << "round " << round;
    test::expect_events(poll, events, {{token, test::Ready::writable}});
  }
}

// An end of stream right behind the data: the event that reported the data says read_closed if
// the end had arrived by then (and epoll and kqueue bring no new event for it: the end of stream
// is read next); otherwise a new event reports it after the short read. Either way the loop of
// the documentation -- stop at a short read unless the event said read_closed -- sees it.
TYPED_TEST_P(ShortIo, AnEndOfStreamBehindTheDataIsInTheEventOrANewOne) {
  constexpr miocpp::Token token{5};
  constexpr std::string_view message = "last words";
  OPEN_POLL(poll, events(8));
  auto channel = TypeParam::open();
  REGISTER(poll, channel.reader, token, miocpp::Interest::readable);
  test::write_all(channel.writer, message);
  TypeParam::close_writer(channel);
  const auto next_event = [&] {
    for (int round = 0; round < 100; ++round) {
      std::error_code ec;
      poll.poll(events, std::chrono::milliseconds(50), ec);
      EXPECT_FALSE(ec) << ec.message();
      const test::Ready ready = test::readiness_for(events, token);
      if (static_cast<unsigned>(ready) != 0) {
        return ready;
      }
    }
    ADD_FAILURE() << "no event for token " << token.value;
    return test::Ready{};
  };
  const test::Ready first = next_event();
  ASSERT_TRUE(test::has(first, test::Ready::readable));
  std::array<std::byte, 64> buffer{};
  std::error_code ec;
  const std::size_t got = channel.reader.read(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(test::as_string(std::span(buffer).first(got)), message);  // short
  if (!test::has(first, test::Ready::read_closed)) {
    EXPECT_TRUE(test::has(next_event(), test::Ready::read_closed));
  }
  EXPECT_EQ(channel.reader.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
}

REGISTER_TYPED_TEST_SUITE_P(ShortIo, AShortReadDrainsAndTheNextDataIsANewEvent,
                            AShortWriteFillsAndTheDrainIsANewWritableEvent,
                            AnEndOfStreamBehindTheDataIsInTheEventOrANewOne);
