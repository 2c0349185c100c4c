// net::UnixDatagram: bound, unbound, connected and paired sockets, readiness events, datagrams
// with their senders' addresses (empty ones too), shutdown, bad paths, abstract names and empty
// objects. What it does as UnixStream does (ownership, try_io) is tested in unix_socket.cpp.
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
#include "support/io.hpp"
#include "support/setup.hpp"
#include "support/source_type.hpp"
#include "support/uds.hpp"
#include <miocpp/miocpp.hpp>

namespace {

namespace net = miocpp::net;
using namespace std::string_view_literals;
using miocpp::Interest, miocpp::Token;
using net::Shutdown, net::UnixSocketAddr;
using test::expect_recv, test::expect_recv_from, test::send_all, test::Ready, test::TempDir;
using DatagramPair = test::Pair<net::UnixDatagram>;

constexpr Token token_1{0}, token_2{1};
constexpr std::string_view data_1 = "Hello same host!", data_2 = "Why hello mio!";

static_assert(test::OwningSource<net::UnixDatagram, int>);

net::UnixDatagram bind_or_fail(const std::string& path) {
  std::error_code ec;
  net::UnixDatagram socket = net::UnixDatagram::bind(path, ec);
  EXPECT_FALSE(ec) << "bind " << path << ": " << ec.message();
  return socket;
}

void send_all_to(net::UnixDatagram& socket, std::string_view datagram, std::string_view path) {
  std::error_code ec;
  EXPECT_EQ(socket.send_to(test::bytes_of(datagram), path, ec), datagram.size());
  EXPECT_FALSE(ec) << ec.message();
}

void expect_recv_would_block(net::UnixDatagram& socket) {
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

/// The suite of net::UnixDatagram's tests, each of which leaves the descriptors as it found them.
class UnixDatagram : public test::LeakChecked<> {};

// As mio's unconnected smoke test: writable at once, nothing to receive, then each one's datagram
// arrives at the other with the sender's path.
TEST_F(UnixDatagram, SmokeUnconnected) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  const std::string path_1 = dir.path("one");
  const std::string path_2 = dir.path("two");
  net::UnixDatagram socket_1 = bind_or_fail(path_1);
  net::UnixDatagram socket_2 = bind_or_fail(path_2);
  test::expect_new_socket(socket_1.native_handle(), SOCK_DGRAM);
  test::expect_new_socket(socket_2.native_handle(), SOCK_DGRAM);
  EXPECT_TRUE(std::filesystem::is_socket(path_1));
  std::error_code ec;
  EXPECT_EQ(socket_1.local_addr(ec), pathname(path_1));
  EXPECT_EQ(socket_2.local_addr(ec), pathname(path_2));
  (void)socket_1.peer_addr(ec);
  EXPECT_EQ(ec, std::errc::not_connected) << ec.message();

  REGISTER(poll, socket_1, token_1, Interest::readable | Interest::writable);
  REGISTER(poll, socket_2, token_2, Interest::readable | Interest::writable);
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

TEST_F(UnixDatagram, SmokeConnected) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  const std::string path_1 = dir.path("one");
  const std::string path_2 = dir.path("two");
  net::UnixDatagram socket_1 = bind_or_fail(path_1);
  net::UnixDatagram socket_2 = bind_or_fail(path_2);
  std::error_code ec;
  socket_1.connect(path_2, ec);
  ASSERT_FALSE(ec) << ec.message();
  socket_2.connect_addr(pathname(path_1), ec);
  ASSERT_FALSE(ec) << ec.message();

  EXPECT_EQ(socket_1.local_addr(ec), socket_2.peer_addr(ec));
  EXPECT_EQ(socket_2.local_addr(ec), socket_1.peer_addr(ec));
  EXPECT_EQ(socket_1.peer_addr(ec).as_pathname(), std::optional<std::string_view>(path_2));
  EXPECT_FALSE(ec) << ec.message();

  REGISTER(poll, socket_1, token_1, Interest::readable | Interest::writable);
  REGISTER(poll, socket_2, token_2, Interest::readable | Interest::writable);
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

TEST_F(UnixDatagram, ConnectedSocketOnlyAcceptsItsPeer) {
  const TempDir dir;
  const std::string path_1 = dir.path("one");
  const std::string path_2 = dir.path("two");
  net::UnixDatagram socket_1 = bind_or_fail(path_1);
  net::UnixDatagram socket_2 = bind_or_fail(path_2);
  net::UnixDatagram stranger = bind_or_fail(dir.path("three"));
  std::error_code ec;
  socket_1.connect(path_2, ec);
  ASSERT_FALSE(ec) << ec.message();
  // Linux refuses a datagram from another socket (EPERM); every system keeps it from recv.
  (void)stranger.send_to(test::bytes_of(data_1), path_1, ec);
  send_all_to(socket_2, data_2, path_1);
  expect_recv(socket_1, data_2);
  expect_recv_would_block(socket_1);
}

TEST_F(UnixDatagram, PairEndsAreUnnamedAndTalkBothWays) {
  OPEN_POLL(poll, events(8));
  DatagramPair p = test::open_pair<net::UnixDatagram>();
  test::expect_new_socket(p.first.native_handle(), SOCK_DGRAM);
  test::expect_new_socket(p.second.native_handle(), SOCK_DGRAM);
  std::error_code ec;
  for (net::UnixDatagram* end : {&p.first, &p.second}) {
    EXPECT_TRUE(end->local_addr(ec).is_unnamed());
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(end->peer_addr(ec).is_unnamed());
    EXPECT_FALSE(ec) << ec.message();
  }
  REGISTER(poll, p.first, token_1, Interest::readable | Interest::writable);
  REGISTER(poll, p.second, token_2, Interest::readable | Interest::writable);
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

TEST_F(UnixDatagram, UnboundSocketIsUnnamedToItsReceiver) {
  const TempDir dir;
  const std::string path = dir.path("receiver");
  net::UnixDatagram receiver = bind_or_fail(path);
  std::error_code ec;
  net::UnixDatagram sender = net::UnixDatagram::unbound(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_new_socket(sender.native_handle(), SOCK_DGRAM);
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

TEST_F(UnixDatagram, EmptyDatagramsAreDatagrams) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  const std::string path = dir.path("receiver");
  net::UnixDatagram receiver = bind_or_fail(path);
  std::error_code ec;
  REGISTER(poll, receiver, token_1, Interest::readable);
  net::UnixDatagram sender = net::UnixDatagram::unbound(ec);
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

  DatagramPair p = test::open_pair<net::UnixDatagram>();
  EXPECT_EQ(p.first.send({}, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(p.second.recv(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
  expect_recv_would_block(p.second);
}

TEST_F(UnixDatagram, DatagramsKeepTheirBoundaries) {
  DatagramPair p = test::open_pair<net::UnixDatagram>();
  send_all(p.first, data_1);
  send_all(p.first, data_2);
  send_all(p.first, data_1);
  expect_recv(p.second, data_1);  // one datagram per recv, with room for more
  // A datagram bigger than the buffer is cut short; the rest of it is gone.
  std::array<std::byte, 4> small{};
  std::error_code ec;
  EXPECT_EQ(p.second.recv(small, ec), small.size());
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(test::as_string(small), data_2.substr(0, small.size()));
  expect_recv(p.second, data_1);
  expect_recv_would_block(p.second);
}

TEST_F(UnixDatagram, ReadableAgainAfterDrainingToWouldBlock) {
  OPEN_POLL(poll, events(8));
  DatagramPair p = test::open_pair<net::UnixDatagram>();
  REGISTER(poll, p.second, token_2, Interest::readable);

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
TEST_F(UnixDatagram, Shutdown) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  const std::string path_1 = dir.path("one");
  const std::string path_2 = dir.path("two");
  net::UnixDatagram socket_1 = bind_or_fail(path_1);
  net::UnixDatagram socket_2 = bind_or_fail(path_2);
  std::error_code ec;
  REGISTER(poll, socket_1, token_1, Interest::readable | Interest::writable);
  REGISTER(poll, socket_2, token_2, Interest::readable | Interest::writable);
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

TEST_F(UnixDatagram, ShutdownBoth) {
  OPEN_POLL(poll, events(8));
  DatagramPair p = test::open_pair<net::UnixDatagram>();
  std::error_code ec;
  REGISTER(poll, p.first, token_1, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{token_1, Ready::writable}});
  p.first.shutdown(Shutdown::both, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::read_closed | Ready::write_closed}});
  EXPECT_EQ(p.first.send(test::bytes_of(data_1), ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
}

TEST_F(UnixDatagram, SendToADroppedPeerFailsWithoutASignal) {
  DatagramPair p = test::open_pair<net::UnixDatagram>();
  p.second = net::UnixDatagram();
  std::error_code ec;
  EXPECT_EQ(p.first.send(test::bytes_of(data_1), ec), 0U);
  // Linux: ECONNREFUSED for a datagram peer that is gone; others may say EPIPE or ECONNRESET.
  EXPECT_TRUE(ec == std::errc::connection_refused || ec == std::errc::broken_pipe ||
              ec == std::errc::connection_reset)
      << ec.message();
}

TEST_F(UnixDatagram, RegisterReregisterDeregister) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  const std::string path_1 = dir.path("one");
  net::UnixDatagram socket_1 = bind_or_fail(path_1);
  std::error_code ec;
  REGISTER(poll, socket_1, token_1, Interest::readable);
  test::expect_no_events(poll, events);  // nothing to receive

  net::UnixDatagram socket_2 = bind_or_fail(dir.path("two"));
  socket_2.connect(path_1, ec);
  ASSERT_FALSE(ec) << ec.message();
  REREGISTER(poll, socket_1, token_2, Interest::writable);
  test::expect_events(poll, events, {{token_2, Ready::writable}});

  DEREGISTER(poll, socket_1);
  send_all(socket_2, data_1);
  test::expect_no_events(poll, events);
  expect_recv(socket_1, data_1);  // the datagram arrived all the same
}

TEST_F(UnixDatagram, BindToAnExistingPathIsAddressInUse) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  const net::UnixDatagram socket = bind_or_fail(path);
  std::error_code ec;
  const net::UnixDatagram second = net::UnixDatagram::bind(path, ec);
  EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();
  EXPECT_EQ(second.native_handle(), -1);
}

TEST_F(UnixDatagram, BadPathsAreRefusedWithNothingCreated) {
  const TempDir dir;
  std::error_code ec;
  const std::string too_long = dir.path(std::string(UnixSocketAddr::max_length, 'x'));
  net::UnixDatagram socket = net::UnixDatagram::bind(too_long, ec);
  EXPECT_EQ(ec, std::errc::filename_too_long) << ec.message();
  EXPECT_EQ(socket.native_handle(), -1);
  socket = net::UnixDatagram::bind(dir.path("a\0b"sv), ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_EQ(socket.native_handle(), -1);
  EXPECT_TRUE(dir.empty());

  DatagramPair p = test::open_pair<net::UnixDatagram>();
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

TEST_F(UnixDatagram, SendToOrConnectToAMissingPathIsNoSuchFile) {
  const TempDir dir;
  std::error_code ec;
  net::UnixDatagram socket = net::UnixDatagram::unbound(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(socket.send_to(test::bytes_of(data_1), dir.path("missing"), ec), 0U);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  socket.connect(dir.path("missing"), ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  (void)socket.peer_addr(ec);
  EXPECT_EQ(ec, std::errc::not_connected) << ec.message();
}

// A sender bound to a path that fills sun_path with no terminating NUL: its datagram is received
// with its address, never taken off the queue and then reported lost, and a reply reaches it.
TEST_F(UnixDatagram, SenderBoundToAFullLengthPathIsReceivedAndAnswered) {
  const TempDir dir;
  const std::string sender_path = test::full_length_path(dir);
  const std::string receiver_path = dir.path("receiver");
  net::UnixDatagram receiver = bind_or_fail(receiver_path);
  const test::OwnedFd sender = test::raw_bind_unterminated(SOCK_DGRAM, sender_path);
  const ::sockaddr_un address = test::sockaddr_for(receiver_path);
  ASSERT_EQ(::sendto(sender.get(), data_1.data(), data_1.size(), 0, test::as_sockaddr(address),
                     sizeof address),
            static_cast<::ssize_t>(data_1.size()))
      << std::strerror(errno);

  std::error_code ec;
  std::array<std::byte, 64> buffer{};
  const auto [count, from] = receiver.recv_from(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(test::as_string(std::span(buffer).first(count)), data_1);
  EXPECT_EQ(from.as_pathname(), std::optional<std::string_view>(sender_path));

  EXPECT_EQ(receiver.send_to_addr(test::bytes_of(data_2), from, ec), data_2.size());
  ASSERT_FALSE(ec) << ec.message();
  std::array<char, 64> reply{};
  EXPECT_EQ(::recv(sender.get(), reply.data(), reply.size(), 0),
            static_cast<::ssize_t>(data_2.size()))
      << std::strerror(errno);
  EXPECT_EQ(std::string_view(reply.data(), data_2.size()), data_2);
}

#if MIOCPP_OS_LINUX
TEST_F(UnixDatagram, AbstractNamesSendReceiveAndReply) {
  OPEN_POLL(poll, events(8));
  const std::string server_path = test::unique_abstract_path("server");
  const std::string client_path = test::unique_abstract_path("client");
  net::UnixDatagram server = bind_or_fail(server_path);
  net::UnixDatagram client = bind_or_fail(client_path);
  std::error_code ec;
  const UnixSocketAddr server_address = server.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(server_address.as_abstract_name(),
            std::optional<std::string_view>(std::string_view(server_path).substr(1)));
  EXPECT_EQ(test::printed(server_address), '@' + server_path.substr(1));

  REGISTER(poll, server, token_1, Interest::readable);
  REGISTER(poll, client, token_2, Interest::readable);
  send_all_to(client, data_1, server_path);
  test::expect_events(poll, events, {{token_1, Ready::readable}});

  // The sender's abstract name comes with the datagram; reply to it.
  std::array<std::byte, 64> buffer{};
  const auto [count, from] = server.recv_from(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(test::as_string(std::span(buffer).first(count)), data_1);
  ASSERT_TRUE(from.as_abstract_name()) << from;
  EXPECT_EQ(*from.as_abstract_name(), std::string_view(client_path).substr(1));
  EXPECT_EQ(server.send_to_addr(test::bytes_of(data_2), from, ec), data_2.size());
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_2, Ready::readable}});
  expect_recv_from(client, data_2, server_address);
}
#endif

TEST_F(UnixDatagram, DefaultConstructedIsEmptyAndReportsBadDescriptor) {
  const TempDir dir;
  OPEN_POLL(poll);
  net::UnixDatagram socket;
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

TEST_F(UnixDatagram, ManySocketsLeaveNoDescriptorBehind) {
  const TempDir dir;
  std::error_code ec;
  for (int i = 0; i < 50; ++i) {
    const net::UnixDatagram bound = net::UnixDatagram::bind(dir.path("s" + std::to_string(i)), ec);
    ASSERT_FALSE(ec) << ec.message();
    const net::UnixDatagram unbound = net::UnixDatagram::unbound(ec);
    ASSERT_FALSE(ec) << ec.message();
    auto [first, second] = net::UnixDatagram::pair(ec);
    ASSERT_FALSE(ec) << ec.message();
    const net::UnixDatagram refused =
        net::UnixDatagram::bind(dir.path("s" + std::to_string(i)), ec);
    EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();
  }
}

#if MIOCPP_HAS_EXCEPTIONS
TEST_F(UnixDatagram, ThrowingOverloadsThrowSystemError) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  net::UnixDatagram bound = net::UnixDatagram::bind(path);
  net::UnixDatagram unbound = net::UnixDatagram::unbound();
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
  EXPECT_EQ(test::thrown_code([&] {
              (void)bound.recv(buffer);
              (void)bound.recv(buffer);
            }),
            std::errc::operation_would_block);
  EXPECT_EQ(test::thrown_code([&] { (void)net::UnixDatagram::bind(path); }),
            std::errc::address_in_use);
  auto [first, second] = net::UnixDatagram::pair();
  first.shutdown(Shutdown::write);
  EXPECT_THROW((void)first.send(test::bytes_of(data_1)), std::system_error);
  EXPECT_THROW(first.connect(dir.path("missing")), std::system_error);
  EXPECT_THROW(first.connect_addr(UnixSocketAddr()), std::system_error);
  EXPECT_THROW((void)net::UnixDatagram::bind_addr(UnixSocketAddr::from_pathname(path)),
               std::system_error);
  net::UnixDatagram empty;
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
