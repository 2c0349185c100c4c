// net::UnixDatagram: bound, unbound, connected and paired sockets, readiness events, datagrams
// with their senders' addresses (empty ones too), shutdown, bad paths, abstract names, ownership
// and empty objects.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/raw_fd.hpp"
#include "support/temp_dir.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using namespace std::string_view_literals;
using miocpp::Events;
using miocpp::Interest;
using miocpp::Poll;
using miocpp::Token;
using miocpp::net::Shutdown;
using miocpp::net::UnixDatagram;
using miocpp::net::UnixSocketAddr;
using test::Ready;

constexpr Token token_1{0};
constexpr Token token_2{1};
constexpr std::string_view data_1 = "Hello same host!";
constexpr std::string_view data_2 = "Why hello mio!";

static_assert(miocpp::event::Source<UnixDatagram>);
static_assert(std::is_nothrow_default_constructible_v<UnixDatagram>);
static_assert(std::is_nothrow_move_constructible_v<UnixDatagram> &&
              std::is_nothrow_move_assignable_v<UnixDatagram>);
static_assert(!std::is_copy_constructible_v<UnixDatagram> &&
              !std::is_copy_assignable_v<UnixDatagram>);
static_assert(std::is_same_v<UnixDatagram::native_handle_type, int>);

using test::TempDir;

/// A name in Linux's abstract namespace (with its leading NUL) that no other test or process
/// uses.
std::string unique_abstract_path(std::string_view what) {
  static std::atomic<unsigned> counter{0};
  std::string path(1, '\0');
  path += "miocpp-test-" + std::to_string(::getpid()) + '-' + std::to_string(counter++) + '-';
  path += what;
  return path;
}

std::string as_string(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};  // NOLINT(*-reinterpret-cast)
}

bool is_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_NONBLOCK) != 0;
}
bool is_close_on_exec(int fd) {
  const int flags = ::fcntl(fd, F_GETFD);
  return flags >= 0 && (flags & FD_CLOEXEC) != 0;
}
bool is_open(int fd) {
  return ::fcntl(fd, F_GETFD) >= 0;
}

void expect_datagram_socket(const UnixDatagram& socket) {
  const int fd = socket.native_handle();
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(is_nonblocking(fd));
  EXPECT_TRUE(is_close_on_exec(fd));
  int type = 0;
  ::socklen_t length = sizeof type;
  ASSERT_EQ(::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length), 0);
  EXPECT_EQ(type, SOCK_DGRAM);
}

UnixDatagram bind_or_fail(const std::string& path) {
  std::error_code ec;
  UnixDatagram socket = UnixDatagram::bind(path, ec);
  EXPECT_FALSE(ec) << "bind " << path << ": " << ec.message();
  return socket;
}

void send_all(UnixDatagram& socket, std::string_view datagram) {
  std::error_code ec;
  EXPECT_EQ(socket.send(test::bytes_of(datagram), ec), datagram.size());
  EXPECT_FALSE(ec) << ec.message();
}

void send_all_to(UnixDatagram& socket, std::string_view datagram, std::string_view path) {
  std::error_code ec;
  EXPECT_EQ(socket.send_to(test::bytes_of(datagram), path, ec), datagram.size());
  EXPECT_FALSE(ec) << ec.message();
}

/// Expects the next datagram to be `expected`.
void expect_recv(UnixDatagram& socket, std::string_view expected) {
  std::array<std::byte, 64> buffer{};
  std::error_code ec;
  const std::size_t count = socket.recv(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(as_string(std::span(buffer).first(count)), expected);
}

/// Expects the next datagram to be `expected`, from `sender`.
void expect_recv_from(UnixDatagram& socket, std::string_view expected,
                      const UnixSocketAddr& sender) {
  std::array<std::byte, 64> buffer{};
  std::error_code ec;
  const auto [count, from] = socket.recv_from(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(as_string(std::span(buffer).first(count)), expected);
  EXPECT_EQ(from, sender) << from << " instead of " << sender;
}

void expect_recv_would_block(UnixDatagram& socket) {
  std::array<std::byte, 64> buffer{};
  std::error_code ec;
  EXPECT_EQ(socket.recv(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  const auto [count, from] = socket.recv_from(buffer, ec);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  EXPECT_EQ(count, 0U);
  EXPECT_TRUE(from.is_unnamed());
}

UnixSocketAddr pathname(const std::string& path) {
  std::error_code ec;
  const UnixSocketAddr address = UnixSocketAddr::from_pathname(path, ec);
  EXPECT_FALSE(ec) << ec.message();
  return address;
}

struct DatagramPair {
  UnixDatagram first;
  UnixDatagram second;
};

DatagramPair open_pair() {
  std::error_code ec;
  auto [first, second] = UnixDatagram::pair(ec);
  EXPECT_FALSE(ec) << "pair: " << ec.message();
  return {std::move(first), std::move(second)};
}

// As mio's unconnected smoke test: writable at once, nothing to receive, then each one's datagram
// arrives at the other with the sender's path.
TEST(UnixDatagram, SmokeUnconnected) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  Events events(8);
  const std::string path_1 = dir.path("one");
  const std::string path_2 = dir.path("two");
  UnixDatagram socket_1 = bind_or_fail(path_1);
  UnixDatagram socket_2 = bind_or_fail(path_2);
  expect_datagram_socket(socket_1);
  expect_datagram_socket(socket_2);
  EXPECT_TRUE(std::filesystem::is_socket(path_1));
  std::error_code ec;
  EXPECT_EQ(socket_1.local_addr(ec), pathname(path_1));
  EXPECT_EQ(socket_2.local_addr(ec), pathname(path_2));
  (void)socket_1.peer_addr(ec);
  EXPECT_EQ(ec, std::errc::not_connected) << ec.message();

  poll.registry().register_source(socket_1, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(socket_2, token_2, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}, {token_2, Ready::writable}});
  expect_recv_would_block(socket_1);
  expect_recv_would_block(socket_2);

  send_all_to(socket_1, data_1, path_2);
  send_all_to(socket_2, data_2, path_1);
  test::expect_events(poll, events, {{token_1, Ready::readable}, {token_2, Ready::readable}});
  expect_recv_from(socket_1, data_2, pathname(path_2));
  expect_recv_from(socket_2, data_1, pathname(path_1));
  expect_recv_would_block(socket_1);
  EXPECT_FALSE(socket_1.take_error(ec));
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_FALSE(socket_2.take_error(ec));
}

TEST(UnixDatagram, SmokeConnected) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  Events events(8);
  const std::string path_1 = dir.path("one");
  const std::string path_2 = dir.path("two");
  UnixDatagram socket_1 = bind_or_fail(path_1);
  UnixDatagram socket_2 = bind_or_fail(path_2);
  std::error_code ec;
  socket_1.connect(path_2, ec);
  ASSERT_FALSE(ec) << ec.message();
  socket_2.connect_addr(pathname(path_1), ec);
  ASSERT_FALSE(ec) << ec.message();

  EXPECT_EQ(socket_1.local_addr(ec), socket_2.peer_addr(ec));
  EXPECT_EQ(socket_2.local_addr(ec), socket_1.peer_addr(ec));
  EXPECT_EQ(socket_1.peer_addr(ec).as_pathname(), std::optional<std::string_view>(path_2));
  EXPECT_FALSE(ec) << ec.message();

  poll.registry().register_source(socket_1, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(socket_2, token_2, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}, {token_2, Ready::writable}});
  expect_recv_would_block(socket_1);
  expect_recv_would_block(socket_2);

  send_all(socket_1, data_1);
  send_all(socket_2, data_2);
  test::expect_events(poll, events, {{token_1, Ready::readable}, {token_2, Ready::readable}});
  expect_recv(socket_1, data_2);
  expect_recv(socket_2, data_1);
  EXPECT_FALSE(socket_1.take_error(ec));
  EXPECT_FALSE(socket_2.take_error(ec));
}

TEST(UnixDatagram, ConnectedSocketOnlyAcceptsItsPeer) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  const std::string path_1 = dir.path("one");
  const std::string path_2 = dir.path("two");
  UnixDatagram socket_1 = bind_or_fail(path_1);
  UnixDatagram socket_2 = bind_or_fail(path_2);
  UnixDatagram stranger = bind_or_fail(dir.path("three"));
  std::error_code ec;
  socket_1.connect(path_2, ec);
  ASSERT_FALSE(ec) << ec.message();
  // Linux refuses a datagram from another socket (EPERM); every system keeps it from recv.
  (void)stranger.send_to(test::bytes_of(data_1), path_1, ec);
  send_all_to(socket_2, data_2, path_1);
  expect_recv(socket_1, data_2);
  expect_recv_would_block(socket_1);
}

TEST(UnixDatagram, PairEndsAreUnnamedAndTalkBothWays) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  DatagramPair p = open_pair();
  expect_datagram_socket(p.first);
  expect_datagram_socket(p.second);
  std::error_code ec;
  for (UnixDatagram* end : {&p.first, &p.second}) {
    EXPECT_TRUE(end->local_addr(ec).is_unnamed());
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(end->peer_addr(ec).is_unnamed());
    EXPECT_FALSE(ec) << ec.message();
  }
  poll.registry().register_source(p.first, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(p.second, token_2, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}, {token_2, Ready::writable}});
  expect_recv_would_block(p.first);
  expect_recv_would_block(p.second);

  send_all(p.first, data_1);
  send_all(p.second, data_2);
  test::expect_events(poll, events, {{token_1, Ready::readable}, {token_2, Ready::readable}});
  expect_recv_from(p.first, data_2, UnixSocketAddr());
  expect_recv(p.second, data_1);
  EXPECT_FALSE(p.first.take_error(ec));
  EXPECT_FALSE(p.second.take_error(ec));
}

TEST(UnixDatagram, UnboundSocketIsUnnamedToItsReceiver) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  const std::string path = dir.path("receiver");
  UnixDatagram receiver = bind_or_fail(path);
  std::error_code ec;
  UnixDatagram sender = UnixDatagram::unbound(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_datagram_socket(sender);
  const UnixSocketAddr local = sender.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(local.is_unnamed()) << local;
  (void)sender.peer_addr(ec);
  EXPECT_EQ(ec, std::errc::not_connected) << ec.message();

  send_all_to(sender, data_1, path);
  expect_recv_from(receiver, data_1, UnixSocketAddr());
  // Still unnamed after sending.
  EXPECT_TRUE(sender.local_addr(ec).is_unnamed());

  // Connected, it can send with send() and receive its peer's datagrams.
  sender.connect(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  send_all(sender, data_2);
  expect_recv_from(receiver, data_2, UnixSocketAddr());
}

TEST(UnixDatagram, EmptyDatagramsAreDatagrams) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  Events events(8);
  const std::string path = dir.path("receiver");
  UnixDatagram receiver = bind_or_fail(path);
  std::error_code ec;
  poll.registry().register_source(receiver, token_1, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  UnixDatagram sender = UnixDatagram::unbound(ec);
  ASSERT_FALSE(ec) << ec.message();

  EXPECT_EQ(sender.send_to({}, path, ec), 0U);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  std::array<std::byte, 16> buffer{};
  const auto [count, from] = receiver.recv_from(buffer, ec);
  EXPECT_FALSE(ec) << ec.message();  // a datagram of 0 bytes, not would_block
  EXPECT_EQ(count, 0U);
  EXPECT_TRUE(from.is_unnamed());
  expect_recv_would_block(receiver);

  DatagramPair p = open_pair();
  EXPECT_EQ(p.first.send({}, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(p.second.recv(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
  expect_recv_would_block(p.second);
}

TEST(UnixDatagram, DatagramsKeepTheirBoundaries) {
  const test::DescriptorLeakCheck leak_check;
  DatagramPair p = open_pair();
  send_all(p.first, data_1);
  send_all(p.first, data_2);
  send_all(p.first, data_1);
  expect_recv(p.second, data_1);  // one datagram per recv, with room for more
  // A datagram bigger than the buffer is cut short; the rest of it is gone.
  std::array<std::byte, 4> small{};
  std::error_code ec;
  EXPECT_EQ(p.second.recv(small, ec), small.size());
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(as_string(small), data_2.substr(0, small.size()));
  expect_recv(p.second, data_1);
  expect_recv_would_block(p.second);
}

TEST(UnixDatagram, ReadableAgainAfterDrainingToWouldBlock) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  DatagramPair p = open_pair();
  std::error_code ec;
  poll.registry().register_source(p.second, token_2, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  send_all(p.first, data_1);
  send_all(p.first, data_2);
  test::expect_events(poll, events, {{token_2, Ready::readable}});
  test::expect_no_events(poll, events);
  expect_recv(p.second, data_1);
  expect_recv(p.second, data_2);
  expect_recv_would_block(p.second);
  test::expect_no_events(poll, events);

  send_all(p.first, data_1);
  test::expect_events(poll, events, {{token_2, Ready::readable}});
  expect_recv(p.second, data_1);
}

// As mio: shutting down the read half gives read_closed, the write half write_closed, and a send
// afterwards is broken_pipe (without SIGPIPE).
TEST(UnixDatagram, Shutdown) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  Events events(8);
  const std::string path_1 = dir.path("one");
  const std::string path_2 = dir.path("two");
  UnixDatagram socket_1 = bind_or_fail(path_1);
  UnixDatagram socket_2 = bind_or_fail(path_2);
  std::error_code ec;
  poll.registry().register_source(socket_1, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(socket_2, token_2, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  socket_1.connect(path_2, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}});

  send_all(socket_1, data_1);
  test::expect_events(poll, events, {{token_2, Ready::readable}});

  socket_1.shutdown(Shutdown::read, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::read_closed}});

  socket_1.shutdown(Shutdown::write, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::write_closed}});
  EXPECT_EQ(socket_1.send(test::bytes_of(data_2), ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
  EXPECT_EQ(socket_1.send_to(test::bytes_of(data_2), path_2, ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
  EXPECT_FALSE(socket_1.take_error(ec));
  EXPECT_FALSE(ec) << ec.message();
}

TEST(UnixDatagram, ShutdownBoth) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  DatagramPair p = open_pair();
  std::error_code ec;
  poll.registry().register_source(p.first, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}});
  p.first.shutdown(Shutdown::both, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::read_closed | Ready::write_closed}});
  EXPECT_EQ(p.first.send(test::bytes_of(data_1), ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
}

TEST(UnixDatagram, SendToADroppedPeerFailsWithoutASignal) {
  const test::DescriptorLeakCheck leak_check;
  DatagramPair p = open_pair();
  p.second = UnixDatagram();
  std::error_code ec;
  EXPECT_EQ(p.first.send(test::bytes_of(data_1), ec), 0U);
  // Linux: ECONNREFUSED for a datagram peer that is gone; others may say EPIPE or ECONNRESET.
  EXPECT_TRUE(ec == std::errc::connection_refused || ec == std::errc::broken_pipe ||
              ec == std::errc::connection_reset)
      << ec.message();
}

TEST(UnixDatagram, RegisterReregisterDeregister) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  Events events(8);
  const std::string path_1 = dir.path("one");
  UnixDatagram socket_1 = bind_or_fail(path_1);
  std::error_code ec;
  poll.registry().register_source(socket_1, token_1, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_no_events(poll, events);  // nothing to receive

  UnixDatagram socket_2 = bind_or_fail(dir.path("two"));
  socket_2.connect(path_1, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().reregister(socket_1, token_2, Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_2, Ready::writable}});

  poll.registry().deregister(socket_1, ec);
  ASSERT_FALSE(ec) << ec.message();
  send_all(socket_2, data_1);
  test::expect_no_events(poll, events);
  expect_recv(socket_1, data_1);  // the datagram arrived all the same
}

TEST(UnixDatagram, DeregisteredBeforeAnyEventGivesNone) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  DatagramPair p = open_pair();
  std::error_code ec;
  poll.registry().register_source(p.first, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().deregister(p.first, ec);
  ASSERT_FALSE(ec) << ec.message();
  send_all(p.second, data_1);
  test::expect_no_events(poll, events);
}

TEST(UnixDatagram, BindToAnExistingPathIsAddressInUse) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  const std::string path = dir.path("socket");
  const UnixDatagram socket = bind_or_fail(path);
  std::error_code ec;
  const UnixDatagram second = UnixDatagram::bind(path, ec);
  EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();
  EXPECT_EQ(second.native_handle(), -1);
}

TEST(UnixDatagram, BadPathsAreRefusedWithNothingCreated) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  std::error_code ec;
  const std::string too_long = dir.path(std::string(UnixSocketAddr::max_length, 'x'));
  UnixDatagram socket = UnixDatagram::bind(too_long, ec);
  EXPECT_EQ(ec, std::errc::filename_too_long) << ec.message();
  EXPECT_EQ(socket.native_handle(), -1);
  socket = UnixDatagram::bind(dir.path("a\0b"sv), ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_EQ(socket.native_handle(), -1);
  EXPECT_TRUE(dir.empty());

  DatagramPair p = open_pair();
  EXPECT_EQ(p.first.send_to(test::bytes_of(data_1), too_long, ec), 0U);
  EXPECT_EQ(ec, std::errc::filename_too_long) << ec.message();
  EXPECT_EQ(p.first.send_to(test::bytes_of(data_1), dir.path("a\0b"sv), ec), 0U);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  p.first.connect(too_long, ec);
  EXPECT_EQ(ec, std::errc::filename_too_long) << ec.message();
  p.first.connect("", ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  // The failed calls left the pair connected.
  send_all(p.first, data_1);
  expect_recv(p.second, data_1);
}

TEST(UnixDatagram, SendToOrConnectToAMissingPathIsNoSuchFile) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  std::error_code ec;
  UnixDatagram socket = UnixDatagram::unbound(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(socket.send_to(test::bytes_of(data_1), dir.path("missing"), ec), 0U);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  socket.connect(dir.path("missing"), ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  (void)socket.peer_addr(ec);
  EXPECT_EQ(ec, std::errc::not_connected) << ec.message();
}

#if MIOCPP_OS_LINUX
TEST(UnixDatagram, AbstractNamesSendReceiveAndReply) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  const std::string server_path = unique_abstract_path("server");
  const std::string client_path = unique_abstract_path("client");
  UnixDatagram server = bind_or_fail(server_path);
  UnixDatagram client = bind_or_fail(client_path);
  std::error_code ec;
  const UnixSocketAddr server_address = server.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(server_address.as_abstract_name(),
            std::optional<std::string_view>(std::string_view(server_path).substr(1)));
  std::ostringstream printed;
  printed << server_address;
  EXPECT_EQ(printed.str(), '@' + server_path.substr(1));

  poll.registry().register_source(server, token_1, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(client, token_2, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  send_all_to(client, data_1, server_path);
  test::expect_events(poll, events, {{token_1, Ready::readable}});

  // The sender's abstract name comes with the datagram; reply to it.
  std::array<std::byte, 64> buffer{};
  const auto [count, from] = server.recv_from(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(as_string(std::span(buffer).first(count)), data_1);
  ASSERT_TRUE(from.as_abstract_name()) << from;
  EXPECT_EQ(*from.as_abstract_name(), std::string_view(client_path).substr(1));
  EXPECT_EQ(server.send_to_addr(test::bytes_of(data_2), from, ec), data_2.size());
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_2, Ready::readable}});
  expect_recv_from(client, data_2, server_address);
}
#endif

TEST(UnixDatagram, FromNativeAdoptsAndClosesOnDestruction) {
  const test::DescriptorLeakCheck leak_check;
  std::array<int, 2> fds{-1, -1};
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data()), 0);
  const test::OwnedFd other(fds[1]);
  {
    UnixDatagram socket = UnixDatagram::from_native(fds[0]);
    EXPECT_EQ(socket.native_handle(), fds[0]);
    send_all(socket, data_1);
    std::array<char, 64> buffer{};
    EXPECT_EQ(::recv(other.get(), buffer.data(), buffer.size(), 0),
              static_cast<ssize_t>(data_1.size()));
  }
  EXPECT_FALSE(is_open(fds[0]));
}

TEST(UnixDatagram, ReleaseGivesTheDescriptorUp) {
  const test::DescriptorLeakCheck leak_check;
  DatagramPair p = open_pair();
  const int fd = p.first.native_handle();
  EXPECT_EQ(p.first.release(), fd);
  EXPECT_EQ(p.first.native_handle(), -1);
  EXPECT_TRUE(is_open(fd));
  UnixDatagram adopted = UnixDatagram::from_native(fd);
  send_all(adopted, data_1);
  expect_recv(p.second, data_1);
}

TEST(UnixDatagram, TryIoRunsTheCallersOwnSystemCall) {
  const test::DescriptorLeakCheck leak_check;
  DatagramPair p = open_pair();
  const int fd = p.second.native_handle();
  const auto peek = [fd](std::error_code& op_ec) -> std::size_t {
    std::array<char, 64> buffer{};
    const ssize_t count = ::recv(fd, buffer.data(), buffer.size(), MSG_PEEK);
    if (count < 0) {
      op_ec = std::error_code(errno, std::system_category());
      return 0;
    }
    op_ec.clear();
    return static_cast<std::size_t>(count);
  };
  std::error_code ec;
  EXPECT_EQ(p.second.try_io(peek, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  send_all(p.first, data_2);
  EXPECT_EQ(p.second.try_io(peek, ec), data_2.size());
  EXPECT_FALSE(ec) << ec.message();
  expect_recv(p.second, data_2);
}

TEST(UnixDatagram, DefaultConstructedIsEmptyAndReportsBadDescriptor) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  UnixDatagram socket;
  EXPECT_EQ(socket.native_handle(), -1);
  std::error_code ec;
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(socket.send(test::bytes_of(data_1), ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(socket.recv(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(socket.send_to(test::bytes_of(data_1), dir.path("any"), ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(socket.send_to_addr(test::bytes_of(data_1), UnixSocketAddr(), ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  const auto [count, from] = socket.recv_from(buffer, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(count, 0U);
  EXPECT_TRUE(from.is_unnamed());
  socket.connect(dir.path("any"), ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  socket.shutdown(Shutdown::both, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_TRUE(socket.local_addr(ec).is_unnamed());
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_TRUE(socket.peer_addr(ec).is_unnamed());
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_FALSE(socket.take_error(ec));
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  poll.registry().register_source(socket, token_1, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(socket.release(), -1);
  EXPECT_TRUE(dir.empty());
}

TEST(UnixDatagram, ManySocketsLeaveNoDescriptorBehind) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  std::error_code ec;
  for (int i = 0; i < 50; ++i) {
    const UnixDatagram bound = UnixDatagram::bind(dir.path("s" + std::to_string(i)), ec);
    ASSERT_FALSE(ec) << ec.message();
    const UnixDatagram unbound = UnixDatagram::unbound(ec);
    ASSERT_FALSE(ec) << ec.message();
    auto [first, second] = UnixDatagram::pair(ec);
    ASSERT_FALSE(ec) << ec.message();
    const UnixDatagram refused = UnixDatagram::bind(dir.path("s" + std::to_string(i)), ec);
    EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();
  }
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(UnixDatagram, ThrowingOverloadsThrowSystemError) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  const std::string path = dir.path("socket");
  UnixDatagram bound = UnixDatagram::bind(path);
  UnixDatagram unbound = UnixDatagram::unbound();
  EXPECT_EQ(unbound.send_to(test::bytes_of(data_1), path), data_1.size());
  std::array<std::byte, 64> buffer{};
  const auto [count, from] = bound.recv_from(buffer);
  EXPECT_EQ(count, data_1.size());
  EXPECT_TRUE(from.is_unnamed());
  unbound.connect(path);
  EXPECT_EQ(unbound.send(test::bytes_of(data_2)), data_2.size());
  EXPECT_EQ(bound.recv(buffer), data_2.size());
  EXPECT_EQ(unbound.peer_addr(), bound.local_addr());
  EXPECT_EQ(unbound.send_to_addr(test::bytes_of(data_1), bound.local_addr()), data_1.size());
  EXPECT_FALSE(bound.take_error());
  try {
    (void)bound.recv(buffer);
    (void)bound.recv(buffer);
    ADD_FAILURE() << "recv with nothing queued did not throw";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::operation_would_block) << error.what();
  }
  try {
    (void)UnixDatagram::bind(path);
    ADD_FAILURE() << "a second bind did not throw";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::address_in_use) << error.what();
  }
  auto [first, second] = UnixDatagram::pair();
  first.shutdown(Shutdown::write);
  EXPECT_THROW((void)first.send(test::bytes_of(data_1)), std::system_error);
  EXPECT_THROW(first.connect(dir.path("missing")), std::system_error);
  EXPECT_THROW(first.connect_addr(UnixSocketAddr()), std::system_error);
  EXPECT_THROW((void)UnixDatagram::bind_addr(UnixSocketAddr::from_pathname(path)),
               std::system_error);
  UnixDatagram empty;
  EXPECT_THROW((void)empty.recv_from(buffer), std::system_error);
  EXPECT_THROW((void)empty.send_to(test::bytes_of(data_1), path), std::system_error);
  EXPECT_THROW((void)empty.send_to_addr(test::bytes_of(data_1), UnixSocketAddr()),
               std::system_error);
  EXPECT_THROW((void)empty.local_addr(), std::system_error);
  EXPECT_THROW((void)empty.peer_addr(), std::system_error);
  EXPECT_THROW(empty.shutdown(Shutdown::read), std::system_error);
  EXPECT_THROW((void)empty.take_error(), std::system_error);
}
#endif

}  // namespace
