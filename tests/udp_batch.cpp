// UdpSocket::recv_batch and send_batch over IPv4 and IPv6 loopback: batches of one, of many and of
// more than one system call takes, mixed destinations, truncation, the drained-batch readiness
// rule, connected sockets, segmentation offload (GSO/GRO), destination addresses, ECN bits,
// invalid entries, and the error that ends a batch.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/net.hpp"
#include "support/setup.hpp"
#include "support/socket_api.hpp"
#include "support/text.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events, miocpp::Interest, miocpp::Poll, miocpp::Token;
using miocpp::net::IpAddr, miocpp::net::Ipv4Addr, miocpp::net::Ipv6Addr, miocpp::net::SocketAddr;
using miocpp::net::RecvDatagram, miocpp::net::SendDatagram, miocpp::net::UdpSocket;
using test::Ready;

constexpr Token id1{1};

// Segmentation offload is Linux's: elsewhere its calls report not_supported, and the tests say so.
constexpr bool offload_os = MIOCPP_OS_LINUX == 1;

/// Binds `socket` to `at` and reads its address into `address`; false (with the failure
/// recorded) when either fails.
bool bind_to(UdpSocket& socket, const SocketAddr& at, SocketAddr& address) {
  std::error_code ec;
  socket = UdpSocket::bind(at, ec);
  if (!ec) {
    address = socket.local_addr(ec);
  }
  EXPECT_FALSE(ec) << "binding to " << at << ": " << ec.message();
  return !ec;
}

/// Receive slots over one buffer: `count` slots of `size` bytes.
struct Slots {
  Slots(std::size_t count, std::size_t size) : storage(count * size), slots(count) {
    for (std::size_t i = 0; i < count; ++i) {
      slots[i].buffer = std::span(storage).subspan(i * size, size);
    }
  }
  [[nodiscard]] std::string text(std::size_t i) const {
    return test::as_string(slots[i].buffer.first(slots[i].size));
  }
  std::vector<std::byte> storage;
  std::vector<RecvDatagram> slots;
};

/// The payload of datagram `i` of a test: each one different, so order and loss show.
std::string payload(std::size_t i) {
  return "datagram-" + std::to_string(i);
}

/// Payloads 0 to `count` - 1, each sent to `to` (nullopt: the connected peer).
struct Outgoing {
  Outgoing(std::size_t count, const std::optional<SocketAddr>& to) {
    for (std::size_t i = 0; i < count; ++i) {
      texts.push_back(payload(i));
    }
    for (const std::string& text : texts) {
      entries.push_back(SendDatagram{test::bytes_of(text), to});
    }
  }
  std::vector<std::string> texts;
  std::vector<SendDatagram> entries;
};

/// What arrived: each datagram's text and slot.
struct Arrived {
  std::string text;
  RecvDatagram slot;
};

/// Receives `count` datagrams with batches of `slots`, waiting on `poll` (where `socket` is
/// registered readable as id1) whenever a batch would block; stops after 5 s.
std::vector<Arrived> receive(Poll& poll, Events& events, UdpSocket& socket, Slots& slots,
                             std::size_t count) {
  std::vector<Arrived> arrived;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (arrived.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    const std::size_t filled = socket.recv_batch(slots.slots, ec);
    if (ec == std::errc::operation_would_block) {
      EXPECT_EQ(filled, 0U);
      test::wait_for_event(
          poll, events, id1, [](const miocpp::Event& event) { return event.is_readable(); }, 1s);
      continue;
    }
    EXPECT_FALSE(ec) << ec.message();
    if (ec) {
      break;
    }
    for (std::size_t i = 0; i < filled; ++i) {
      arrived.push_back({slots.text(i), slots.slots[i]});
    }
  }
  EXPECT_EQ(arrived.size(), count) << "datagrams received";
  return arrived;
}

/// Expects every datagram of `arrived` to be payload(first + i), from `sender`.
void expect_in_order(const std::vector<Arrived>& arrived, const SocketAddr& sender,
                     std::size_t first = 0) {
  for (std::size_t i = 0; i < arrived.size(); ++i) {
    EXPECT_EQ(arrived[i].text, payload(first + i)) << "datagram " << i;
    EXPECT_EQ(arrived[i].slot.from, sender) << "datagram " << i;
    EXPECT_FALSE(arrived[i].slot.truncated) << "datagram " << i;
    EXPECT_EQ(arrived[i].slot.segment_size, 0U) << "datagram " << i;
  }
}

/// Expects recv_batch to report would-block and fill nothing.
void expect_nothing_queued(UdpSocket& socket) {
  Slots slots(4, 64);
  std::error_code ec;
  EXPECT_EQ(socket.recv_batch(slots.slots, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

/// Sends every entry of `entries` in one batch; the test fails unless all went.
void send_all(UdpSocket& socket, std::span<const SendDatagram> entries) {
  std::error_code ec;
  EXPECT_EQ(socket.send_batch(entries, ec), entries.size());
  EXPECT_FALSE(ec) << ec.message();
}

/// Why this host cannot run an IPv6 test (it has no IPv6 loopback), or empty.
std::string without_ipv6() {
  std::error_code ec;
  const UdpSocket probe = UdpSocket::bind(SocketAddr(Ipv6Addr::localhost(), 0), ec);
  return ec ? "no IPv6 loopback here: " + ec.message() : std::string();
}

enum class Family { ipv4, ipv6 };

/// Each test once over IPv4 and once over IPv6 loopback, with a Poll and, from open_pair, a
/// sender and a receiver registered readable as id1.
class UdpBatch : public testing::TestWithParam<Family> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(poll_ec) << "opening the poll: " << poll_ec.message();
    if (const std::string why = is_v6() ? without_ipv6() : std::string(); !why.empty()) {
      GTEST_SKIP() << why;
    }
  }
  [[nodiscard]] static bool is_v6() { return GetParam() == Family::ipv6; }
  /// 127.0.0.1 or ::1.
  [[nodiscard]] static IpAddr loopback_ip() {
    return is_v6() ? IpAddr(Ipv6Addr::localhost()) : IpAddr(Ipv4Addr::localhost());
  }
  /// 127.0.0.1:port or [::1]:port.
  [[nodiscard]] static SocketAddr loopback(std::uint16_t port = 0) { return {loopback_ip(), port}; }
  /// 0.0.0.0:0 or [::]:0.
  [[nodiscard]] static SocketAddr unspecified() {
    return is_v6() ? SocketAddr(Ipv6Addr(), 0) : SocketAddr(Ipv4Addr(), 0);
  }

  /// Binds the sender to the loopback and the receiver to `receiver_at`, and registers the
  /// receiver; false (with the failure recorded) when a step fails.
  [[nodiscard]] bool open_pair(const SocketAddr& receiver_at = loopback()) {
    if (!bind_to(sender, loopback(), sender_address) ||
        !bind_to(receiver, receiver_at, receiver_address)) {
      return false;
    }
    std::error_code ec;
    poll.registry().register_source(receiver, id1, Interest::readable, ec);
    EXPECT_FALSE(ec) << "registering: " << ec.message();
    return !ec;
  }

  std::error_code poll_ec;
  Poll poll{poll_ec};
  Events events{8};
  UdpSocket sender;
  UdpSocket receiver;
  SocketAddr sender_address;
  SocketAddr receiver_address;
};

std::string family_name(const testing::TestParamInfo<Family>& info) {
  return info.param == Family::ipv4 ? "ipv4" : "ipv6";
}
INSTANTIATE_TEST_SUITE_P(Loopback, UdpBatch, testing::Values(Family::ipv4, Family::ipv6),
                         family_name);

TEST_P(UdpBatch, ABatchOfOne) {
  ASSERT_TRUE(open_pair());
  expect_nothing_queued(receiver);

  const Outgoing outgoing(1, receiver_address);
  send_all(sender, outgoing.entries);
  Slots slots(1, 64);
  const std::vector<Arrived> arrived = receive(poll, events, receiver, slots, 1);
  expect_in_order(arrived, sender_address);
  expect_nothing_queued(receiver);
}

TEST_P(UdpBatch, ABatchOfManyArrivesInOrderAndAShortBatchMeansDrained) {
  constexpr std::size_t count = 100;
  ASSERT_TRUE(open_pair());

  const Outgoing outgoing(count, receiver_address);
  send_all(sender, outgoing.entries);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  Slots slots(count + 28, 64);
  const std::vector<Arrived> arrived = receive(poll, events, receiver, slots, count);
  expect_in_order(arrived, sender_address);
  expect_nothing_queued(receiver);
}

// 2,000 entries in one send_batch, spread over 8 receivers (so that no receive queue overflows),
// and each receiver drained with a batch of 2,000 slots: both directions go past one system call
// (64 datagrams a call here) and past what the kernel takes in one (UIO_MAXIOV, 1024).
TEST_P(UdpBatch, BatchesLargerThanTheKernelTakes) {
  constexpr std::size_t count = 2000;
  constexpr std::size_t receivers = 8;
  ASSERT_TRUE(open_pair());
  std::vector<UdpSocket> sockets;
  std::vector<SocketAddr> addresses;
  for (std::size_t r = 0; r < receivers; ++r) {
    UdpSocket socket;
    SocketAddr address;
    ASSERT_TRUE(bind_to(socket, loopback(), address));
    std::error_code ec;
    socket.set_recv_buffer_size(std::size_t{1} << 20U, ec);  // best effort
    sockets.push_back(std::move(socket));
    addresses.push_back(address);
  }
  Outgoing outgoing(count, std::nullopt);
  for (std::size_t i = 0; i < count; ++i) {
    outgoing.entries[i].to = addresses[i % receivers];
  }
  send_all(sender, outgoing.entries);

  Slots slots(count, 32);
  for (std::size_t r = 0; r < receivers; ++r) {
    OPEN_POLL(one);
    REGISTER(one, sockets[r], id1, Interest::readable);
    const std::vector<Arrived> arrived = receive(one, events, sockets[r], slots, count / receivers);
    for (std::size_t i = 0; i < arrived.size(); ++i) {
      EXPECT_EQ(arrived[i].text, payload(i * receivers + r)) << "receiver " << r;
      EXPECT_EQ(arrived[i].slot.from, sender_address);
    }
    expect_nothing_queued(sockets[r]);
  }
}

TEST_P(UdpBatch, TruncationIsFlaggedAndTheRestIsLost) {
  ASSERT_TRUE(open_pair());
  const std::string longer(100, 'x');
  const std::string shorter = "fits";
  const std::array<SendDatagram, 2> entries{
      SendDatagram{test::bytes_of(longer), receiver_address},
      SendDatagram{test::bytes_of(shorter), receiver_address}};
  send_all(sender, entries);
  Slots slots(2, 10);
  const std::vector<Arrived> arrived = receive(poll, events, receiver, slots, 2);
  ASSERT_EQ(arrived.size(), 2U);
  EXPECT_EQ(arrived[0].text, longer.substr(0, 10));
  EXPECT_EQ(arrived[0].slot.size, 10U);
  EXPECT_TRUE(arrived[0].slot.truncated);
  EXPECT_EQ(arrived[1].text, shorter);
  EXPECT_FALSE(arrived[1].slot.truncated);
  expect_nothing_queued(receiver);
}

// The short I/O rule, for batches: a batch that fills fewer slots than it was given has drained
// the socket, so the next datagram is a new readable event -- with no call that would block in
// between, on every backend (poll(2), WASI and Windows re-arm on the short batch).
TEST_P(UdpBatch, AShortBatchDrainsAndTheNextDatagramIsANewEvent) {
  ASSERT_TRUE(open_pair());
  Slots slots(8, 64);
  for (std::size_t round = 0; round < 4; ++round) {
    const Outgoing outgoing(round + 1, receiver_address);
    send_all(sender, outgoing.entries);
    test::expect_events(poll, events, {{id1, Ready::readable}});
    std::size_t got = 0;
    // Under wine datagrams may surface one at a time; take them until all are in, each batch
    // short.
    while (got < round + 1) {
      std::error_code ec;
      const std::size_t filled = receiver.recv_batch(slots.slots, ec);
      ASSERT_FALSE(ec) << "round " << round << ": " << ec.message();
      ASSERT_GT(filled, 0U);
      ASSERT_LT(filled, slots.slots.size());
      for (std::size_t i = 0; i < filled; ++i) {
        EXPECT_EQ(slots.text(i), payload(got + i)) << "round " << round;
      }
      got += filled;
      if (got < round + 1) {
        test::expect_events(poll, events, {{id1, Ready::readable}});
      }
    }
  }
  // A partial batch, then would-block: the other way to know the queue is empty.
  const Outgoing last(2, receiver_address);
  send_all(sender, last.entries);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  (void)receive(poll, events, receiver, slots, 2);
  expect_nothing_queued(receiver);
  test::expect_no_events(poll, events);
}

TEST_P(UdpBatch, ConnectedSocketSendsToItsPeer) {
  ASSERT_TRUE(open_pair());
  ASSERT_STEP(sender.connect(receiver_address, step_ec));
  ASSERT_STEP(receiver.connect(sender_address, step_ec));
  const Outgoing outgoing(5, std::nullopt);
  send_all(sender, outgoing.entries);
  Slots slots(8, 64);
  expect_in_order(receive(poll, events, receiver, slots, 5), sender_address);
}

TEST_P(UdpBatch, TheDestinationOfASocketBoundToTheUnspecifiedAddress) {
  ASSERT_TRUE(open_pair(unspecified()));
  const SocketAddr target = loopback(receiver_address.port());
  Slots slots(4, 64);

  // Off by default: no destination.
  const Outgoing before(1, target);
  send_all(sender, before.entries);
  std::vector<Arrived> arrived = receive(poll, events, receiver, slots, 1);
  ASSERT_EQ(arrived.size(), 1U);
  EXPECT_FALSE(arrived[0].slot.destination.has_value());

  ASSERT_STEP(receiver.set_receive_destination(true, step_ec));
  std::error_code ec;
  EXPECT_TRUE(receiver.receive_destination(ec));
  EXPECT_FALSE(ec) << ec.message();
  const Outgoing after(2, target);
  send_all(sender, after.entries);
  arrived = receive(poll, events, receiver, slots, 2);
  for (const Arrived& one : arrived) {
    EXPECT_EQ(one.slot.destination, std::optional<IpAddr>(loopback_ip()));
  }
}

TEST_P(UdpBatch, EcnBitsOfTheSendingSocketAreReported) {
  ASSERT_TRUE(open_pair());
  ASSERT_STEP(receiver.set_receive_ecn(true, step_ec));
  std::error_code ec;
  EXPECT_TRUE(receiver.receive_ecn(ec));
  EXPECT_FALSE(ec) << ec.message();
  Slots slots(8, 64);

  // The bits the sending socket's TOS or traffic class carries (DSCP 8, ECT(0)). wine 8 refuses
  // IPV6_TCLASS (README, Socket options), so there the IPv6 case waits for Windows itself.
  constexpr std::uint32_t tos = 0x22;
  is_v6() ? sender.set_tclass_v6(tos, ec) : sender.set_tos(tos, ec);
  if (ec == std::errc::not_supported && test::running_under_wine()) {
    GTEST_SKIP() << "wine refuses IPV6_TCLASS";
  }
  ASSERT_FALSE(ec) << ec.message();
  const Outgoing plain(2, receiver_address);
  send_all(sender, plain.entries);
  const std::vector<Arrived> arrived = receive(poll, events, receiver, slots, 2);
  for (const Arrived& one : arrived) {
    EXPECT_EQ(one.slot.ecn, tos & 3U);
  }
}

// Each entry's own bits, to an address and to the connected peer. Windows takes them as an
// IP_ECN / IPV6_ECN message, which wine drops.
TEST_P(UdpBatch, EcnBitsOfEachEntryRoundTrip) {
  if (test::running_under_wine()) {
    GTEST_SKIP() << "wine passes no control data of WSASendMsg on (IP_ECN), so the ECN bits of "
                    "each entry cannot be checked here";
  }
  ASSERT_TRUE(open_pair());
  ASSERT_STEP(receiver.set_receive_ecn(true, step_ec));
  Slots slots(8, 64);
  Outgoing outgoing(4, receiver_address);
  for (std::size_t i = 0; i < 4; ++i) {
    outgoing.entries[i].ecn = static_cast<std::uint8_t>(i);
  }
  send_all(sender, outgoing.entries);
  const std::vector<Arrived> arrived = receive(poll, events, receiver, slots, 4);
  for (std::size_t i = 0; i < arrived.size(); ++i) {
    EXPECT_EQ(arrived[i].text, payload(i));
    EXPECT_EQ(arrived[i].slot.ecn, i) << "datagram " << i;
  }

  // To the connected peer: the socket's family decides how the bits go.
  ASSERT_STEP(sender.connect(receiver_address, step_ec));
  for (SendDatagram& entry : outgoing.entries) {
    entry.to.reset();
  }
  send_all(sender, outgoing.entries);
  const std::vector<Arrived> connected = receive(poll, events, receiver, slots, 4);
  for (std::size_t i = 0; i < connected.size(); ++i) {
    EXPECT_EQ(connected[i].slot.ecn, i) << "datagram " << i << " to the connected peer";
  }
}

TEST_P(UdpBatch, InvalidEntriesAreRefusedBeforeAnythingIsSent) {
  ASSERT_TRUE(open_pair());
  const std::vector<std::byte> big(std::size_t{64} * 100 + 1);
  const std::string small = "small";
  const SendDatagram good{test::bytes_of(small), receiver_address};
  const std::array<SendDatagram, 3> bad{
      SendDatagram{test::bytes_of(small), receiver_address, miocpp::net::max_udp_payload + 1},
      SendDatagram{big, receiver_address, 100},  // 65 segments of 100 bytes
      SendDatagram{test::bytes_of(small), receiver_address, 0, 4}};
  for (const SendDatagram& entry : bad) {
    // The bad entry last: the good ones before it must not go either.
    const std::array<SendDatagram, 3> batch{good, good, entry};
    std::error_code ec;
    EXPECT_EQ(sender.send_batch(batch, ec), 0U);
    EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  }
  std::error_code ec;
  sender.set_segment_size(miocpp::net::max_udp_payload + 1, ec);
  EXPECT_EQ(ec, offload_os ? std::errc::invalid_argument : std::errc::not_supported)
      << ec.message();
  std::this_thread::sleep_for(50ms);
  expect_nothing_queued(receiver);
}

// A segment size is cut where the OS has GSO (Linux), and refused with not_supported elsewhere
// (Windows, the BSDs, Apple systems), before anything of the batch is sent.
TEST_P(UdpBatch, ASegmentSizeIsCutOrRefusedBeforeAnythingIsSent) {
  ASSERT_TRUE(open_pair());
  const std::string whole = "whole", cut = "aaaabbbbcc";
  const std::array<SendDatagram, 2> batch{SendDatagram{test::bytes_of(whole), receiver_address},
                                          SendDatagram{test::bytes_of(cut), receiver_address, 4}};
  std::error_code ec;
  const std::size_t sent = sender.send_batch(batch, ec);
  if (!offload_os) {
    EXPECT_EQ(sent, 0U);
    EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
    std::this_thread::sleep_for(50ms);
    expect_nothing_queued(receiver);
    return;
  }
  if (ec == std::errc::not_supported) {
    GTEST_SKIP() << "this kernel has no UDP_SEGMENT (Linux 4.18)";
  }
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(sent, 2U);
  Slots slots(8, 64);
  const std::vector<Arrived> arrived = receive(poll, events, receiver, slots, 4);
  ASSERT_EQ(arrived.size(), 4U);
  EXPECT_EQ(arrived[0].text, "whole");
  EXPECT_EQ(arrived[1].text, "aaaa");
  EXPECT_EQ(arrived[2].text, "bbbb");
  EXPECT_EQ(arrived[3].text, "cc");
}

// An entry that fails after others went ends the batch with them, and no error, as sendmmsg
// does; sending the rest again reports the error.
TEST_P(UdpBatch, AnErrorAfterSomeEntriesEndsTheBatchAndComesBackWithTheRest) {
  ASSERT_TRUE(open_pair());
  // An address of the other family, which this socket cannot send to.
  const SocketAddr unreachable = is_v6()
                                     ? SocketAddr(Ipv4Addr::localhost(), receiver_address.port())
                                     : SocketAddr(Ipv6Addr::localhost(), receiver_address.port());
  Outgoing outgoing(3, receiver_address);
  outgoing.entries[2].to = unreachable;
  std::error_code ec;
  EXPECT_EQ(sender.send_batch(outgoing.entries, ec), 2U);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(sender.send_batch(std::span(outgoing.entries).subspan(2), ec), 0U);
  EXPECT_TRUE(ec) << "sending the failed entry again reports its error";
  Slots slots(4, 64);
  expect_in_order(receive(poll, events, receiver, slots, 2), sender_address);
}

// ---- Segmentation offload -----------------------------------------------------------------------

/// Switches GRO on `socket` on. Where the OS has none, expects not_supported and ends the test;
/// where the running kernel has none, reports the test skipped.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): GTEST_SKIP must sit in the test body
#define EXPECT_GRO_OR_RETURN(socket)                                   \
  do {                                                                 \
    std::error_code gro_ec;                                            \
    (socket).set_gro(true, gro_ec);                                    \
    if (!offload_os) {                                                 \
      EXPECT_EQ(gro_ec, std::errc::not_supported) << gro_ec.message(); \
      return;                                                          \
    }                                                                  \
    if (gro_ec == std::errc::not_supported) {                          \
      GTEST_SKIP() << "this kernel has no UDP_GRO (Linux 5.0)";        \
    }                                                                  \
    ASSERT_FALSE(gro_ec) << gro_ec.message();                          \
  } while (false)

// GSO cuts one entry into segments; a receiver without GRO gets them as datagrams, one with GRO
// as one slot that says the segment size.
TEST_P(UdpBatch, SegmentationOffloadRoundTrip) {
  constexpr std::size_t segment = 1000;
  ASSERT_TRUE(open_pair());  // the receiver gets the segments as datagrams
  UdpSocket coalescing;
  SocketAddr coalescing_address;
  ASSERT_TRUE(bind_to(coalescing, loopback(), coalescing_address));
  EXPECT_GRO_OR_RETURN(coalescing);
  std::error_code ec;
  EXPECT_TRUE(coalescing.gro(ec));
  EXPECT_FALSE(ec) << ec.message();
  std::vector<std::byte> bytes(segment * 10 + 500);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::byte>(i / segment + 'a');
  }
  const std::array<SendDatagram, 2> entries{SendDatagram{bytes, receiver_address, segment},
                                            SendDatagram{bytes, coalescing_address, segment}};
  const std::size_t sent = sender.send_batch(entries, ec);
  if (ec == std::errc::not_supported) {
    GTEST_SKIP() << "this kernel has no UDP_SEGMENT (Linux 4.18)";
  }
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(sent, 2U);

  Slots slots(16, 65536);
  {
    const std::vector<Arrived> arrived = receive(poll, events, receiver, slots, 11);
    for (std::size_t i = 0; i < arrived.size(); ++i) {
      EXPECT_EQ(arrived[i].slot.size, i < 10 ? segment : 500) << "segment " << i;
      EXPECT_EQ(arrived[i].text, std::string(arrived[i].slot.size, static_cast<char>('a' + i)));
      EXPECT_EQ(arrived[i].slot.from, sender_address);
    }
  }
  {
    OPEN_POLL(gro_poll);
    REGISTER(gro_poll, coalescing, id1, Interest::readable);
    std::vector<Arrived> arrived;
    std::size_t total = 0;
    while (total < bytes.size() && arrived.size() < 11) {
      std::vector<Arrived> more = receive(gro_poll, events, coalescing, slots, 1);
      if (more.empty()) {
        break;
      }
      total += more[0].slot.size;
      arrived.push_back(std::move(more[0]));
    }
    ASSERT_EQ(total, bytes.size());
    EXPECT_EQ(arrived.size(), 1U) << "loopback hands the whole run to a GRO socket";
    EXPECT_EQ(arrived[0].slot.segment_size, segment);
    EXPECT_EQ(test::as_string(bytes), arrived[0].text);
  }
}

// UDP_SEGMENT on the socket cuts every send, as an entry's segment_size does.
TEST_P(UdpBatch, SocketWideSegmentSize) {
  ASSERT_TRUE(open_pair());
  std::error_code ec;
  sender.set_segment_size(300, ec);
  if (!offload_os) {
    EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
    const std::array<SendDatagram, 1> entry{SendDatagram{test::bytes_of("x"), receiver_address, 1}};
    EXPECT_EQ(sender.send_batch(entry, ec), 0U);
    EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
    return;
  }
  if (ec == std::errc::not_supported) {
    GTEST_SKIP() << "this kernel has no UDP_SEGMENT (Linux 4.18)";
  }
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(sender.segment_size(ec), 300U);
  EXPECT_FALSE(ec) << ec.message();
  const std::string text(700, 's');
  const std::array<SendDatagram, 1> entry{SendDatagram{test::bytes_of(text), receiver_address}};
  send_all(sender, entry);
  Slots slots(8, 2048);
  const std::vector<Arrived> arrived = receive(poll, events, receiver, slots, 3);
  for (std::size_t i = 0; i < arrived.size(); ++i) {
    EXPECT_EQ(arrived[i].slot.size, i < 2 ? 300U : 100U);
  }
  sender.set_segment_size(0, ec);
  EXPECT_FALSE(ec) << ec.message();
}

// ---- A dual-stack socket ------------------------------------------------------------------------

/// An IPv6 UDP socket bound to [::]:0 with IPV6_V6ONLY off (Windows and the BSDs default to on,
/// and UdpSocket::bind binds at once), so that it talks to both families.
UdpSocket dual_stack_socket(std::error_code& ec) {
  const test::NativeSocket fd = test::raw_socket(AF_INET6, SOCK_DGRAM);
  if (fd == test::invalid_socket) {
    ec = test::last_socket_error();
    return {};
  }
  UdpSocket socket = UdpSocket::from_native(fd);
  socket.set_only_v6(false, ec);
  ::sockaddr_in6 any{};
  any.sin6_family = AF_INET6;
  if (!ec && ::bind(fd,
                    reinterpret_cast<const ::sockaddr*>(&any),  // NOLINT(*-reinterpret-cast)
                    sizeof any) != 0) {
    ec = test::last_socket_error();
  }
  return socket;
}

/// ::ffff:127.0.0.1, the IPv4 loopback as a dual-stack socket names it.
constexpr Ipv6Addr mapped_localhost{0, 0, 0, 0, 0, 0xffff, 0x7f00, 1};

class UdpBatchDualStack : public testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = without_ipv6(); !why.empty()) {
      GTEST_SKIP() << why;
    }
  }
};

// One batch to both families from one socket, and one batch receiving from both, each datagram
// with its sender and (with set_receive_destination) the address it was sent to, in the socket's
// family: IPv4 as IPv4-mapped.
TEST_F(UdpBatchDualStack, MixedFamiliesInOneBatch) {
  std::error_code ec;
  UdpSocket dual = dual_stack_socket(ec);
  ASSERT_FALSE(ec) << ec.message();
  const SocketAddr dual_address = dual.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  UdpSocket v4;
  UdpSocket v6;
  SocketAddr v4_address;
  SocketAddr v6_address;
  ASSERT_TRUE(bind_to(v4, SocketAddr(Ipv4Addr::localhost(), 0), v4_address));
  ASSERT_TRUE(bind_to(v6, SocketAddr(Ipv6Addr::localhost(), 0), v6_address));
  ASSERT_STEP(dual.set_receive_destination(true, step_ec));
  EXPECT_TRUE(dual.receive_destination(ec));

  // ECN bits too, each family's own way (wine drops them: see EcnBitsOfEachEntryRoundTrip).
  const bool bits_arrive = !test::running_under_wine();
  ASSERT_STEP(v4.set_receive_ecn(true, step_ec));
  ASSERT_STEP(v6.set_receive_ecn(true, step_ec));
  Outgoing outgoing(6, std::nullopt);
  for (std::size_t i = 0; i < 6; ++i) {
    outgoing.entries[i].ecn = static_cast<std::uint8_t>(1 + i % 3);
    outgoing.entries[i].to =
        i % 2 == 0 ? SocketAddr(mapped_localhost, v4_address.port()) : v6_address;
  }
  send_all(dual, outgoing.entries);
  Slots slots(8, 64);
  for (UdpSocket* receiver : {&v4, &v6}) {
    const bool is_v4 = receiver == &v4;
    OPEN_POLL(poll, events(8));
    REGISTER(poll, *receiver, id1, Interest::readable);
    const std::vector<Arrived> arrived = receive(poll, events, *receiver, slots, 3);
    for (std::size_t i = 0; i < arrived.size(); ++i) {
      const std::size_t sent = 2 * i + (is_v4 ? 0 : 1);
      EXPECT_EQ(arrived[i].text, payload(sent));
      EXPECT_EQ(arrived[i].slot.ecn, bits_arrive ? 1 + sent % 3 : 0) << "datagram " << sent;
      EXPECT_EQ(arrived[i].slot.from, is_v4
                                          ? SocketAddr(Ipv4Addr::localhost(), dual_address.port())
                                          : SocketAddr(Ipv6Addr::localhost(), dual_address.port()));
    }
    const Outgoing reply(
        1, SocketAddr(is_v4 ? IpAddr(Ipv4Addr::localhost()) : IpAddr(Ipv6Addr::localhost()),
                      dual_address.port()));
    send_all(*receiver, reply.entries);
  }

  OPEN_POLL(poll, events(8));
  REGISTER(poll, dual, id1, Interest::readable);
  const std::vector<Arrived> arrived = receive(poll, events, dual, slots, 2);
  ASSERT_EQ(arrived.size(), 2U);
  EXPECT_EQ(arrived[0].slot.from, SocketAddr(mapped_localhost, v4_address.port()));
  EXPECT_EQ(arrived[0].slot.destination, std::optional<IpAddr>(mapped_localhost));
  EXPECT_EQ(arrived[1].slot.from, v6_address);
  EXPECT_EQ(arrived[1].slot.destination, std::optional<IpAddr>(Ipv6Addr::localhost()));
}

// ---- Empty sockets, the throwing overloads, the error that ends a batch
// --------------------------

TEST(UdpBatchCalls, AnEmptySocketReportsBadFileDescriptor) {
  UdpSocket empty;
  Slots slots(2, 16);
  const std::array<SendDatagram, 1> entry{
      SendDatagram{test::bytes_of("x"), SocketAddr(Ipv4Addr::localhost(), 9)}};
  std::error_code ec;
  EXPECT_EQ(empty.recv_batch(slots.slots, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(empty.send_batch(entry, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  empty.set_receive_ecn(true, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(UdpBatchCalls, ThrowingOverloadsThrowTheCode) {
  UdpSocket socket;
  SocketAddr address;
  ASSERT_TRUE(bind_to(socket, SocketAddr(Ipv4Addr::localhost(), 0), address));
  Slots slots(2, 16);
  try {
    (void)socket.recv_batch(slots.slots);
    ADD_FAILURE() << "recv_batch on an empty queue did not throw";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::operation_would_block);
  }
  const std::array<SendDatagram, 1> bad{SendDatagram{test::bytes_of("x"), std::nullopt, 0, 9}};
  try {
    (void)socket.send_batch(bad);
    ADD_FAILURE() << "send_batch of an invalid entry did not throw";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::invalid_argument);
  }
  socket.set_receive_destination(true);
  EXPECT_TRUE(socket.receive_destination());
}
#endif

// An error that ends a receive batch after some datagrams is held for the next batch; a
// would-block there only says the queue was drained. (The OS cannot be made to fail in the
// middle of a batch on cue, so the rule itself is checked.)
TEST(UdpBatchCalls, AnErrorAfterSomeDatagramsComesWithTheNextBatch) {
  miocpp::net::detail::DeferredError deferred;
  std::error_code ec = std::make_error_code(std::errc::connection_refused);
  EXPECT_EQ(deferred.keep_after(3, ec), 3U);
  EXPECT_FALSE(ec);
  miocpp::net::detail::DeferredError moved = std::move(deferred);
  std::error_code next;
  EXPECT_FALSE(deferred.take(next));
  EXPECT_TRUE(moved.take(next));
  EXPECT_EQ(next, std::errc::connection_refused);
  EXPECT_FALSE(moved.take(next));
  ec = std::make_error_code(std::errc::operation_would_block);
  EXPECT_EQ(moved.keep_after(2, ec), 2U);
  EXPECT_FALSE(ec);
  EXPECT_FALSE(moved.take(next));
  ec = std::make_error_code(std::errc::operation_would_block);
  EXPECT_EQ(moved.keep_after(0, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block);
}

}  // namespace
