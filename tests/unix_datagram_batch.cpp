// UnixDatagram::recv_batch and send_batch: batches of one and of many, each entry to its own
// address, senders' addresses, truncation, empty datagrams, the short-batch rule both ways (a
// short receive batch drained the socket; a short send batch filled the receiver, and its
// draining is a new writable event), errors part-way through a batch, and empty sockets.
#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/io.hpp"
#include "support/setup.hpp"
#include "support/uds.hpp"
#include <miocpp/miocpp.hpp>

namespace {

namespace net = miocpp::net;
using miocpp::Interest, miocpp::Token;
using net::UnixRecvDatagram, net::UnixSendDatagram, net::UnixSocketAddr;
using test::Ready;

constexpr Token sender_token{1}, receiver_token{2};

/// `count` slots of `size` bytes each, with their buffers.
struct Slots {
  Slots(std::size_t count, std::size_t size)
      : buffers(count, std::vector<std::byte>(size)), slots(count) {
    for (std::size_t i = 0; i < count; ++i) {
      slots[i].buffer = buffers[i];
    }
  }
  /// What slot `i` received, as text.
  [[nodiscard]] std::string text(std::size_t i) const {
    return test::as_string(std::span(buffers[i]).first(slots[i].size));
  }
  std::vector<std::vector<std::byte>> buffers;
  std::vector<UnixRecvDatagram> slots;
};

/// The payload of datagram `i` of a test: its number, so that order and loss show.
std::string payload(std::size_t i) {
  return "datagram " + std::to_string(i);
}

/// `count` datagrams numbered from `first`, each to `to` (nullopt: the connected peer).
struct Outgoing {
  Outgoing(std::size_t first, std::size_t count, const std::optional<UnixSocketAddr>& to = {}) {
    for (std::size_t i = 0; i < count; ++i) {
      payloads.push_back(payload(first + i));
    }
    for (const std::string& text : payloads) {
      entries.push_back(UnixSendDatagram{test::bytes_of(text), to});
    }
  }
  std::vector<std::string> payloads;
  std::vector<UnixSendDatagram> entries;
};

UnixSocketAddr pathname(const std::string& path) {
  std::error_code ec;
  const UnixSocketAddr address = UnixSocketAddr::from_pathname(path, ec);
  EXPECT_FALSE(ec) << ec.message();
  return address;
}

net::UnixDatagram bind_or_fail(const std::string& path) {
  std::error_code ec;
  net::UnixDatagram socket = net::UnixDatagram::bind(path, ec);
  EXPECT_FALSE(ec) << "bind " << path << ": " << ec.message();
  return socket;
}

/// Receives until a batch comes back short (or would-block), expecting datagrams `first`...
/// in order: how many came.
std::size_t receive_in_order(net::UnixDatagram& receiver, Slots& slots, std::size_t first) {
  std::size_t got = 0;
  for (;;) {
    std::error_code ec;
    const std::size_t filled = receiver.recv_batch(slots.slots, ec);
    if (ec == std::errc::operation_would_block) {
      return got;
    }
    EXPECT_FALSE(ec) << ec.message();
    for (std::size_t i = 0; i < filled; ++i) {
      EXPECT_EQ(slots.text(i), payload(first + got + i));
    }
    got += filled;
    if (ec || filled < slots.slots.size()) {
      return got;
    }
  }
}

void expect_nothing_queued(net::UnixDatagram& receiver) {
  Slots slots(2, 16);
  std::error_code ec;
  EXPECT_EQ(receiver.recv_batch(slots.slots, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

/// The suite, each test of which leaves the descriptors as it found them.
class UnixDatagramBatch : public test::LeakChecked<> {};

TEST_F(UnixDatagramBatch, ABatchOfOneAndABatchOfMany) {
  auto [sender, receiver] = test::open_pair<net::UnixDatagram>();
  Slots slots(8, 64);
  for (const std::size_t count : {1U, 5U}) {
    const Outgoing outgoing(0, count);
    std::error_code ec;
    EXPECT_EQ(sender.send_batch(outgoing.entries, ec), count);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(receiver.recv_batch(slots.slots, ec), count);
    EXPECT_FALSE(ec) << ec.message();
    for (std::size_t i = 0; i < count; ++i) {
      EXPECT_EQ(slots.text(i), payload(i));
      EXPECT_FALSE(slots.slots[i].truncated);
      EXPECT_TRUE(slots.slots[i].from.is_unnamed());
    }
    expect_nothing_queued(receiver);
  }
}

// Each entry goes to its own destination, and each receiver learns who sent it.
TEST_F(UnixDatagramBatch, EachEntryToItsOwnAddressAndEachSlotNamesItsSender) {
  const test::TempDir dir;
  net::UnixDatagram sender = bind_or_fail(dir.path("sender"));
  std::array receivers{bind_or_fail(dir.path("a")), bind_or_fail(dir.path("b"))};
  const std::array targets{pathname(dir.path("a")), pathname(dir.path("b"))};
  std::vector<std::string> payloads;
  std::vector<UnixSendDatagram> entries;
  for (std::size_t i = 0; i < 6; ++i) {
    payloads.push_back(payload(i));
  }
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    entries.push_back(UnixSendDatagram{test::bytes_of(payloads[i]), targets[i % 2]});
  }
  std::error_code ec;
  EXPECT_EQ(sender.send_batch(entries, ec), entries.size());
  ASSERT_FALSE(ec) << ec.message();
  for (std::size_t r = 0; r < receivers.size(); ++r) {
    Slots slots(8, 64);
    EXPECT_EQ(receivers[r].recv_batch(slots.slots, ec), 3U);
    EXPECT_FALSE(ec) << ec.message();
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(slots.text(i), payload(2 * i + r));
      EXPECT_EQ(slots.slots[i].from, pathname(dir.path("sender")));
    }
  }
}

TEST_F(UnixDatagramBatch, TruncationIsFlaggedAndEmptyDatagramsAreDatagrams) {
  auto [sender, receiver] = test::open_pair<net::UnixDatagram>();
  const std::string long_one = "longer than its slot";
  const std::array entries{UnixSendDatagram{test::bytes_of(long_one), std::nullopt},
                           UnixSendDatagram{{}, std::nullopt},
                           UnixSendDatagram{test::bytes_of("fits"), std::nullopt}};
  std::error_code ec;
  EXPECT_EQ(sender.send_batch(entries, ec), entries.size());
  ASSERT_FALSE(ec) << ec.message();
  Slots slots(4, 6);
  EXPECT_EQ(receiver.recv_batch(slots.slots, ec), 3U);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(slots.text(0), long_one.substr(0, 6));
  EXPECT_TRUE(slots.slots[0].truncated);
  EXPECT_EQ(slots.slots[1].size, 0U);
  EXPECT_FALSE(slots.slots[1].truncated);
  EXPECT_EQ(slots.text(2), "fits");
  EXPECT_FALSE(slots.slots[2].truncated);
  expect_nothing_queued(receiver);
}

// The short I/O rule for a receive batch: fewer slots filled than given means drained, so the
// next datagram is a new readable event with no would-block call in between, on every backend.
TEST_F(UnixDatagramBatch, AShortReceiveBatchDrainsAndTheNextDatagramIsANewEvent) {
  OPEN_POLL(poll, events(8));
  auto [sender, receiver] = test::open_pair<net::UnixDatagram>();
  REGISTER(poll, receiver, receiver_token, Interest::readable);
  Slots slots(8, 64);
  std::size_t next = 0;
  for (std::size_t count = 1; count <= 4; ++count) {
    const Outgoing outgoing(next, count);
    std::error_code ec;
    ASSERT_EQ(sender.send_batch(outgoing.entries, ec), count) << ec.message();
    test::expect_events(poll, events, {{receiver_token, Ready::readable}});
    EXPECT_EQ(receiver.recv_batch(slots.slots, ec), count);  // short: drained
    EXPECT_FALSE(ec) << ec.message();
    for (std::size_t i = 0; i < count; ++i) {
      EXPECT_EQ(slots.text(i), payload(next + i));
    }
    next += count;
  }
  test::expect_no_events(poll, events);
}

// The short I/O rule for a send batch: fewer entries sent than given means the receiver is full,
// and its draining is a new writable event with no would-block send in between, on every backend.
// A connected Unix datagram socket is the one whose sends fill up on loopback: the receiver's
// queue holds only so many datagrams (net.unix.max_dgram_qlen on Linux).
TEST_F(UnixDatagramBatch, AShortSendBatchFillsAndTheDrainIsANewWritableEvent) {
  OPEN_POLL(poll, events(8));
  auto [sender, receiver] = test::open_pair<net::UnixDatagram>();
  REGISTER(poll, sender, sender_token, Interest::writable);
  test::expect_events(poll, events, {{sender_token, Ready::writable}});
  constexpr std::size_t batch = 2000;  // more than any receiver queue takes
  Slots slots(64, 64);
  std::size_t next = 0;
  for (int round = 0; round < 3; ++round) {
    const Outgoing outgoing(next, batch);
    std::error_code ec;
    const std::size_t sent = sender.send_batch(outgoing.entries, ec);
    ASSERT_FALSE(ec) << "round " << round << ": " << ec.message() << " (a would-block, not short)";
    ASSERT_GT(sent, 0U) << "round " << round;
    ASSERT_LT(sent, batch) << "round " << round << ": the receiver took the whole batch";
    test::expect_no_events(poll, events);  // full: not writable until the receiver drains
    EXPECT_EQ(receive_in_order(receiver, slots, next), sent) << "round " << round;
    next += sent;
    test::expect_events(poll, events, {{sender_token, Ready::writable}});
  }
}

// A send error after some entries ends the batch without an error, as sendmmsg does; sending the
// rest again reports it. A receive of nothing is would-block.
TEST_F(UnixDatagramBatch, AnErrorAfterSomeEntriesEndsTheBatchAndComesBackWithTheRest) {
  const test::TempDir dir;
  net::UnixDatagram receiver = bind_or_fail(dir.path("there"));
  std::error_code ec;
  net::UnixDatagram sender = net::UnixDatagram::unbound(ec);
  ASSERT_FALSE(ec) << ec.message();
  const UnixSocketAddr there = pathname(dir.path("there"));
  const UnixSocketAddr missing = pathname(dir.path("missing"));
  const std::string text = "x";
  const std::array entries{UnixSendDatagram{test::bytes_of(text), there},
                           UnixSendDatagram{test::bytes_of(text), there},
                           UnixSendDatagram{test::bytes_of(text), missing},
                           UnixSendDatagram{test::bytes_of(text), there}};
  EXPECT_EQ(sender.send_batch(entries, ec), 2U);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(sender.send_batch(std::span(entries).subspan(2), ec), 0U);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  EXPECT_EQ(sender.send_batch(std::span(entries).subspan(3), ec), 1U);
  EXPECT_FALSE(ec) << ec.message();
  Slots slots(8, 8);
  EXPECT_EQ(receiver.recv_batch(slots.slots, ec), 3U);
  EXPECT_FALSE(ec) << ec.message();
  expect_nothing_queued(receiver);
  // Nothing to do is nothing done.
  EXPECT_EQ(sender.send_batch({}, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(UnixDatagramBatch, AnEmptySocketReportsBadFileDescriptor) {
  net::UnixDatagram empty;
  Slots slots(1, 8);
  const Outgoing outgoing(0, 1);
  std::error_code ec;
  EXPECT_EQ(empty.recv_batch(slots.slots, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(empty.send_batch(outgoing.entries, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
}

#if MIOCPP_HAS_EXCEPTIONS
TEST_F(UnixDatagramBatch, ThrowingOverloadsThrowTheCode) {
  auto [sender, receiver] = test::open_pair<net::UnixDatagram>();
  Slots slots(2, 16);
  const Outgoing outgoing(0, 1);
  EXPECT_EQ(sender.send_batch(outgoing.entries), 1U);
  EXPECT_EQ(receiver.recv_batch(slots.slots), 1U);
  try {
    (void)receiver.recv_batch(slots.slots);
    ADD_FAILURE() << "no exception";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::operation_would_block);
  }
}
#endif

}  // namespace
