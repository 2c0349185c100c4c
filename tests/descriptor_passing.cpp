// Passing open descriptors over Unix-domain sockets (SCM_RIGHTS): send_with_fds and
// recv_with_fds of UnixStream and UnixDatagram, posix::OwnedFd, what every error path closes
// (each test counts this process's descriptors before and after), and the calls driven by a Poll.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/allocation_counter.hpp"
#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/io.hpp"
#include "support/net.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"
#include "support/uds.hpp"
#include <miocpp/miocpp.hpp>

namespace {

namespace net = miocpp::net;
using miocpp::Interest, miocpp::Token;
using miocpp::posix::OwnedFd;
using test::Ready;

constexpr Token token{7};

static_assert(std::is_nothrow_move_constructible_v<OwnedFd> &&
              std::is_nothrow_move_assignable_v<OwnedFd> && !std::is_copy_constructible_v<OwnedFd>);
static_assert(net::max_fds_per_message == 253);

/// The suite: every test leaves the process's descriptors as it found them.
class DescriptorPassing : public test::LeakChecked<> {};

/// The tests that run on a stream and on a datagram socket alike, as DescriptorPassing's.
template <class Socket>
class DescriptorPassingBoth : public test::LeakChecked<> {};

/// Names the typed tests by the kind of socket.
struct KindName {
  template <class Socket>
  static std::string GetName(int /*index*/) {  // NOLINT(readability-identifier-naming)
    return std::is_same_v<Socket, net::UnixStream> ? "Stream" : "Datagram";
  }
};

using Kinds = ::testing::Types<net::UnixStream, net::UnixDatagram>;
TYPED_TEST_SUITE(DescriptorPassingBoth, Kinds, KindName);

/// The open file behind `fd` (device, inode): a passed descriptor names the file that was sent.
std::pair<dev_t, ino_t> file_of(int fd) {
  struct ::stat status {};
  EXPECT_EQ(::fstat(fd, &status), 0) << "fd " << fd;
  return {status.st_dev, status.st_ino};
}

/// Whether a raw, non-blocking pipe's reading end reports end-of-file: no writing end is open
/// anywhere in the process (nor in flight).
bool writer_gone(const test::RawPipe& pipe) {
  char byte = 0;
  return ::read(pipe.read_end.get(), &byte, 1) == 0;
}

/// Sends `text` with `fds`; expects all of it to go.
template <class Socket>
void send_with(Socket& socket, std::string_view text, std::span<const int> fds) {
  std::error_code ec;
  EXPECT_EQ(socket.send_with_fds(test::bytes_of(text), fds, ec), text.size());
  EXPECT_FALSE(ec) << ec.message();
}

/// What one recv_with_fds gave, with room for `room` descriptors.
struct Received {
  std::string text;
  std::vector<OwnedFd> fds;  // all the slots given: the first `count` received
  std::size_t count = 0;
  std::error_code ec;
};

template <class Socket>
Received receive(Socket& socket, std::size_t room) {
  Received out;
  out.fds.resize(room);
  std::array<std::byte, 64> buffer{};
  const net::ReceivedWithFds got = socket.recv_with_fds(buffer, out.fds, out.ec);
  out.text = test::as_string(std::span(buffer).first(got.bytes));
  out.count = got.fds;
  for (std::size_t i = 0; i < room; ++i) {
    EXPECT_EQ(static_cast<bool>(out.fds[i]), i < got.fds) << "slot " << i;
  }
  return out;
}

/// Expects one recv_with_fds to give `text` and `count` descriptors without error.
template <class Socket>
Received expect_received(Socket& socket, std::string_view text, std::size_t count) {
  Received got = receive(socket, count + 1);
  EXPECT_FALSE(got.ec) << got.ec.message();
  EXPECT_EQ(got.text, text);
  EXPECT_EQ(got.count, count);
  return got;
}

TEST_F(DescriptorPassing, OwnedFdOwnsOneDescriptor) {
  test::RawPipe pipe = test::make_raw_pipe();
  OwnedFd empty;
  EXPECT_FALSE(empty);
  EXPECT_EQ(empty.get(), -1);
  OwnedFd owner(pipe.write_end.release());
  ASSERT_TRUE(owner);
  OwnedFd moved = std::move(owner);
  EXPECT_FALSE(owner);  // NOLINT(bugprone-use-after-move): moved-from is empty
  const int fd = moved.release();
  EXPECT_FALSE(moved);
  moved.reset(fd);
  EXPECT_EQ(moved.get(), fd);
  EXPECT_FALSE(writer_gone(pipe));
  moved.reset();
  EXPECT_TRUE(writer_gone(pipe));
}

TEST_F(DescriptorPassing, APipesWriteEndWritesIntoTheOriginalReadEnd) {
  test::PipeEnds ends = test::open_pipe();
  auto pair = test::open_pair<net::UnixStream>();
  const std::array fds{ends.sender.native_handle()};
  send_with(pair.first, "p", fds);
  ends.sender = {};  // only the descriptor in flight keeps the pipe's writing side open

  Received got = expect_received(pair.second, "p", 1);
  ASSERT_TRUE(got.fds[0]);
  EXPECT_TRUE(test::is_close_on_exec(got.fds[0].get()));
  auto sender = miocpp::posix::pipe::Sender::from_native(got.fds[0].release());
  test::write_all(sender, "through the passed end");
  test::expect_read(ends.receiver, "through the passed end");
  sender = {};
  test::expect_read(ends.receiver, "");  // end of file: no writing end is left
}

TEST_F(DescriptorPassing, AConnectedTcpStreamWorksInTheReceiver) {
  OPEN_PAIR(tcp, test::any_local_address());
  auto pair = test::open_pair<net::UnixStream>();
  const std::array fds{tcp.server.native_handle()};
  send_with(pair.first, "conn", fds);
  tcp.server = {};

  Received got = expect_received(pair.second, "conn", 1);
  net::TcpStream stream = net::TcpStream::from_native(got.fds[0].release());
  std::error_code ec;
  EXPECT_EQ(stream.peer_addr(ec), tcp.client.local_addr(ec));
  OPEN_POLL(poll, events(8));
  REGISTER(poll, stream, token, Interest::readable);
  test::write_all(tcp.client, "hello");
  test::expect_events(poll, events, {{token, Ready::readable}});
  test::expect_read(stream, "hello");
  test::write_all(stream, "back");
  ASSERT_TRUE(test::raw_wait(tcp.client.native_handle(), POLLIN));
  test::expect_read(tcp.client, "back");
}

TEST_F(DescriptorPassing, AHundredDescriptorsInOneMessage) {
  test::RawPipe pipe = test::make_raw_pipe();
  std::vector<test::OwnedFd> copies;
  std::vector<int> fds;
  for (int i = 0; i < 100; ++i) {
    copies.emplace_back(::fcntl(pipe.write_end.get(), F_DUPFD_CLOEXEC, 0));
    fds.push_back(copies.back().get());
  }
  auto pair = test::open_pair<net::UnixStream>();
  send_with(pair.first, "many", fds);

  const Received got = expect_received(pair.second, "many", 100);
  for (std::size_t i = 0; i < got.count; ++i) {
    EXPECT_EQ(file_of(got.fds[i].get()), file_of(pipe.write_end.get())) << "slot " << i;
    EXPECT_TRUE(test::is_close_on_exec(got.fds[i].get())) << "slot " << i;
  }
}

TEST_F(DescriptorPassing, ExactlyTheCapGoesAndOneMoreIsRefusedBeforeSending) {
  test::RawPipe pipe = test::make_raw_pipe();
  auto stream = test::open_pair<net::UnixStream>();
  auto datagram = test::open_pair<net::UnixDatagram>();
  std::vector<int> fds(net::max_fds_per_message + 1, pipe.write_end.get());
  std::error_code ec;
  EXPECT_EQ(stream.first.send_with_fds(test::bytes_of("x"), fds, ec), 0U);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_EQ(datagram.first.send_with_fds(test::bytes_of("x"), fds, ec), 0U);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_EQ(receive(stream.second, 1).ec, std::errc::operation_would_block);
  EXPECT_EQ(receive(datagram.second, 1).ec, std::errc::operation_would_block);

  fds.pop_back();  // the same descriptor 253 times: 253 new ones on the other side
  send_with(datagram.first, "cap", fds);
  const Received got = expect_received(datagram.second, "cap", net::max_fds_per_message);
  EXPECT_EQ(file_of(got.fds.front().get()), file_of(got.fds[got.count - 1].get()));
}

// Ten sent, room for three: the three are closed too, and the bytes are not lost.
TYPED_TEST(DescriptorPassingBoth, TruncatedControlDataClosesAllAndKeepsTheBytes) {
  test::RawPipe pipe = test::make_raw_pipe();
  auto pair = test::open_pair<TypeParam>();
  const std::vector<int> fds(10, pipe.write_end.get());
  send_with(pair.first, "truncated", fds);
  const Received got = receive(pair.second, 3);
  EXPECT_EQ(got.ec, std::errc::message_size) << got.ec.message();
  EXPECT_EQ(got.text, "truncated");
  EXPECT_EQ(got.count, 0U);
  pipe.write_end.reset();
  EXPECT_TRUE(writer_gone(pipe)) << "a received descriptor was left open";
  test::write_all(pair.first, "after");
  expect_received(pair.second, "after", 0);
}

TEST_F(DescriptorPassing, NoRoomForDescriptorsIsTruncationToo) {
  test::RawPipe pipe = test::make_raw_pipe();
  auto pair = test::open_pair<net::UnixStream>();
  const std::array fds{pipe.write_end.get()};
  send_with(pair.first, "none", fds);
  const Received got = receive(pair.second, 0);
  EXPECT_EQ(got.ec, std::errc::message_size) << got.ec.message();
  EXPECT_EQ(got.text, "none");
  pipe.write_end.reset();
  EXPECT_TRUE(writer_gone(pipe));
}

TEST_F(DescriptorPassing, AStreamNeedsBytesToCarryDescriptors) {
  test::RawPipe pipe = test::make_raw_pipe();
  auto pair = test::open_pair<net::UnixStream>();
  const std::array fds{pipe.write_end.get()};
  std::error_code ec;
  EXPECT_EQ(pair.first.send_with_fds({}, fds, ec), 0U);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  std::array<OwnedFd, 1> slots;
  EXPECT_EQ(pair.second.recv_with_fds({}, slots, ec).bytes, 0U);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_EQ(receive(pair.second, 1).ec, std::errc::operation_would_block);  // nothing was sent
}

TEST_F(DescriptorPassing, AReadEndsWithTheBytesThatCameWithDescriptors) {
  test::RawPipe pipe = test::make_raw_pipe();
  auto pair = test::open_pair<net::UnixStream>();
  const std::array fds{pipe.write_end.get()};
  test::write_all(pair.first, "plain ");
  send_with(pair.first, "ab", fds);
  send_with(pair.first, "cd", fds);
  expect_received(pair.second, "plain ab", 1);
  expect_received(pair.second, "cd", 1);
  EXPECT_EQ(receive(pair.second, 1).ec, std::errc::operation_would_block);
}

// Bytes queued behind a message that carried descriptors are no new edge on epoll and kqueue:
// only reading on until would-block finds them. poll(2) re-arms on the short read.
TEST_F(DescriptorPassing, BytesLeftAfterAReadThatBroughtDescriptorsAreNoNewEvent) {
  OPEN_POLL(poll, events(8));
  test::RawPipe pipe = test::make_raw_pipe();
  auto pair = test::open_pair<net::UnixStream>();
  REGISTER(poll, pair.second, token, Interest::readable);
  const std::array fds{pipe.write_end.get()};
  send_with(pair.first, "ab", fds);
  test::write_all(pair.first, "cd");
  test::expect_events(poll, events, {{token, Ready::readable}});
  expect_received(pair.second, "ab", 1);
  if (MIOCPP_SELECTOR_POLL) {
    test::expect_events(poll, events, {{token, Ready::readable}});
  } else {
    test::expect_no_events(poll, events);
  }
  expect_received(pair.second, "cd", 0);
  EXPECT_EQ(receive(pair.second, 1).ec, std::errc::operation_would_block);
}

TEST_F(DescriptorPassing, AReadWithoutRoomForDescriptorsLetsTheSystemCloseThem) {
  test::RawPipe pipe = test::make_raw_pipe();
  auto pair = test::open_pair<net::UnixStream>();
  const std::array fds{pipe.write_end.get()};
  send_with(pair.first, "r", fds);
  pipe.write_end.reset();
  test::expect_read(pair.second, "r");
  EXPECT_TRUE(writer_gone(pipe));
}

TEST_F(DescriptorPassing, ReceivingIntoAFullSlotClosesWhatItHeld) {
  test::RawPipe held = test::make_raw_pipe();
  test::RawPipe passed = test::make_raw_pipe();
  auto pair = test::open_pair<net::UnixStream>();
  const std::array fds{passed.write_end.get()};
  send_with(pair.first, "s", fds);
  std::array<OwnedFd, 1> slots{OwnedFd(held.write_end.release())};
  std::array<std::byte, 4> buffer{};
  std::error_code ec;
  EXPECT_EQ(pair.second.recv_with_fds(buffer, slots, ec).fds, 1U);
  EXPECT_TRUE(writer_gone(held));
  EXPECT_EQ(file_of(slots[0].get()), file_of(passed.write_end.get()));
}

TEST_F(DescriptorPassing, EndOfStreamIsZeroBytesWithoutError) {
  auto pair = test::open_pair<net::UnixStream>();
  pair.first = {};
  const Received got = receive(pair.second, 2);
  EXPECT_FALSE(got.ec) << got.ec.message();
  EXPECT_EQ(got.text, "");
  EXPECT_EQ(got.count, 0U);
}

TEST_F(DescriptorPassing, DatagramsCarryDescriptorsToThePeerOrToAnAddress) {
  test::RawPipe pipe = test::make_raw_pipe();
  auto pair = test::open_pair<net::UnixDatagram>();
  const std::array fds{pipe.read_end.get(), pipe.write_end.get()};
  send_with(pair.first, "dgram", fds);
  const Received got = expect_received(pair.second, "dgram", 2);
  EXPECT_EQ(file_of(got.fds[0].get()), file_of(pipe.read_end.get()));
  EXPECT_EQ(file_of(got.fds[1].get()), file_of(pipe.write_end.get()));
  test::write_all(pair.first, "no descriptors");
  expect_received(pair.second, "no descriptors", 0);

  const test::TempDir dir;
  std::error_code ec;
  net::UnixDatagram bound = net::UnixDatagram::bind(dir.path("socket"), ec);
  ASSERT_FALSE(ec) << ec.message();
  net::UnixDatagram sender = net::UnixDatagram::unbound(ec);
  ASSERT_FALSE(ec) << ec.message();
  const net::UnixSocketAddr target = net::UnixSocketAddr::from_path(dir.path("socket"), ec);
  EXPECT_EQ(sender.send_to_with_fds(test::bytes_of("to"), fds, target, ec), 2U);
  ASSERT_FALSE(ec) << ec.message();
  expect_received(bound, "to", 2);
}

// Linux queues a datagram of no bytes that carries descriptors.
TEST_F(DescriptorPassing, AnEmptyDatagramCarriesOnlyDescriptorsOnLinux) {
  if (!MIOCPP_OS_LINUX) {
    GTEST_SKIP() << "Linux's behaviour";
  }
  test::RawPipe pipe = test::make_raw_pipe();
  auto pair = test::open_pair<net::UnixDatagram>();
  const std::array fds{pipe.write_end.get()};
  send_with(pair.first, "", fds);
  const Received got = expect_received(pair.second, "", 1);
  EXPECT_EQ(file_of(got.fds[0].get()), file_of(pipe.write_end.get()));
}

// Through a Poll, on every backend: a readable event, then receives until would-block, which
// re-arms the registration (poll(2)), so the next message is a new event.
TYPED_TEST(DescriptorPassingBoth, DrivenByAPoll) {
  OPEN_POLL(poll, events(8));
  test::RawPipe pipe = test::make_raw_pipe();
  auto pair = test::open_pair<TypeParam>();
  REGISTER(poll, pair.second, token, Interest::readable);
  const std::array fds{pipe.write_end.get()};
  send_with(pair.first, "one", fds);
  send_with(pair.first, "two", fds);
  test::expect_events(poll, events, {{token, Ready::readable}});
  expect_received(pair.second, "one", 1);
  expect_received(pair.second, "two", 1);
  EXPECT_EQ(receive(pair.second, 1).ec, std::errc::operation_would_block);
  test::expect_no_events(poll, events);
  send_with(pair.first, "three", fds);
  test::expect_events(poll, events, {{token, Ready::readable}});
  expect_received(pair.second, "three", 1);
  EXPECT_EQ(receive(pair.second, 1).ec, std::errc::operation_would_block);
}

TEST_F(DescriptorPassing, SendingAndReceivingAllocateNothing) {
  test::RawPipe pipe = test::make_raw_pipe();
  auto pair = test::open_pair<net::UnixStream>();
  const std::array fds{pipe.read_end.get(), pipe.write_end.get()};
  std::array<OwnedFd, 4> slots;
  std::array<std::byte, 16> buffer{};
  std::error_code send_ec;
  std::error_code receive_ec;
  std::size_t count = 0;
  net::ReceivedWithFds got;
  {
    const test::AllocationWindow window;
    (void)pair.first.send_with_fds(test::bytes_of("a"), fds, send_ec);
    got = pair.second.recv_with_fds(buffer, slots, receive_ec);
    count = window.count();
  }
  EXPECT_FALSE(send_ec) << send_ec.message();
  EXPECT_FALSE(receive_ec) << receive_ec.message();
  EXPECT_EQ(got.fds, 2U);
  EXPECT_EQ(count, 0U);
}

TEST_F(DescriptorPassing, AnEmptySocketIsABadDescriptor) {
  net::UnixStream stream;
  net::UnixDatagram datagram;
  std::array<OwnedFd, 1> slots;
  std::array<std::byte, 1> buffer{};
  std::error_code ec;
  (void)stream.recv_with_fds(buffer, slots, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  (void)datagram.send_with_fds(buffer, {}, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
}

#if MIOCPP_HAS_EXCEPTIONS
TEST_F(DescriptorPassing, ThrowingOverloadsThrowTheCode) {
  test::RawPipe pipe = test::make_raw_pipe();
  auto pair = test::open_pair<net::UnixStream>();
  const std::vector<int> fds(2, pipe.write_end.get());
  EXPECT_EQ(pair.first.send_with_fds(test::bytes_of("t"), fds), 1U);
  std::array<OwnedFd, 1> slots;
  std::array<std::byte, 4> buffer{};
  EXPECT_EQ(test::thrown_code([&] { (void)pair.second.recv_with_fds(buffer, slots); }),
            std::errc::message_size);
  const std::vector<int> too_many(net::max_fds_per_message + 1, pipe.write_end.get());
  EXPECT_EQ(test::thrown_code([&] { (void)pair.first.send_with_fds(buffer, too_many); }),
            std::errc::invalid_argument);
}
#endif

}  // namespace
