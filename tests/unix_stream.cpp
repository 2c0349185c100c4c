// net::UnixStream: connecting, pairs, readiness events, reads and writes (vectored too), shutdown
// and closed peers, addresses, bad paths, abstract names and empty objects. What it does as
// UnixDatagram does (ownership, try_io) is tested in unix_socket.cpp.
#include <fcntl.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): sigaction is POSIX
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

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
using miocpp::Interest, miocpp::IoSlice, miocpp::IoSliceMut, miocpp::Token;
using net::Shutdown, net::UnixListener, net::UnixSocketAddr;
using test::expect_read, test::expect_read_would_block, test::write_all, test::Ready;
using test::TempDir;
using StreamPair = test::Pair<net::UnixStream>;

constexpr Token token_1{0}, token_2{1};
constexpr std::string_view data_1 = "Hello same host!", data_2 = "Why hello mio!";

static_assert(test::OwningSource<net::UnixStream, int>);

/// A listener on `path` and a stream connected to it, with the accepted end.
struct Connection {
  UnixListener listener;
  net::UnixStream client;
  net::UnixStream server;
};

Connection connect_through(const std::string& path) {
  Connection connection;
  std::error_code ec;
  connection.listener = UnixListener::bind(path, ec);
  EXPECT_FALSE(ec) << "bind: " << ec.message();
  connection.client = net::UnixStream::connect(path, ec);
  EXPECT_FALSE(ec) << "connect: " << ec.message();
  auto [server, peer] = connection.listener.accept(ec);
  EXPECT_FALSE(ec) << "accept: " << ec.message();
  connection.server = std::move(server);
  return connection;
}

/// The suite of net::UnixStream's tests, each of which leaves the descriptors as it found them.
class UnixStream : public test::LeakChecked<> {};

TEST_F(UnixStream, ConnectGivesANonBlockingCloseOnExecSocket) {
  const TempDir dir;
  Connection c = connect_through(dir.path("socket"));
  for (const int fd : {c.client.native_handle(), c.server.native_handle()}) {
    SCOPED_TRACE(fd);
    test::expect_new_socket(fd, SOCK_STREAM);
  }
}

// As mio's smoke test: writable first, then readable once the other side writes; vectored I/O
// keeps the order and leaves the rest of the buffers alone.
TEST_F(UnixStream, SmokeConnectWritableReadableAndVectoredIo) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  Connection c = connect_through(dir.path("socket"));
  std::error_code ec;
  REGISTER(poll, c.client, token_1, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{token_1, Ready::writable}});
  expect_read_would_block(c.client);

  write_all(c.client, data_1);
  expect_read(c.server, data_1);
  write_all(c.server, data_1);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  expect_read(c.client, data_1);
  EXPECT_FALSE(c.client.take_error(ec)) << "pending error";
  EXPECT_FALSE(ec) << ec.message();
  expect_read_would_block(c.client);

  const std::array<IoSlice, 2> out = {IoSlice(test::bytes_of(data_1)),
                                      IoSlice(test::bytes_of(data_2))};
  EXPECT_EQ(c.server.write_vectored(out, ec), data_1.size() + data_2.size());
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::readable}});

  std::array<std::byte, data_1.size()> first{};
  std::array<std::byte, data_2.size() + 1> second{};
  second.back() = std::byte{2};
  std::array<IoSliceMut, 2> in = {IoSliceMut(first), IoSliceMut(second)};
  EXPECT_EQ(c.client.read_vectored(in, ec), data_1.size() + data_2.size());
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(test::as_string(first), data_1);
  EXPECT_EQ(test::as_string(std::span(second).first(data_2.size())), data_2);
  EXPECT_EQ(second.back(), std::byte{2});  // untouched
  EXPECT_EQ(c.client.read_vectored(in, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

// A connection accepted only after the client registered still reports writable, then readable.
TEST_F(UnixStream, ConnectThenAcceptGivesWritableThenReadable) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  const std::string path = dir.path("socket");
  std::error_code ec;
  UnixListener listener = UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  net::UnixStream stream = net::UnixStream::connect(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, stream, token_1, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{token_1, Ready::writable}});

  auto [accepted, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(peer.is_unnamed()) << peer;
  accepted = net::UnixStream();  // dropping it makes the client readable (end of stream)
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(stream.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(UnixStream, PairEndsTalkBothWays) {
  OPEN_POLL(poll, events(8));
  StreamPair p = test::open_pair<net::UnixStream>();
  for (const int fd : {p.first.native_handle(), p.second.native_handle()}) {
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(test::is_nonblocking(fd));
    EXPECT_TRUE(test::is_close_on_exec(fd));
  }
  REGISTER(poll, p.first, token_1, Interest::readable | Interest::writable);
  REGISTER(poll, p.second, token_2, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{token_1, Ready::writable}, {token_2, Ready::writable}});

  expect_read_would_block(p.first);
  write_all(p.first, data_1);
  test::expect_events(poll, events, {{token_2, Ready::readable}});
  expect_read(p.second, data_1);
  expect_read_would_block(p.second);

  write_all(p.second, data_2);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  expect_read(p.first, data_2);
  expect_read_would_block(p.first);
}

TEST_F(UnixStream, PairEndsAreUnnamed) {
  StreamPair p = test::open_pair<net::UnixStream>();
  std::error_code ec;
  for (net::UnixStream* end : {&p.first, &p.second}) {
    const UnixSocketAddr local = end->local_addr(ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(local.is_unnamed()) << local;
    const UnixSocketAddr peer = end->peer_addr(ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(peer.is_unnamed()) << peer;
    EXPECT_FALSE(peer.as_pathname());
    EXPECT_FALSE(peer.as_abstract_name());
  }
}

TEST_F(UnixStream, PeerAddrIsTheListenersPathAndLocalAddrIsUnnamed) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  Connection c = connect_through(path);
  std::error_code ec;
  const UnixSocketAddr peer = c.client.peer_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(peer.as_pathname());
  EXPECT_EQ(*peer.as_pathname(), path);
  EXPECT_FALSE(peer.is_unnamed());
  const UnixSocketAddr local = c.client.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(local.is_unnamed()) << local;
  EXPECT_FALSE(local.as_pathname());

  // The accepted end is the other way round.
  const UnixSocketAddr server_local = c.server.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(server_local.as_pathname(), std::optional<std::string_view>(path));
  EXPECT_TRUE(c.server.peer_addr(ec).is_unnamed());
  EXPECT_FALSE(ec) << ec.message();

  EXPECT_EQ(test::printed(peer) + ' ' + test::printed(local), path + " (unnamed)");
}

TEST_F(UnixStream, PeerShutdownWriteGivesReadClosedAndEndOfStream) {
  OPEN_POLL(poll, events(8));
  StreamPair p = test::open_pair<net::UnixStream>();
  std::error_code ec;
  REGISTER(poll, p.first, token_1, Interest::readable);
  test::expect_no_events(poll, events);

  write_all(p.second, data_1);
  p.second.shutdown(Shutdown::write, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::readable | Ready::read_closed}});
  expect_read(p.first, data_1);
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(p.first.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();  // end of stream, not would_block
  // The other direction still works.
  write_all(p.first, data_2);
  expect_read(p.second, data_2);
}

TEST_F(UnixStream, DroppedPeerGivesReadClosedAndEndOfStream) {
  OPEN_POLL(poll, events(8));
  StreamPair p = test::open_pair<net::UnixStream>();
  std::error_code ec;
  REGISTER(poll, p.first, token_1, Interest::readable);

  p.second = net::UnixStream();
  test::expect_events(poll, events, {{token_1, Ready::read_closed}});
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(p.first.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
}

// No SIGPIPE handler is installed here: were the library to raise the signal, the process would
// die.
TEST_F(UnixStream, WriteToADroppedPeerIsBrokenPipeWithoutASignal) {
  struct ::sigaction current {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &current), 0);
  if (current.sa_handler != SIG_DFL) {  // NOLINT(*-cstyle-cast)
    GTEST_SKIP() << "SIGPIPE is not at its default disposition in this process";
  }
  OPEN_POLL(poll, events(8));
  StreamPair p = test::open_pair<net::UnixStream>();
  std::error_code ec;
  REGISTER(poll, p.first, token_1, Interest::writable);
  test::expect_events(poll, events, {{token_1, Ready::writable}});

  p.second = net::UnixStream();
  test::expect_events(poll, events, {{token_1, Ready::write_closed}});
  EXPECT_EQ(p.first.write(test::bytes_of(data_1), ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
  const std::array<IoSlice, 2> out = {IoSlice(test::bytes_of(data_1)),
                                      IoSlice(test::bytes_of(data_2))};
  EXPECT_EQ(p.first.write_vectored(out, ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
}

TEST_F(UnixStream, ShutdownReadGivesReadClosed) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  Connection c = connect_through(dir.path("socket"));
  std::error_code ec;
  REGISTER(poll, c.client, token_1, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{token_1, Ready::writable}});
  write_all(c.server, data_1);
  test::expect_events(poll, events, {{token_1, Ready::readable}});

  c.client.shutdown(Shutdown::read, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::read_closed}});
  // Writing still works.
  write_all(c.client, data_2);
  expect_read(c.server, data_2);
}

TEST_F(UnixStream, ShutdownWriteEndsTheStreamForThePeerAndRefusesWrites) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  Connection c = connect_through(dir.path("socket"));
  std::error_code ec;
  REGISTER(poll, c.server, token_2, Interest::readable);
  write_all(c.client, data_1);
  write_all(c.server, data_2);

  c.client.shutdown(Shutdown::write, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_2, Ready::readable | Ready::read_closed}});
  EXPECT_EQ(c.client.write(test::bytes_of(data_1), ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
  expect_read(c.server, data_1);
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(c.server.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
  // The read half of the client still works.
  expect_read(c.client, data_2);
}

TEST_F(UnixStream, ShutdownBothGivesWriteClosed) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  Connection c = connect_through(dir.path("socket"));
  std::error_code ec;
  REGISTER(poll, c.client, token_1, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{token_1, Ready::writable}});

  c.client.shutdown(Shutdown::both, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::write_closed | Ready::read_closed}});
  EXPECT_EQ(c.client.write(test::bytes_of(data_2), ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(c.server.read(buffer, ec), 0U);  // the peer reads end of stream
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(UnixStream, ReadableAgainAfterDrainingToWouldBlock) {
  OPEN_POLL(poll, events(8));
  StreamPair p = test::open_pair<net::UnixStream>();
  REGISTER(poll, p.first, token_1, Interest::readable);

  write_all(p.second, data_1);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  test::expect_no_events(poll, events);  // edge-triggered: once
  expect_read(p.first, data_1);
  expect_read_would_block(p.first);
  test::expect_no_events(poll, events);

  write_all(p.second, data_2);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  expect_read(p.first, data_2);
}

TEST_F(UnixStream, WritableAgainAfterThePeerDrains) {
  OPEN_POLL(poll, events(8));
  StreamPair p = test::open_pair<net::UnixStream>();
  REGISTER(poll, p.first, token_1, Interest::writable);
  test::expect_events(poll, events, {{token_1, Ready::writable}});

  const std::size_t written = test::fill(p.first, 16384);
  ASSERT_GT(written, 0U);
  test::expect_no_events(poll, events);
  EXPECT_EQ(test::drain(p.second, 16384), written);
  test::expect_events(poll, events, {{token_1, Ready::writable}});
  write_all(p.first, data_1);
}

TEST_F(UnixStream, RegisterReregisterDeregister) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  Connection c = connect_through(dir.path("socket"));

  // Readable only, nothing to read: no event.
  REGISTER(poll, c.client, token_1, Interest::readable);
  test::expect_no_events(poll, events);

  REREGISTER(poll, c.client, token_2, Interest::writable);
  test::expect_events(poll, events, {{token_2, Ready::writable}});

  DEREGISTER(poll, c.client);
  write_all(c.server, data_1);
  test::expect_no_events(poll, events);
}

TEST_F(UnixStream, ConnectToAMissingPathIsNoSuchFile) {
  const TempDir dir;
  std::error_code ec;
  const net::UnixStream stream = net::UnixStream::connect(dir.path("missing"), ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  EXPECT_EQ(stream.native_handle(), -1);
}

TEST_F(UnixStream, ConnectToASocketNobodyListensOnIsRefused) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  std::error_code ec;
  {
    // A listener that is gone leaves its socket file behind.
    const UnixListener listener = UnixListener::bind(path, ec);
    ASSERT_FALSE(ec) << ec.message();
  }
  ASSERT_TRUE(std::filesystem::is_socket(path));
  net::UnixStream stream = net::UnixStream::connect(path, ec);
  EXPECT_EQ(ec, std::errc::connection_refused) << ec.message();
  EXPECT_EQ(stream.native_handle(), -1);

  // A bound stream socket that does not listen refuses too.
  const std::string bound_path = dir.path("bound");
  test::OwnedFd bound(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(bound.valid());
  const ::sockaddr_un address = test::sockaddr_for(bound_path);
  ASSERT_EQ(::bind(bound.get(), test::as_sockaddr(address), sizeof address), 0);
  stream = net::UnixStream::connect(bound_path, ec);
  EXPECT_EQ(ec, std::errc::connection_refused) << ec.message();
}

TEST_F(UnixStream, BadPathsAreRefusedBeforeAnySocketIsMade) {
  const TempDir dir;
  std::error_code ec;
  const std::string long_path = dir.path(std::string(UnixSocketAddr::max_length, 'x'));
  net::UnixStream stream = net::UnixStream::connect(long_path, ec);
  EXPECT_EQ(ec, std::errc::filename_too_long) << ec.message();
  EXPECT_EQ(stream.native_handle(), -1);

  using namespace std::string_view_literals;
  stream = net::UnixStream::connect(dir.path("a\0b"sv), ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  stream = net::UnixStream::connect("", ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_EQ(stream.native_handle(), -1);
}

#if MIOCPP_OS_LINUX
TEST_F(UnixStream, AbstractNamesConnectAndPrint) {
  OPEN_POLL(poll, events(8));
  const std::string path = test::unique_abstract_path("stream");
  std::error_code ec;
  UnixListener listener = UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  net::UnixStream client = net::UnixStream::connect(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, client, token_1, Interest::readable);
  auto [server, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(peer.is_unnamed()) << peer;

  const UnixSocketAddr address = client.peer_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_FALSE(address.as_pathname());
  ASSERT_TRUE(address.as_abstract_name());
  EXPECT_EQ(*address.as_abstract_name(), std::string_view(path).substr(1));
  EXPECT_EQ(test::printed(address), '@' + path.substr(1));

  write_all(server, data_1);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  expect_read(client, data_1);

  // The same through an address value.
  const UnixSocketAddr by_name =
      UnixSocketAddr::from_abstract_name(std::string_view(path).substr(1), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(by_name, address);
  net::UnixStream second = net::UnixStream::connect_addr(by_name, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(second.peer_addr(ec), address);
}
#endif

TEST_F(UnixStream, DefaultConstructedIsEmptyAndReportsBadDescriptor) {
  OPEN_POLL(poll);
  net::UnixStream stream;
  EXPECT_EQ(stream.native_handle(), -1);
  std::error_code ec;
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(stream.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(stream.write(test::bytes_of(data_1), ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  std::array<IoSliceMut, 1> in = {IoSliceMut(buffer)};
  EXPECT_EQ(stream.read_vectored(in, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  const std::array<IoSlice, 1> out = {IoSlice(test::bytes_of(data_1))};
  EXPECT_EQ(stream.write_vectored(out, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  stream.shutdown(Shutdown::both, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_TRUE(stream.local_addr(ec).is_unnamed());
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_TRUE(stream.peer_addr(ec).is_unnamed());
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_FALSE(stream.take_error(ec));
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  poll.registry().register_source(stream, token_1, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(stream.release(), -1);

  // Moved-from is empty too.
  StreamPair p = test::open_pair<net::UnixStream>();
  net::UnixStream moved(std::move(p.first));
  EXPECT_EQ(p.first.native_handle(), -1);  // NOLINT(bugprone-use-after-move): under test
  EXPECT_EQ(p.first.write(test::bytes_of(data_1), ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  write_all(moved, data_1);
  expect_read(p.second, data_1);
}

TEST_F(UnixStream, ManyConnectionsLeaveNoDescriptorBehind) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  std::error_code ec;
  UnixListener listener = UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  for (int i = 0; i < 50; ++i) {
    net::UnixStream client = net::UnixStream::connect(path, ec);
    ASSERT_FALSE(ec) << ec.message();
    auto [server, peer] = listener.accept(ec);
    ASSERT_FALSE(ec) << ec.message();
    auto [first, second] = net::UnixStream::pair(ec);
    ASSERT_FALSE(ec) << ec.message();
  }
  // Failures leave nothing open either.
  for (int i = 0; i < 10; ++i) {
    const net::UnixStream refused = net::UnixStream::connect(dir.path("missing"), ec);
    EXPECT_TRUE(ec);
  }
}

#if MIOCPP_HAS_EXCEPTIONS
TEST_F(UnixStream, ThrowingOverloadsThrowSystemError) {
  const TempDir dir;
  auto [first, second] = net::UnixStream::pair();
  EXPECT_EQ(first.write(test::bytes_of(data_1)), data_1.size());
  std::array<std::byte, 64> buffer{};
  EXPECT_EQ(second.read(buffer), data_1.size());
  EXPECT_TRUE(first.local_addr().is_unnamed());
  EXPECT_TRUE(first.peer_addr().is_unnamed());
  EXPECT_FALSE(first.take_error());
  EXPECT_EQ(test::thrown_code([&, &reader = second] { (void)reader.read(buffer); }),
            std::errc::operation_would_block);
  EXPECT_EQ(test::thrown_code([&] { (void)net::UnixStream::connect(dir.path("missing")); }),
            std::errc::no_such_file_or_directory);
  EXPECT_THROW((void)net::UnixStream::connect_addr(UnixSocketAddr()), std::system_error);
  first.shutdown(Shutdown::write);
  EXPECT_THROW((void)first.write(test::bytes_of(data_1)), std::system_error);
  net::UnixStream empty;
  std::array<IoSliceMut, 1> in = {IoSliceMut(buffer)};
  EXPECT_THROW((void)empty.read_vectored(in), std::system_error);
  const std::array<IoSlice, 1> out = {IoSlice(test::bytes_of(data_1))};
  EXPECT_THROW((void)empty.write_vectored(out), std::system_error);
  EXPECT_THROW(empty.shutdown(Shutdown::read), std::system_error);
  EXPECT_THROW((void)empty.local_addr(), std::system_error);
  EXPECT_THROW((void)empty.peer_addr(), std::system_error);
  EXPECT_THROW((void)empty.take_error(), std::system_error);
}
#endif

}  // namespace
